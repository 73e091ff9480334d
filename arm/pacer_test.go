package arm

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock drives a pacer without sleeping: sleep advances the clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	asleep time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.asleep += d
	c.now = c.now.Add(d)
	return nil
}

func newFakePacer(opts PacingOptions) (*pacer, *fakeClock) {
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPacer(opts)
	p.now, p.sleep = clk.Now, clk.Sleep
	return p, clk
}

func req(method string) *http.Request {
	return httptest.NewRequest(method, "https://management.azure.com"+testRG+"?api-version=1", nil)
}

func resp(r *http.Request, status int, headers ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Request: r}
}

func TestPacerKeepsUnderRemainingReads(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	p.burst = 0 // the token arithmetic alone, one request at a time
	r := req("GET")
	b, _ := p.wait(context.Background(), r)
	p.observe(b, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "5"))
	// 5 left, 2 kept in reserve: three go at once, the fourth waits for
	// one token at 25 a second.
	for i := range 4 {
		b, err := p.wait(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		p.observe(b, nil)
		if i < 3 && clk.asleep != 0 {
			t.Fatalf("request %d waited %v", i, clk.asleep)
		}
	}
	if clk.asleep != 40*time.Millisecond {
		t.Errorf("waited %v, want 40ms (one token at 25/s)", clk.asleep)
	}
	// Writes draw from their own bucket, which is not known yet.
	clk.asleep = 0
	w := req("PUT")
	b, _ = p.wait(context.Background(), w)
	p.observe(b, resp(w, 200, "x-ms-ratelimit-remaining-subscription-writes", "1"))
	if clk.asleep != 0 {
		t.Errorf("a write waited %v for the reads bucket", clk.asleep)
	}
	b, _ = p.wait(context.Background(), w)
	p.observe(b, nil)
	if clk.asleep != 200*time.Millisecond {
		t.Errorf("a write with 1 left waited %v, want 200ms (two tokens at 10/s)", clk.asleep)
	}
}

func TestPacer429PausesEveryWorker(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	r := req("GET")
	b, _ := p.wait(context.Background(), r)
	p.observe(b, resp(r, 429, "Retry-After", "7"))
	if p.Throttled() != 1 {
		t.Errorf("Throttled() = %d", p.Throttled())
	}
	// Another worker, which never saw the 429, waits out the Retry-After.
	other := httptest.NewRequest("GET", "https://management.azure.com"+testRG+"/providers/Microsoft.Web/sites/x?api-version=1", nil)
	if _, err := p.wait(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if clk.asleep < 7*time.Second {
		t.Errorf("the other worker waited %v, want at least the 7s Retry-After", clk.asleep)
	}
	// A different subscription has its own bucket.
	clk.asleep = 0
	p.observe(b, resp(r, 429, "Retry-After", "7"))
	elsewhere := httptest.NewRequest("GET", "https://management.azure.com/subscriptions/other/resourceGroups/x?api-version=1", nil)
	if _, err := p.wait(context.Background(), elsewhere); err != nil || clk.asleep != 0 {
		t.Errorf("another subscription waited %v (%v)", clk.asleep, err)
	}
}

func TestPacerWaitEndsWithContext(t *testing.T) {
	p := newPacer(PacingOptions{})
	r := req("GET")
	b, _ := p.wait(context.Background(), r)
	p.observe(b, resp(r, 429, "Retry-After", "600"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := p.wait(ctx, r); err == nil {
		t.Fatal("wait outlived its context")
	}
}

// bucketServer is ARM's read throttling in small: a token bucket of cap
// tokens refilled at rate a second, reporting what is left.
type bucketServer struct {
	mu        sync.Mutex
	cap, rate float64
	tokens    float64
	at        time.Time
	throttled atomic.Int32
	served    atomic.Int32
}

func (s *bucketServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := time.Now()
	if s.at.IsZero() {
		s.tokens, s.at = s.cap, now
	}
	s.tokens = min(s.cap, s.tokens+now.Sub(s.at).Seconds()*s.rate)
	s.at = now
	if s.tokens < 1 {
		s.mu.Unlock()
		s.throttled.Add(1)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, 429, `{"error":{"code":"TooManyRequests","message":"throttled"}}`)
		return
	}
	s.tokens--
	left := int(s.tokens)
	s.mu.Unlock()
	s.served.Add(1)
	w.Header().Set("x-ms-ratelimit-remaining-subscription-reads", strconv.Itoa(left))
	writeJSON(w, 200, `{}`)
}

// TestThrottlingStorm sends 20 workers' worth of GETs at a small bucket:
// every request must succeed, and pacing must keep the 429s to a handful.
func TestThrottlingStorm(t *testing.T) {
	srv := &bucketServer{cap: 20, rate: 200}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	c := newTestClient(t, ts, func(o *ClientOptions) { o.Pacing.ReadsPerSecond = 200 })
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := c.Get(context.Background(), testRG, "2021-04-01"); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 || srv.served.Load() != 200 {
		t.Fatalf("%d failed, %d served", failed.Load(), srv.served.Load())
	}
	// Without pacing, 200 requests at a bucket of 20 drew 88 429s (and
	// took six seconds); with it, only the first burst (before any header has
	// been read) can overrun the bucket.
	if got := srv.throttled.Load(); got > 20 {
		t.Errorf("%d requests were throttled, want at most 20", got)
	}
	t.Logf("429s: %d", srv.throttled.Load())
}

func TestPacerIgnoresStaleHeaders(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	p.burst = 0 // the token arithmetic alone, one request at a time
	r := req("GET")
	first, _ := p.wait(context.Background(), r)
	second, _ := p.wait(context.Background(), r)
	// The second answer comes first; the first, older one says more is
	// left than the server has now.
	p.observe(second, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "3"))
	p.observe(first, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "4"))
	// 3 left less the first, then in flight: 2, at the reserve of 2.
	tk, _ := p.wait(context.Background(), r)
	p.observe(tk, nil)
	if clk.asleep != 40*time.Millisecond {
		t.Errorf("waited %v, want 40ms: the stale header was believed", clk.asleep)
	}
}

