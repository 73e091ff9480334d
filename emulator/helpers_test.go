package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testBase = "https://emulator.test"
	sub      = "/subscriptions/00000000-0000-0000-0000-000000000000"
	rgID     = sub + "/resourceGroups/rg1"
	acrID    = rgID + "/providers/Microsoft.ContainerRegistry/registries/acr1"
)

// client drives a Server over HTTP, in-process, the way azapply does.
type client struct {
	t   *testing.T
	srv *Server
	hc  *http.Client
}

func newClient(t *testing.T, opts Options) *client {
	t.Helper()
	srv := New(opts)
	return &client{t: t, srv: srv, hc: &http.Client{Transport: srv.Transport()}}
}

// reply is a decoded response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends method to path (adding api-version unless the path has a
// query) with body (nil: none) and "Name: value" headers.
func (c *client) do(method, path string, body any, headers ...string) reply {
	c.t.Helper()
	r, err := c.try(method, path, body, headers...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (c *client) try(method, path string, body any, headers ...string) (reply, error) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = testBase + path
	}
	if !strings.Contains(u, "?") {
		u += "?api-version=2023-07-01"
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer test-token")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	out := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			c.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return out, nil
}

// must checks the status of r.
func (r reply) must(t *testing.T, want int) reply {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body: %s", r.status, want, r.raw)
	}
	return r
}

func (r reply) str(path string) string {
	v, _ := getPath(r.body, path)
	s, _ := v.(string)
	return s
}

func (r reply) errorCode() string { return r.str("error.code") }

// createRG creates the resource group rg1.
func (c *client) createRG() {
	c.t.Helper()
	c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"}).must(c.t, http.StatusCreated)
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}
