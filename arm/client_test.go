package arm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testRG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"

// newTestClient returns a client for srv (a TLS httptest server) with quick
// retries and polls.
func newTestClient(t *testing.T, srv *httptest.Server, mutate ...func(*ClientOptions)) *Client {
	t.Helper()
	opts := ClientOptions{
		Endpoint:      srv.URL,
		Credential:    StaticCredential{Token: "test-token"},
		Transport:     srv.Client(),
		PollFrequency: time.Millisecond,
		ConflictDelay: time.Millisecond,
		Retry:         RetryOptions{Delay: time.Millisecond, MaxDelay: 2 * time.Second},
	}
	for _, m := range mutate {
		m(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestGetKeepsNumbersAndHeaders(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer test-token" {
			t.Errorf("Authorization = %q", got)
		}
		if r.URL.Query().Get("api-version") != "2021-04-01" || r.URL.Path != testRG {
			t.Errorf("request %s", r.URL)
		}
		if r.Header.Get("x-ms-client-request-id") == "" {
			t.Error("no x-ms-client-request-id")
		}
		w.Header().Set("ETag", `"e1"`)
		writeJSON(w, 200, `{"id":"x","properties":{"big":12345678901234567890,"dec":0.10}}`)
	}))
	defer srv.Close()
	resp, err := newTestClient(t, srv).Get(context.Background(), testRG, "2021-04-01")
	if err != nil {
		t.Fatal(err)
	}
	props := resp.Body["properties"].(map[string]any)
	if props["big"] != json.Number("12345678901234567890") || props["dec"] != json.Number("0.10") {
		t.Errorf("numbers changed: %v", props)
	}
	if resp.ETag() != `"e1"` {
		t.Errorf("ETag() = %q", resp.ETag())
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       []string
		notFound   bool
	}{
		{"arm error with details", `{"error":{"code":"InvalidTemplate","message":"bad thing","target":"properties.x","details":[{"code":"Inner","message":"why","details":[{"code":"Deeper","message":"root"}]}]}}`, 400,
			[]string{"InvalidTemplate (HTTP 400): bad thing [target: properties.x] (request id req-1, correlation id corr-1, client request id ", "\n  - Inner: why\n    - Deeper: root"}, false},
		{"not found", `{"error":{"code":"ResourceNotFound","message":"gone"}}`, 404, []string{"ResourceNotFound (HTTP 404): gone"}, true},
		{"top-level code", `{"code":"BadRequest","message":"flat"}`, 400, []string{"BadRequest (HTTP 400): flat"}, false},
		{"not json", `<html>oops</html>`, 403, []string{"Forbidden (HTTP 403): the answer is an HTML page, not an ARM error"}, false},
		{"empty", ``, 409, []string{"Conflict (HTTP 409): the server gave no error body"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-ms-request-id", "req-1")
				w.Header().Set("x-ms-correlation-request-id", "corr-1")
				writeJSON(w, tt.status, tt.body)
			}))
			defer srv.Close()
			_, err := newTestClient(t, srv).Get(context.Background(), testRG, "2021-04-01")
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if ae.StatusCode != tt.status || ae.RequestID != "req-1" || ae.CorrelationID != "corr-1" || ae.Method != "GET" {
				t.Errorf("error fields: %+v", ae)
			}
			if IsNotFound(err) != tt.notFound {
				t.Errorf("IsNotFound = %v", IsNotFound(err))
			}
		})
	}
}

func TestRetriesTransientFaults(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		fault    func(w http.ResponseWriter)
		faults   int // how many first attempts fail
		wantOK   bool
		attempts int32
	}{
		{"GET 503 then ok", "GET", status(503), 2, true, 3},
		{"GET 500 502 504 then ok", "GET", status(502), 3, true, 4},
		{"GET 429 then ok", "GET", status(429), 2, true, 3},
		{"GET dropped connection then ok", "GET", drop, 2, true, 3},
		{"PUT dropped connection then ok", "PUT", drop, 1, true, 2},
		{"POST 429 is resent", "POST", status(429), 1, true, 2},
		{"POST 500 is not resent", "POST", status(500), 1, false, 1},
		{"POST dropped connection is not resent", "POST", drop, 1, false, 1},
		{"GET gives up after MaxRetries", "GET", status(503), 100, false, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if int(n.Add(1)) <= tt.faults {
					tt.fault(w)
					return
				}
				writeJSON(w, 200, `{"ok":true}`)
			}))
			defer srv.Close()
			c := newTestClient(t, srv)
			_, err := c.Do(context.Background(), Request{Method: tt.method, ID: testRG + "/providers/Microsoft.Web/sites/a", APIVersion: "2024-04-01", Body: map[string]any{}})
			if (err == nil) != tt.wantOK {
				t.Errorf("err = %v, want ok=%v", err, tt.wantOK)
			}
			if got := n.Load(); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
		})
	}
}

func status(code int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("retry-after-ms", "5")
		writeJSON(w, code, `{"error":{"code":"Transient","message":"try again"}}`)
	}
}