// TestPacerCountsAnswersOvertaken: the server took b before a, so b's
// header (4 left) does not count a, whose answer (3 left) came first; a is
// no longer in flight when b's answer comes, yet 3 are left, not 4.
func TestPacerCountsAnswersOvertaken(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	p.burst = 0 // the token arithmetic alone, one request at a time
	r := req("GET")
	a, _ := p.wait(context.Background(), r)
	b, _ := p.wait(context.Background(), r)
	p.observe(a, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "3"))
	p.observe(b, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "4"))
	// 3 left and 2 in reserve: one goes at once, the next waits 40 ms.
	for range 2 {
		tk, _ := p.wait(context.Background(), r)
		p.observe(tk, nil)
	}
	if clk.asleep != 40*time.Millisecond {
		t.Errorf("waited %v, want 40ms: the overtaken answer was counted as a token left", clk.asleep)
	}
}

// TestPacerLeavesTokensToPriority: while a request with priority waits for a
// token, the others leave it one; it goes before them.
func TestPacerLeavesTokensToPriority(t *testing.T) {
	tests := []struct {
		name   string
		urgent int  // requests with priority already waiting
		prio   bool // whether the requests measured have priority
		// free is how many go at once from 5 left (2 in reserve).
		free int
	}{
		{"none waiting", 0, false, 3},
		{"one waiting", 1, false, 2},
		{"two waiting", 2, false, 1},
		{"a request with priority is not held back by another", 2, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := newFakePacer(PacingOptions{})
			r := req("GET")
			first, _ := p.wait(context.Background(), r)
			p.observe(first, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "5"))
			b, _ := p.bucketFor(r)
			b.urgent = tt.urgent
			ctx := context.Background()
			if tt.prio {
				ctx = WithPriority(ctx)
			}
			for i := range tt.free + 1 {
				tk, err := p.wait(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				p.observe(tk, nil)
				if i < tt.free && clk.asleep != 0 {
					t.Fatalf("request %d waited %v, want %d to go at once", i, clk.asleep, tt.free)
				}
			}
			if clk.asleep == 0 {
				t.Errorf("request %d went at once, want only %d to", tt.free+1, tt.free)
			}
			if b.urgent != tt.urgent {
				t.Errorf("urgent = %d after the requests, want %d back", b.urgent, tt.urgent)
			}
		})
	}
}

