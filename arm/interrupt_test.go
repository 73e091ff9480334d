package arm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestInterruptEndsBackoff answers 429 with ARM's longest Retry-After: the
// interrupt ends the wait at once, and nothing is resent.
func TestInterruptEndsBackoff(t *testing.T) {
	interrupt := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			defer close(interrupt) // the first Ctrl-C comes while the client waits
		}
		w.Header().Set("Retry-After", "600")
		writeJSON(w, http.StatusTooManyRequests, `{"error":{"code":"TooManyRequests","message":"throttled"}}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(o *ClientOptions) { o.Retry.MaxDelay = 0 })
	ctx := WithInterrupt(context.Background(), interrupt)
	_, err := c.Do(ctx, Request{Method: http.MethodPut, ID: testRG, APIVersion: "2021-04-01", Body: map[string]any{}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("%d requests, want 1: the 429 was resent after the interrupt", got)
	}
}

// TestInterruptSendsNothingMore: after the interrupt a new request is not
// sent, but the polls of an operation ARM accepted are.
func TestInterruptSendsNothingMore(t *testing.T) {
	interrupt := make(chan struct{})
	var gets, puts atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			puts.Add(1)
			w.Header().Set("Azure-AsyncOperation", srv.URL+"/op?api-version=1")
			writeJSON(w, http.StatusCreated, `{"properties":{"provisioningState":"Creating"}}`)
			close(interrupt)
		default:
			if r.URL.Path == "/op" {
				writeJSON(w, http.StatusOK, `{"status":"Succeeded"}`)
				return
			}
			gets.Add(1)
			writeJSON(w, http.StatusOK, `{"properties":{"provisioningState":"Succeeded"}}`)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := WithInterrupt(context.Background(), interrupt)
	if _, err := c.Do(ctx, Request{Method: http.MethodPut, ID: testRG, APIVersion: "2021-04-01", Body: map[string]any{}}); err != nil {
		t.Fatalf("the accepted operation was not awaited to its end: %v", err)
	}
	before := gets.Load()
	if _, err := c.Get(ctx, testRG, "2021-04-01"); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("a GET after the interrupt: err = %v, want ErrInterrupted", err)
	}
	if gets.Load() != before {
		t.Errorf("a GET was sent after the interrupt")
	}
	if _, err := c.Get(Finishing(ctx), testRG, "2021-04-01"); err != nil {
		t.Errorf("a read that finishes an accepted operation was refused: %v", err)
	}
}
