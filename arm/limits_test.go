package arm

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/azapply/azapply/limits"
)

// TestDeepLiveBodyRefused: a live body nested deeper than limits.MaxDepth
// (5,000 levels of 30 KB took gigabytes to plan) is an error naming the
// request; the deepest real ARM body reads.
func TestDeepLiveBodyRefused(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	fine := strings.Repeat(`{"a":`, limits.MaxDepth-1) + "1" + strings.Repeat("}", limits.MaxDepth-1)
	for _, tt := range []struct {
		body    string
		refused bool
	}{{deep, true}, {fine, false}} {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, tt.body)
		}))
		c := newTestClient(t, srv)
		_, err := c.Get(context.Background(), testRG, "2021-04-01")
		srv.Close()
		if tt.refused && (err == nil || !strings.Contains(err.Error(), "nests deeper than") || !strings.Contains(err.Error(), "GET "+testRG)) {
			t.Errorf("a body 5,000 deep: %v", err)
		}
		if !tt.refused && err != nil {
			t.Errorf("a body %d deep: %v", limits.MaxDepth, err)
		}
	}
}
