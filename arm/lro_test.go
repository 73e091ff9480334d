package arm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lroRP is a resource provider that runs every operation as a long-running
// one, in the pattern given, finishing after `polls` status requests.
type lroRP struct {
	t       *testing.T
	pattern string // async, location, both, provisioningState
	polls   int
	// end is the final status: Succeeded, Failed or Canceled.
	end string

	mu      sync.Mutex
	seen    int
	statusN int
	deleted bool
}

const lroID = testRG + "/providers/Microsoft.Compute/disks/d1"

func (rp *lroRP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	base := "https://" + r.Host
	done := func() bool { return rp.statusN >= rp.polls }
	switch {
	case r.URL.Path == "/ops/1":
		rp.statusN++
		w.Header().Set("retry-after-ms", "1")
		switch rp.pattern {
		case "async", "both":
			if !done() {
				writeJSON(w, 200, fmt.Sprintf(`{"status":"InProgress","percentComplete":%d}`, 100*rp.statusN/(rp.polls+1)))
				return
			}
			if rp.end != "Succeeded" {
				writeJSON(w, 200, fmt.Sprintf(`{"status":%q,"error":{"code":"QuotaExceeded","message":"Operation could not be completed as it results in exceeding approved quota."}}`, rp.end))
				return
			}
			writeJSON(w, 200, `{"status":"Succeeded"}`)
		case "location":
			if !done() {
				w.WriteHeader(202)
				return
			}
			if r.URL.Query().Get("method") == "DELETE" {
				rp.deleted = true
				w.WriteHeader(204)
				return
			}
			writeJSON(w, 200, `{"id":"`+lroID+`","result":"from location","properties":{"provisioningState":"Succeeded"}}`)
		}
	case r.URL.Path == lroID && r.Method == http.MethodGet:
		state := "Succeeded"
		if rp.pattern == "provisioningState" {
			rp.statusN++
			if !done() {
				state = "Creating"
			} else {
				state = rp.end
			}
		}
		writeJSON(w, 200, fmt.Sprintf(`{"id":%q,"properties":{"provisioningState":%q,"size":32}}`, lroID, state))
	case r.URL.Path == lroID || strings.HasPrefix(r.URL.Path, lroID+"/"):
		rp.seen++
		opURL := base + "/ops/1?method=" + r.Method
		switch rp.pattern {
		case "async":
			w.Header().Set("Azure-AsyncOperation", opURL)
			writeJSON(w, 201, `{"properties":{"provisioningState":"Accepted"}}`)
		case "both":
			w.Header().Set("Azure-AsyncOperation", opURL)
			w.Header().Set("Location", base+"/never-used")
			w.WriteHeader(202)
		case "location":
			w.Header().Set("Location", opURL)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(202)
		case "provisioningState":
			writeJSON(w, 201, `{"properties":{"provisioningState":"Creating"}}`)
		}
	default:
		rp.t.Errorf("unexpected %s %s", r.Method, r.URL)
		writeJSON(w, 404, `{"error":{"code":"NotFound","message":"no"}}`)
	}
}