// TestPacerPriorityGoesFirst: a request with priority that starts waiting
// after others gets the next token before them.
func TestPacerPriorityGoesFirst(t *testing.T) {
	p := newPacer(PacingOptions{ReadsPerSecond: 20, Reserve: -1})
	r := req("GET")
	first, _ := p.wait(context.Background(), r)
	p.observe(first, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "0"))

	order := make(chan string, 4)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := p.wait(context.Background(), r)
			if err == nil {
				p.observe(tk, nil)
				order <- fmt.Sprint("plain", i)
			}
		}()
	}
	time.Sleep(10 * time.Millisecond) // they wait for the next token (50ms)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk, err := p.wait(WithPriority(context.Background()), r)
		if err == nil {
			p.observe(tk, nil)
			order <- "priority"
		}
	}()
	wg.Wait()
	close(order)
	if got := <-order; got != "priority" {
		t.Errorf("the first to go was %s, want the request with priority", got)
	}
}

// TestPacerWaitersQueue checks that requests waiting for tokens queue
// behind one another: each sleeps about once, instead of all of them
// waking at every token and all but one sleeping again.
func TestPacerWaitersQueue(t *testing.T) {
	const waiters = 16
	p := newPacer(PacingOptions{ReadsPerSecond: 1000, Reserve: -1})
	var sleeps atomic.Int32
	p.sleep = func(ctx context.Context, d time.Duration) error {
		sleeps.Add(1)
		return sleepCtx(ctx, d)
	}
	r := req("GET")
	b, _ := p.wait(context.Background(), r)
	p.observe(b, resp(r, 200, "x-ms-ratelimit-remaining-subscription-reads", "0"))
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := p.wait(context.Background(), r)
			if err != nil {
				t.Error(err)
				return
			}
			p.observe(b, nil)
		}()
	}
	wg.Wait()
	// Without the queue, the i-th waiter slept about i times (136 here).
	if n := sleeps.Load(); n > 2*waiters {
		t.Errorf("%d waiters slept %d times, want about one each", waiters, n)
	}
}

// TestPacerSleepsOncePerBurst: requests queued on a short bucket whose
// rate was measured are woken once per burst of tokens, not once per
// token (one at a time while the rate is only assumed), and the burst never takes
// the tokens the reserve keeps: 40 reads on an empty bucket at 25 a second
// sleep 4 times (10 reads a wake, burstWindow's worth), and the rate is the
// bucket's.
func TestPacerSleepsOncePerBurst(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	var sleeps []time.Duration
	p.sleep = func(ctx context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return clk.Sleep(ctx, d)
	}
	r := req(http.MethodGet)
	tk, _ := p.wait(context.Background(), r)
	// 2 left: the reserve, nothing to take.
	p.observe(tk, resp(r, http.StatusOK, "x-ms-ratelimit-remaining-subscription-reads", "2"))
	start := clk.Now()
	b, _ := p.bucketFor(r)
	b.learn.samples = 1 // a rate the headers measured: 25 a second
	for i := range 40 {
		tk, err := p.wait(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if b.tokens < float64(p.opts.Reserve)-1e-9 {
			t.Fatalf("read %d left %.2f tokens, below the reserve of %d", i, b.tokens, p.opts.Reserve)
		}
		p.observe(tk, nil)
	}
	if len(sleeps) != 4 {
		t.Errorf("40 reads slept %d times (%v), want 4: one per burst of 10", len(sleeps), sleeps)
	}
	if took := clk.Now().Sub(start); took != 1600*time.Millisecond {
		t.Errorf("40 reads took %v, want 1.6s: 25 a second", took)
	}
	// The same on a rate only assumed: a token at a time.
	b.learn.samples = 0
	sleeps = nil
	for range 10 {
		tk, err := p.wait(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		p.observe(tk, nil)
	}
	if len(sleeps) != 10 {
		t.Errorf("10 reads on an assumed rate slept %d times, want one per token", len(sleeps))
	}
}
