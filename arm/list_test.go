package arm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
)

func TestListFollowsNextLink(t *testing.T) {
	c, em := serve(t, emulator.Options{PageSize: 2})
	createRG(t, c)
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.Put(ctx, fmt.Sprintf("%s/providers/Microsoft.ContainerRegistry/registries/acr%d", rgID, i), "2023-07-01", acrBody()); err != nil {
			t.Fatal(err)
		}
	}
	collection := rgID + "/providers/Microsoft.ContainerRegistry/registries"
	tests := []struct {
		name      string
		stopAfter int // pages; 0 reads them all
		wantPages int
		wantItems int
	}{
		{name: "every page", wantPages: 3, wantItems: 5},
		{name: "stopped after the first", stopAfter: 1, wantPages: 1, wantItems: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em.ResetObservations()
			pages, items := 0, 0
			err := c.List(ctx, collection, "2023-07-01", func(p arm.Page) bool {
				pages++
				items += len(p.Items)
				for _, it := range p.Items {
					if id, _ := it["id"].(string); !strings.HasPrefix(id, collection+"/acr") {
						t.Errorf("item id %q is not in the collection", id)
					}
				}
				return tt.stopAfter == 0 || pages < tt.stopAfter
			})
			if err != nil {
				t.Fatal(err)
			}
			if pages != tt.wantPages || items != tt.wantItems {
				t.Errorf("read %d pages of %d items, want %d of %d", pages, items, tt.wantPages, tt.wantItems)
			}
			if got := em.Counters().ByMethod["GET"]; got != tt.wantPages {
				t.Errorf("sent %d GETs, want one per page read (%d)", got, tt.wantPages)
			}
		})
	}

	err := c.List(ctx, sub+"/resourceGroups/nope/providers/Microsoft.ContainerRegistry/registries", "2023-07-01", func(arm.Page) bool { return true })
	if !arm.IsNotFound(err) {
		t.Errorf("listing in a missing group: err = %v, want a 404", err)
	}
}

// TestListRefusesBadNextLinks: a nextLink to another host gets no request
// (and no token); one that repeats ends the listing with an error.
func TestListRefusesBadNextLinks(t *testing.T) {
	var other atomic.Int32
	elsewhere := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other.Add(1) }))
	t.Cleanup(elsewhere.Close)
	var next string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"value": [{"id": "/x"}], "nextLink": %q}`, next)
	}))
	t.Cleanup(srv.Close)
	c, err := arm.NewClient(arm.ClientOptions{Endpoint: srv.URL, Credential: arm.StaticCredential{Token: "t"}, Transport: srv.Client(),
		Retry: arm.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, next, want string
		is               error
	}{
		{name: "another host", next: elsewhere.URL + "/page2?api-version=1", is: arm.ErrOtherHost},
		{name: "a loop", next: srv.URL + "/x/list?api-version=1", want: "same nextLink twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			next = tt.next
			err := c.List(context.Background(), "/x/list", "1", func(arm.Page) bool { return true })
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %v %q", err, tt.is, tt.want)
			}
		})
	}
	if other.Load() != 0 {
		t.Errorf("the other host got %d requests", other.Load())
	}
}