func TestLongRunningOperations(t *testing.T) {
	tests := []struct {
		pattern, method, end string
		wantErr              string
		wantBody             string
	}{
		{"async", "PUT", "Succeeded", "", "size"},
		{"async", "PATCH", "Succeeded", "", "size"},
		{"async", "PUT", "Failed", "QuotaExceeded: the operation ended Failed: Operation could not be completed", ""},
		{"async", "DELETE", "Canceled", "QuotaExceeded: the operation ended Canceled", ""},
		{"both", "PUT", "Succeeded", "", "size"},
		{"location", "PUT", "Succeeded", "", "from location"},
		{"location", "DELETE", "Succeeded", "", ""},
		{"location", "POST", "Succeeded", "", "from location"},
		{"provisioningState", "PUT", "Succeeded", "", "size"},
		{"provisioningState", "PUT", "Failed", "OperationFailed: the operation ended Failed: ARM reported the status Failed", ""},
		{"provisioningState", "PUT", "Canceled", "the operation ended Canceled", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.method+"/"+tt.end, func(t *testing.T) {
			rp := &lroRP{t: t, pattern: tt.pattern, polls: 3, end: tt.end}
			srv := httptest.NewTLSServer(rp)
			defer srv.Close()
			c := newTestClient(t, srv)
			var progress []Progress
			id := lroID
			var body any = map[string]any{"location": "westus"}
			if tt.method == "POST" {
				id += "/beginGetAccess"
			}
			if tt.method == "DELETE" {
				body = nil
			}
			resp, err := c.Do(context.Background(), Request{Method: tt.method, ID: id, APIVersion: "2024-03-02", Body: body,
				Progress: func(p Progress) { progress = append(progress, p) }})
			if tt.wantErr != "" {
				var ae *Error
				if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.wantErr) || ae.OperationStatus != tt.end {
					t.Fatalf("err = %v, want an *Error with %q and status %s", err, tt.wantErr, tt.end)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBody != "" && !strings.Contains(string(resp.Raw), tt.wantBody) {
				t.Errorf("result %s, want it to contain %q", resp.Raw, tt.wantBody)
			}
			if tt.method == "DELETE" && !rp.deleted {
				t.Error("the delete never finished")
			}
			// One report when polling starts, then one per unfinished poll.
			if len(progress) != rp.polls {
				t.Errorf("%d progress reports, want %d: %+v", len(progress), rp.polls, progress)
			}
			if len(progress) > 0 && (progress[0].ResumeToken == "" || progress[0].Method != tt.method || progress[0].ID != id) {
				t.Errorf("first progress %+v", progress[0])
			}
			if tt.pattern == "async" && len(progress) > 1 && (progress[1].Status != "InProgress" || progress[1].PercentComplete <= 0) {
				t.Errorf("second progress %+v", progress[1])
			}
		})
	}
}

func TestResumeAfterCrash(t *testing.T) {
	for _, pattern := range []string{"async", "location", "provisioningState"} {
		t.Run(pattern, func(t *testing.T) {
			rp := &lroRP{t: t, pattern: pattern, polls: 3, end: "Succeeded"}
			srv := httptest.NewTLSServer(rp)
			defer srv.Close()
			// The first process starts the operation, stores the token and dies.
			ctx, cancel := context.WithCancel(context.Background())
			var token string
			_, err := newTestClient(t, srv).Do(ctx, Request{Method: "PUT", ID: lroID, APIVersion: "2024-03-02", Body: map[string]any{},
				Progress: func(p Progress) { token = p.ResumeToken; cancel() }})
			if !errors.Is(err, context.Canceled) || token == "" {
				t.Fatalf("err = %v, token %q", err, token)
			}
			if strings.Contains(token, "test-token") {
				t.Fatal("the resume token holds the bearer token")
			}
			// The second process picks it up.
			resp, err := newTestClient(t, srv).Resume(context.Background(), token, WaitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Body == nil {
				t.Error("no result body")
			}
			if rp.seen != 1 {
				t.Errorf("the operation was started %d times", rp.seen)
			}
		})
	}
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	c := newTestClient(t, srv)
	if _, err := c.Resume(context.Background(), "garbage", WaitOptions{}); err == nil || !strings.Contains(err.Error(), "resume token") {
		t.Errorf("Resume(garbage) = %v", err)
	}
}

func TestRetryAfterIsHonouredWhilePolling(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if r.URL.Path == "/op" {
			if len(times) < 3 {
				w.Header().Set("Retry-After", "1")
				writeJSON(w, 200, `{"status":"Running"}`)
				return
			}
			writeJSON(w, 200, `{"status":"Succeeded"}`)
			return
		}
		w.Header().Set("Azure-AsyncOperation", "https://"+r.Host+"/op")
		w.WriteHeader(202)
	}))
	defer srv.Close()
	_, err := newTestClient(t, srv).Delete(context.Background(), lroID, "2024-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(times) != 3 {
		t.Fatalf("%d requests, want 3", len(times))
	}
	if gap := times[2].Sub(times[1]); gap < 900*time.Millisecond {
		t.Errorf("the second poll came %v after the first, before its Retry-After of 1s", gap)
	}
}

func TestOperationTimeout(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/op" {
			writeJSON(w, 200, `{"status":"Running"}`)
			return
		}
		w.Header().Set("Azure-AsyncOperation", "https://"+r.Host+"/op")
		writeJSON(w, 201, `{}`)
	}))
	defer srv.Close()
	_, err := newTestClient(t, srv).Do(context.Background(), Request{Method: "PUT", ID: lroID, APIVersion: "2024-03-02", Body: map[string]any{}, Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "did not finish within its timeout of 50ms") || !strings.Contains(err.Error(), "last status Running") {
		t.Fatalf("err = %v", err)
	}
}
