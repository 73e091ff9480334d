package emulator

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

func TestFaultsServerErrors(t *testing.T) {
	c := newClient(t, Options{Faults: Faults{ErrorRate: 1}, RetryAfter: 20 * time.Millisecond})
	r := c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"})
	if r.status != 500 && r.status != 503 {
		t.Fatalf("status %d, want 500 or 503", r.status)
	}
	if r.header.Get("Retry-After") != "1" || r.header.Get("retry-after-ms") != "20" || r.errorCode() == "" {
		t.Fatalf("Retry-After %q retry-after-ms %q error %q", r.header.Get("Retry-After"), r.header.Get("retry-after-ms"), r.raw)
	}
	if len(c.srv.IDs()) != 0 {
		t.Fatal("a request answered with an injected 5xx took effect")
	}
}

// statuses sends n GETs and returns their statuses.
func statuses(c *client, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = c.do("GET", rgID, nil).status
	}
	return out
}

func TestFaultsAreSeededAndProportionate(t *testing.T) {
	opts := Options{Faults: Faults{Seed: 42, ErrorRate: 0.3}}
	a := statuses(newClient(t, opts), 400)
	b := statuses(newClient(t, opts), 400)
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %d then %d with the same seed", i, a[i], b[i])
		}
		if a[i] >= 500 {
			failed++
		}
	}
	if failed < 80 || failed > 160 {
		t.Fatalf("%d of 400 requests failed at a rate of 0.3", failed)
	}
	opts.Faults.Seed = 7
	if c := statuses(newClient(t, opts), 400); equalInts(a, c) {
		t.Fatal("another seed gave the same failures")
	}
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestDroppedConnectionInProcess(t *testing.T) {
	c := newClient(t, Options{Faults: Faults{DropRate: 1}})
	_, err := c.try("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"})
	if !errors.Is(err, ErrConnectionDropped) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v, want one wrapping ErrConnectionDropped and io.ErrUnexpectedEOF", err)
	}
	if _, ok := c.srv.Resource(rgID); !ok {
		t.Fatal("the dropped PUT did not take effect: a drop is mid-response, after the write")
	}
	if cn := c.srv.Counters(); cn.Dropped != 1 {
		t.Fatalf("counters %+v, want one dropped", cn)
	}
}

func TestDroppedConnectionOverTheNetwork(t *testing.T) {
	srv := New(Options{Faults: Faults{DropRate: 1}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	req, _ := http.NewRequest("PUT", ts.URL+rgID+"?api-version=2021-04-01", strings.NewReader(`{"location":"westus"}`))
	req.Header.Set("Authorization", "Bearer x")
	resp, err := ts.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("the response arrived whole: the connection was not dropped")
	}
}

func TestLatencyHonoursTheClientsContext(t *testing.T) {
	c := newClient(t, Options{Faults: Faults{Latency: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", testBase+rgID+"?api-version=2021-04-01", nil)
	req.Header.Set("Authorization", "Bearer x")
	if _, err := c.hc.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline: the latency must hold the answer back", err)
	}
}

func TestRequestLogAndCounters(t *testing.T) {
	c := newClient(t, Options{Faults: Faults{Latency: 30 * time.Millisecond}})
	c.createRG()
	c.do("GET", acrID, nil).must(t, 404)
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = c.try("GET", rgID+"?api-version=2021-04-01", nil)
		}()
	}
	wg.Wait()
	log := c.srv.RequestLog()
	if len(log) != 8 || log[0].Method != "PUT" || log[0].Status != 201 || log[0].Path != rgID || log[1].Status != 404 ||
		log[0].Time.IsZero() || log[0].Duration <= 0 {
		t.Fatalf("log %+v", log[:2])
	}
	cn := c.srv.Counters()
	if cn.Total != 8 || cn.ByMethod["GET"] != 7 || cn.ByStatus[200] != 6 || cn.ByMethodStatus["PUT 201"] != 1 || cn.ByMethodStatus["GET 404"] != 1 {
		t.Fatalf("counters %+v", cn)
	}
	if cn.Peak < 2 || cn.Peak > 6 || cn.InFlight != 0 {
		t.Fatalf("peak %d in flight %d: six concurrent 30 ms requests should overlap", cn.Peak, cn.InFlight)
	}
	if got := c.srv.Requests(); got["GET"] != 7 || got["PUT"] != 1 {
		t.Fatalf("Requests() = %v", got)
	}
	c.srv.ResetObservations()
	if len(c.srv.RequestLog()) != 0 || c.srv.Counters().Total != 0 {
		t.Fatal("ResetObservations kept something")
	}
}

// TestAzcoreRetriesDroppedConnections shows a dropped connection reaches
// azcore as a transport error it retries.
func TestAzcoreRetriesDroppedConnections(t *testing.T) {
	srv := New(Options{Faults: Faults{Seed: 3, DropRate: 0.5, ErrorRate: 0.2}, RetryAfter: time.Millisecond})
	pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{PerRetry: []policy.Policy{bearer{}}},
		&policy.ClientOptions{Transport: &http.Client{Transport: srv.Transport()},
			Retry: policy.RetryOptions{MaxRetries: 20, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Millisecond}})
	for i := 0; i < 10; i++ {
		req, err := runtime.NewRequest(context.Background(), "PUT", testBase+rgID+"?api-version=2021-04-01")
		if err != nil {
			t.Fatal(err)
		}
		if err := runtime.MarshalAsJSON(req, map[string]any{"location": "westus"}); err != nil {
			t.Fatal(err)
		}
		resp, err := pl.Do(req)
		if err != nil {
			t.Fatalf("PUT %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 201 {
			t.Fatalf("PUT %d: %d", i, resp.StatusCode)
		}
	}
	if cn := srv.Counters(); cn.Dropped == 0 || cn.ByStatus[500]+cn.ByStatus[503] == 0 {
		t.Fatalf("no faults were injected: %+v", cn)
	}
}

func TestLoggerRecordsRequestsWithoutSecrets(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, Options{Logger: logger})
	c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus", "tags": map[string]any{"pw": "hunter2"}}, "Authorization: Bearer secret-token")
	out := buf.String()
	if !strings.Contains(out, "method=PUT") || !strings.Contains(out, "status=201") || !strings.Contains(out, "path="+rgID) {
		t.Fatalf("log: %s", out)
	}
	if strings.Contains(out, "secret-token") || strings.Contains(out, "hunter2") {
		t.Fatalf("the log holds a secret: %s", out)
	}
}

func TestFaultsLimitedToTypesAndMethods(t *testing.T) {
	c := newClient(t, Options{Faults: Faults{ErrorRate: 1, Types: []string{"Microsoft.ContainerRegistry/registries"}, Methods: []string{"PUT"}}})
	c.createRG() // another type: no fault
	if r := c.do("PUT", acrID, acrBody()); r.status < 500 {
		t.Fatalf("a registry PUT was not faulted: %d", r.status)
	}
	c.do("GET", acrID, nil).must(t, http.StatusNotFound) // another method
	c.do("PUT", rgID+"/providers/Microsoft.Network/virtualNetworks/v", map[string]any{"location": "westus"}).must(t, 201)
	c2 := newClient(t, Options{Faults: Faults{ErrorRate: 1, Types: []string{"Microsoft.Network/"}}})
	c2.createRG()
	if r := c2.do("GET", rgID+"/providers/Microsoft.Network/virtualNetworks/v", nil); r.status < 500 {
		t.Fatalf("a namespace-wide fault missed: %d", r.status)
	}
}
