package arm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPacerSetSharesByEndpointAndPrincipal(t *testing.T) {
	set := NewPacerSet(0)
	client := func(endpoint, principal string) *Client {
		t.Helper()
		c, err := NewClient(ClientOptions{Endpoint: endpoint, Credential: StaticCredential{Token: "t"}, Pacers: set, Principal: principal})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := client("https://management.azure.com", "sp/tenant/app1")
	b := client("https://management.azure.com/", "sp/tenant/app1")
	c := client("https://management.azure.com", "sp/tenant/app2")
	d := client("https://management.chinacloudapi.cn", "sp/tenant/app1")
	alone, err := NewClient(ClientOptions{Endpoint: "https://management.azure.com", Credential: StaticCredential{Token: "t"}, Principal: "sp/tenant/app1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		x, y *Client
		same bool
	}{
		{"same endpoint and principal", a, b, true},
		{"another principal", a, c, false},
		{"another endpoint", a, d, false},
		{"a client without the set", a, alone, false},
	}
	for _, tc := range tests {
		if got := tc.x.pacer == tc.y.pacer; got != tc.same {
			t.Errorf("%s: share a pacer = %v, want %v", tc.name, got, tc.same)
		}
	}
	if n := set.Pacers(); n != 3 {
		t.Errorf("the set holds %d pacers, want 3", n)
	}
	if a.Principal() == c.Principal() || a.Principal() != b.Principal() {
		t.Errorf("Principal: %q, %q, %q", a.Principal(), b.Principal(), c.Principal())
	}
}

// countingTransport answers 200 after a pause, and records the most
// requests it had at once.
type countingTransport struct {
	now, most atomic.Int32
	sent      atomic.Int32
}

func (c *countingTransport) Do(req *http.Request) (*http.Response, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			break
		}
	}
	c.sent.Add(1)
	time.Sleep(5 * time.Millisecond)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: req}, nil
}

func TestPacerSetBoundsRequestsInFlight(t *testing.T) {
	set := NewPacerSet(3)
	tr := &countingTransport{}
	var clients []*Client
	for range 4 {
		c, err := NewClient(ClientOptions{Endpoint: "https://management.azure.com", Credential: StaticCredential{Token: "t"},
			Transport: tr, Pacers: set, Principal: "p"})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Get(context.Background(), testRG+"/providers/Microsoft.Network/publicIPAddresses/ip"+string(rune('a'+i)), "2024-07-01"); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if got := tr.sent.Load(); got != 40 {
		t.Fatalf("%d requests sent, want 40", got)
	}
	if most := tr.most.Load(); most > 3 {
		t.Errorf("%d requests were in flight at once across the clients, want at most 3", most)
	}
}

// TestPacerSet429PausesTheOtherClients: a fleet's stacks each have a
// client, and ARM counts their requests in one bucket per subscription.
// A 429 one stack receives must hold back the next request of every other
// stack of that subscription until its Retry-After has passed (or the
// fleet keeps hammering), and hold back no stack of another subscription.
func TestPacerSet429PausesTheOtherClients(t *testing.T) {
	const sub2RG = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg"
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	start := clk.Now()
	type seen struct {
		path string
		at   time.Duration // on clk, since start
	}
	var (
		mu   sync.Mutex
		got  []seen
		once sync.Once
	)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.URL.Path, clk.Now().Sub(start)})
		mu.Unlock()
		throttle := false
		once.Do(func() { throttle = true })
		if throttle {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, http.StatusTooManyRequests, `{"error":{"code":"TooManyRequests","message":"throttled"}}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":"`+r.URL.Path+`"}`)
	}))
	defer srv.Close()

	set := NewPacerSet(0)
	client := func() *Client {
		t.Helper()
		return newTestClient(t, srv, func(o *ClientOptions) {
			o.Pacers, o.Principal = set, "sp/tenant/app"
			// No retries: the client that got the 429 would otherwise
			// wait out the Retry-After on the wall clock.
			o.Retry.MaxRetries = -1
		})
	}
	a, b, other := client(), client(), client()
	// The shared pacer sleeps on the fake clock. Only a's is set: if b or
	// other had a pacer of its own it would not wait on clk at all.
	a.pacer.now, a.pacer.sleep = clk.Now, clk.Sleep

	ctx := context.Background()
	if _, err := a.Get(ctx, testRG, "2021-04-01"); err == nil {
		t.Fatal("client a: the server's 429 was not an error")
	}
	if _, err := other.Get(ctx, sub2RG, "2021-04-01"); err != nil {
		t.Fatalf("client of another subscription: %v", err)
	}
	if _, err := b.Get(ctx, testRG, "2021-04-01"); err != nil {
		t.Fatalf("client b: %v", err)
	}

	want := []struct {
		path     string
		min, max time.Duration
	}{
		{testRG, 0, 0}, // a, answered 429 with Retry-After: 7
		{sub2RG, 0, 0}, // another subscription: not paused
		{testRG, 7 * time.Second, 8 * time.Second}, // b: sent once the Retry-After has passed
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("the server saw %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].path != w.path || got[i].at < w.min || got[i].at > w.max {
			t.Errorf("request %d: %s at +%v; want %s between +%v and +%v", i+1, got[i].path, got[i].at, w.path, w.min, w.max)
		}
	}
	if n := set.Throttled(); n != 1 {
		t.Errorf("the set counted %d 429s, want 1", n)
	}
}
