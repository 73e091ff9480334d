package arm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// elsewhere is a second TLS server, on another host:port than the ARM
// endpoint, that counts what reaches it and whether a token came along.
type elsewhere struct {
	srv           *httptest.Server
	hits, bearers atomic.Int32
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			e.bearers.Add(1)
		}
		writeJSON(w, 200, `{"status":"Succeeded"}`)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// TestTokenGoesToTheEndpointOnly: a polling URL, an Azure-AsyncOperation
// URL, a redirect or a resume token naming another host is refused with a
// clear error, and that host receives nothing, least of all the token.
func TestTokenGoesToTheEndpointOnly(t *testing.T) {
	other := newElsewhere(t)
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		call    func(c *Client) error
		want    string
	}{
		{"Location on another host", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.srv.URL+"/op")
			w.WriteHeader(http.StatusAccepted)
		}, func(c *Client) error {
			_, err := c.Delete(context.Background(), lroID, "2024-03-02")
			return err
		}, "refusing to send the bearer token"},
		{"Azure-AsyncOperation on another host", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Azure-AsyncOperation", other.srv.URL+"/op")
			writeJSON(w, http.StatusCreated, `{"properties":{"provisioningState":"Creating"}}`)
		}, func(c *Client) error {
			_, err := c.Put(context.Background(), lroID, "2024-03-02", map[string]any{})
			return err
		}, "refusing to send the bearer token"},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.srv.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}, func(c *Client) error {
			_, err := c.Get(context.Background(), lroID, "2024-03-02")
			return err
		}, "azapply follows no redirect"},
		{"redirect on the same host", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/moved" {
				writeJSON(w, 200, `{}`)
				return
			}
			http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
		}, func(c *Client) error {
			_, err := c.Get(context.Background(), lroID, "2024-03-02")
			return err
		}, "HTTP 301, a redirect to https://127.0.0.1"},
		{"resume token naming another host", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{}`)
		}, func(c *Client) error {
			_, err := c.Resume(context.Background(), resumeTokenFor(t, other.srv.URL), WaitOptions{})
			return err
		}, "refusing to send the bearer token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(tc.handler))
			defer srv.Close()
			before := other.hits.Load()
			err := tc.call(newTestClient(t, srv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if got := other.hits.Load() - before; got != 0 {
				t.Fatalf("the other host received %d requests (%d with a bearer token)", got, other.bearers.Load())
			}
		})
	}
}

// TestHostileResponses: bodies that are not JSON, HTML error pages, huge
// bodies, operations that never end and a 200 that says Failed each end
// in an error that says what happened.
func TestHostileResponses(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		method  string
		want    []string
	}{
		{"non-JSON 200", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `this is not json`)
		}, "GET", []string{"answered 200 with a body that is not JSON"}},
		{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("<html><body><h1>403 Forbidden</h1><p>Request blocked by the gateway.</p></body></html>"))
		}, "GET", []string{"HTTP 403"}},
		{"HTML 502 after retries", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
		}, "GET", []string{"HTTP 502"}},
		{"operation that never ends", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/op" {
				writeJSON(w, 200, `{"status":"InProgress"}`)
				return
			}
			w.Header().Set("Azure-AsyncOperation", "https://"+r.Host+"/op")
			writeJSON(w, 201, `{}`)
		}, "PUT", []string{"did not finish within its timeout of 200ms"}},
		{"200 with provisioningState Failed", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{"id":"x","properties":{"provisioningState":"Failed"}}`)
		}, "PUT", []string{"Failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(tc.handler))
			defer srv.Close()
			c := newTestClient(t, srv, func(o *ClientOptions) { o.Retry.MaxRetries = 2 })
			req := Request{Method: tc.method, ID: lroID, APIVersion: "2024-03-02", Timeout: 200 * time.Millisecond}
			if tc.method == "PUT" {
				req.Body = map[string]any{}
			}
			_, err := c.Do(context.Background(), req)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "<html>") {
				t.Errorf("the error repeats the HTML page: %v", err)
			}
		})
	}
}

// TestHugeBodyIsCut: a server that streams without end is read up to the
// limit and no further, once (an oversized answer is not resent), and the
// memory taken stays bounded.
func TestHugeBodyIsCut(t *testing.T) {
	var hits atomic.Int32
	chunk := []byte(`{"a":"` + strings.Repeat("x", 1<<16))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < 1<<14; i++ { // up to 1 GiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := newTestClient(t, srv).Get(context.Background(), lroID, "2024-03-02")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v, want ErrResponseTooLarge", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the oversized answer was asked for %d times, want 1", n)
	}
	// The server offers 1 GiB; reading it whole would allocate more than
	// that. What is allocated (the server's TLS records included) stays a
	// small multiple of the limit.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8*maxResponseBytes {
		t.Errorf("reading it allocated %d MiB, want at most %d", grew>>20, 8*maxResponseBytes>>20)
	}

	// A Content-Length over the limit is refused before reading.
	big := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1099511627776")
		w.WriteHeader(200)
	}))
	defer big.Close()
	if _, err := newTestClient(t, big).Get(context.Background(), lroID, "2024-03-02"); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v, want ErrResponseTooLarge", err)
	}
}

// resumeTokenFor returns a real resume token of a DELETE whose polling URL
// is on the host of url (as a tampered state file could hold).
func resumeTokenFor(t *testing.T, url string) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://"+r.Host+"/op")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	// The wait ends as soon as the operation has a resume token, not at a
	// short timeout, which a busy machine can reach before the 202 comes.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tok string
	_, _ = newTestClient(t, srv).Do(ctx, Request{Method: "DELETE", ID: lroID, APIVersion: "2024-03-02",
		Timeout: time.Minute, Progress: func(p Progress) {
			if p.ResumeToken != "" {
				tok = p.ResumeToken
				cancel()
			}
		}})
	if tok == "" {
		t.Fatal("no resume token")
	}
	return strings.ReplaceAll(tok, srv.URL, url)
}

func TestHostPortNormalised(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://management.azure.com", "https://management.azure.com:443", true},
		{"https://management.azure.com", "https://MANAGEMENT.azure.com", true},
		{"http://127.0.0.1", "http://127.0.0.1:80", true},
		{"https://management.azure.com", "https://management.azure.com:8443", false},
		{"https://management.azure.com", "https://evil.management.azure.com", false},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := strings.EqualFold(hostPort(a), hostPort(b)); got != tc.same {
			t.Errorf("%s vs %s: same = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