// drop closes the connection without an answer, as a dying proxy does.
func drop(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestHungAttemptIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up
			return
		}
		writeJSON(w, 200, `{}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(o *ClientOptions) { o.Retry.TryTimeout = 100 * time.Millisecond })
	if _, err := c.Get(context.Background(), testRG, "2021-04-01"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("%d attempts, want 2", n.Load())
	}
}

func TestBusyConflictIsResent(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			writeJSON(w, 409, `{"error":{"code":"AnotherOperationInProgress","message":"Another operation on this or dependent resource is in progress."}}`)
			return
		}
		writeJSON(w, 200, `{"properties":{"provisioningState":"Succeeded"}}`)
	}))
	defer srv.Close()
	busy := 0
	_, err := newTestClient(t, srv).Do(context.Background(), Request{Method: http.MethodPut,
		ID: testRG + "/providers/Microsoft.Network/virtualNetworks/v/subnets/a", APIVersion: "2024-07-01",
		Body: map[string]any{}, OnBusy: func(error) { busy++ }})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 || busy != 3 {
		t.Errorf("%d attempts and %d busy reports, want 4 and 3", n.Load(), busy)
	}
}

func TestBusyConflictGivesUpAtTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 409, `{"error":{"code":"AnotherOperationInProgress","message":"busy"}}`)
	}))
	defer srv.Close()
	// The waits are long beside a request, so that the timeout ends during
	// a wait, not during a request, even on a busy machine: the second try
	// comes after 1 s, and the next wait would end after the 1.5 s timeout.
	c := newTestClient(t, srv, func(o *ClientOptions) { o.ConflictDelay = time.Second })
	_, err := c.Do(context.Background(), Request{Method: "PUT", ID: testRG, APIVersion: "2021-04-01", Body: map[string]any{}, Timeout: 1500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "still busy after") || !strings.Contains(err.Error(), "AnotherOperationInProgress") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() < 2 {
		t.Errorf("only %d attempts", n.Load())
	}
}

func TestWhichConflictsAreResent(t *testing.T) {
	tests := []struct {
		body   string
		resent bool
	}{
		{`{"error":{"code":"AnotherOperationInProgress","message":"Another operation on this or dependent resource is in progress."}}`, true},
		{`{"error":{"code":"Conflict","message":"Operation 'PUT' on subnet 'a' is not allowed while the parent virtual network is updating. Retry later."}}`, true},
		{`{"error":{"code":"Conflict","message":"Cannot modify resource with id 'x' because another operation is being performed."}}`, true},
		{`{"error":{"code":"StorageAccountAlreadyTaken","message":"The storage account named sa is already taken."}}`, false},
		{`{"error":{"code":"Conflict","message":"A resource with this name already exists in another resource group."}}`, false},
	}
	for _, tt := range tests {
		var n atomic.Int32
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				writeJSON(w, 409, tt.body)
				return
			}
			writeJSON(w, 200, `{}`)
		}))
		_, err := newTestClient(t, srv).Put(context.Background(), testRG, "2021-04-01", map[string]any{})
		srv.Close()
		if resent := n.Load() == 2; resent != tt.resent || (err == nil) != tt.resent {
			t.Errorf("%s: %d attempts, err %v; want resent=%v", tt.body, n.Load(), err, tt.resent)
		}
	}
}

func TestConditionalHeaders(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Match") != `"v1"` {
			writeJSON(w, 412, `{"error":{"code":"PreconditionFailed","message":"etag mismatch"}}`)
			return
		}
		if r.Header.Get("If-None-Match") != "" {
			t.Errorf("If-None-Match sent: %q", r.Header.Get("If-None-Match"))
		}
		if r.Method != http.MethodPatch || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		writeJSON(w, 200, `{"etag":"\"v2\""}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPatch, ID: testRG, APIVersion: "2021-04-01", Body: map[string]any{"tags": map[string]any{}}, IfMatch: `"v1"`})
	if err != nil || resp.ETag() != `"v2"` {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	_, err = c.Do(context.Background(), Request{Method: http.MethodPatch, ID: testRG, APIVersion: "2021-04-01", Body: map[string]any{}, IfMatch: `"old"`})
	if !IsPreconditionFailed(err) {
		t.Fatalf("err = %v, want a 412", err)
	}
}

func TestEndpointRules(t *testing.T) {
	tests := []struct {
		endpoint string
		wantErr  string
	}{
		{"https://management.azure.com", ""},
		{"https://management.azure.com/", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8080", ""},
		{"http://management.azure.com", "plain http"},
		{"http://10.0.0.1", "plain http"},
		{"ftp://x", "not an https URL"},
		{"management.azure.com", "not a URL with a host"},
		{"https://management.azure.com/?x=1", "query"},
	}
	for _, tt := range tests {
		_, err := NewClient(ClientOptions{Endpoint: tt.endpoint, Credential: StaticCredential{Token: "t"}})
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("NewClient(%q) = %v, want %q", tt.endpoint, err, tt.wantErr)
		}
	}
}

func TestPlainHTTPOnLoopbackSendsToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			writeJSON(w, 401, `{"error":{"code":"AuthenticationFailed","message":"no token"}}`)
			return
		}
		writeJSON(w, 200, `{}`)
	}))
	defer srv.Close()
	if _, err := newTestClient(t, srv).Get(context.Background(), testRG, "2021-04-01"); err != nil {
		t.Fatal(err)
	}
}

func TestPostReturnsActionResult(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/listKeys") {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		writeJSON(w, 200, `[{"keyName":"key1"}]`)
	}))
	defer srv.Close()
	resp, err := newTestClient(t, srv).Post(context.Background(), testRG+"/providers/Microsoft.Storage/storageAccounts/sa/listKeys", "2025-01-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != nil || !strings.Contains(string(resp.Raw), "key1") {
		t.Errorf("Body %v, Raw %s", resp.Body, resp.Raw)
	}
}

// TestConcurrentUse runs many requests at once through one client (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-ms-ratelimit-remaining-subscription-reads", "200")
		writeJSON(w, 200, fmt.Sprintf(`{"id":%q}`, r.URL.Path))
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("%s/providers/Microsoft.Web/sites/s%d", testRG, i)
			resp, err := c.Get(context.Background(), id, "2024-04-01")
			if err != nil || resp.Body["id"] != id {
				t.Errorf("%s: %v %v", id, resp, err)
			}
		}()
	}
	wg.Wait()
}
