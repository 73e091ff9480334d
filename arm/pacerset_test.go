package arm

import (
	"context"
	"net/http"
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
