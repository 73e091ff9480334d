package arm

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// PacingOptions tune how the client keeps under ARM's request limits.
//
// ARM throttles with a token bucket per subscription, principal and
// operation kind (reads, writes, deletes) and reports what is left in the
// x-ms-ratelimit-remaining-subscription-* headers. The client mirrors the
// bucket: it learns the tokens left from those headers, refills them at the
// bucket's rate, and makes a request wait when the bucket would be empty,
// so it seldom sees a 429. A 429 that comes anyway pauses every request of
// that kind until its Retry-After has passed, not only the one that got it.
type PacingOptions struct {
	// Disabled turns pacing off: requests are sent as soon as they are made
	// and only the retry policy reacts to 429s.
	Disabled bool
	// ReadsPerSecond, WritesPerSecond and DeletesPerSecond are the refill
	// rates the client assumes at first; 25, 10 and 10 (ARM's documented
	// defaults) when zero. It then learns each bucket's real rate from the
	// rate-limit headers and the 429s (see pacerlearn.go).
	ReadsPerSecond, WritesPerSecond, DeletesPerSecond float64
	// Reserve is how many tokens the client leaves in each bucket for other
	// clients and for the refill rounding of the server; 2 when zero, none
	// when negative.
	Reserve int
}

// opKind is the bucket a request draws from.
type opKind int

const (
	opRead opKind = iota
	opWrite
	opDelete
)

func kindOf(method string) opKind {
	switch method {
	case http.MethodGet, http.MethodHead:
		return opRead
	case http.MethodDelete:
		return opDelete
	}
	return opWrite
}

var remainingHeaders = [...][]string{
	opRead:   {"x-ms-ratelimit-remaining-subscription-reads", "x-ms-ratelimit-remaining-tenant-reads", "x-ms-ratelimit-remaining-subscription-global-reads"},
	opWrite:  {"x-ms-ratelimit-remaining-subscription-writes", "x-ms-ratelimit-remaining-tenant-writes", "x-ms-ratelimit-remaining-subscription-global-writes"},
	opDelete: {"x-ms-ratelimit-remaining-subscription-deletes", "x-ms-ratelimit-remaining-tenant-deletes", "x-ms-ratelimit-remaining-subscription-global-deletes"},
}

// pacer is shared by every request of one Client. It is an azcore policy
// placed after the retry policy, so that every attempt, retries included,
// waits for its turn.
type pacer struct {
	opts  PacingOptions
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	// burst is burstWindow; tests of the token arithmetic set it to 0.
	burst time.Duration

	mu      sync.Mutex
	buckets map[string]*bucket
	// throttled counts the 429s received, for the benchmark and for logs.
	throttled int
}

// bucket is the client's estimate of one of ARM's token buckets.
type bucket struct {
	rate float64
	// turn is held by the one request that waits for a token; the others
	// queue for it, asleep, in order. When every waiter slept until the
	// next token on its own, all of them woke for each token, and all but
	// one went back to sleep: 32 wakeups (and timers) per request under
	// throttling.
	turn chan struct{}
	// known is false until a response has reported the tokens left; until
	// then requests are not held back.
	known  bool
	tokens float64
	at     time.Time
	// inflight counts requests sent and not yet answered: the server may
	// not have counted them in the last header it sent.
	inflight    int
	pausedUntil time.Time
	// urgent counts the requests with priority waiting for a token: the
	// others leave that many tokens to them.
	urgent int
	// sent numbers the requests; heard is the number of the request whose
	// header the estimate last came from. Responses can arrive out of
	// order, and an older request's header would overstate what is left.
	sent, heard uint64
	// answered counts the responses observed. The server may have taken
	// the tokens of requests answered while another was in flight after
	// that one's, so its header does not count them, though they are no
	// longer in flight either.
	answered uint64
	// learn estimates rate from what the server reports (pacerlearn.go).
	learn learner
}

// ticket is one request's place in its bucket.
type ticket struct {
	b   *bucket
	seq uint64
	// answered is the bucket's answered count when the request was sent.
	answered uint64
}

func newPacer(opts PacingOptions) *pacer {
	if opts.ReadsPerSecond <= 0 {
		opts.ReadsPerSecond = 25
	}
	if opts.WritesPerSecond <= 0 {
		opts.WritesPerSecond = 10
	}
	if opts.DeletesPerSecond <= 0 {
		opts.DeletesPerSecond = 10
	}
	if opts.Reserve == 0 {
		opts.Reserve = 2
	} else if opts.Reserve < 0 {
		opts.Reserve = 0
	}
	return &pacer{opts: opts, now: time.Now, sleep: sleepCtx, burst: burstWindow, buckets: map[string]*bucket{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Throttled returns how many 429 responses the pacer has seen.
func (p *pacer) Throttled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

func (p *pacer) rate(k opKind) float64 {
	switch k {
	case opRead:
		return p.opts.ReadsPerSecond
	case opDelete:
		return p.opts.DeletesPerSecond
	}
	return p.opts.WritesPerSecond
}

// bucketFor returns the bucket of a request: ARM's buckets are per
// subscription and operation kind. Callers hold p.mu.
func (p *pacer) bucketFor(req *http.Request) (*bucket, opKind) {
	k := kindOf(req.Method)
	key := strconv.Itoa(int(k)) + "|" + strings.ToLower(subscriptionOf(req.URL.Path))
	b := p.buckets[key]
	if b == nil {
		b = &bucket{rate: p.rate(k), turn: make(chan struct{}, 1), learn: learner{configured: p.rate(k)}}
		p.buckets[key] = b
	}
	return b, k
}

func subscriptionOf(path string) string {
	segs := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") {
		return segs[1]
	}
	return ""
}

// refill brings the estimate up to now. Callers hold p.mu.
func (b *bucket) refill(now time.Time) {
	if !b.known {
		return
	}
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens += dt * b.rate
	}
	b.at = now
}

// priorityKey marks a context whose requests go before the others when the
// bucket is short.
type priorityKey struct{}

// WithPriority returns a context whose requests (and the polls of their
// long-running operations) take the pacer's tokens before requests without
// it. Apply gives it to the writes on a chain that ARM runs one at a time,
// such as the subnets of one virtual network, whose every poll delayed
// behind unrelated reads delays the whole chain.
func WithPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, priorityKey{}, true)
}

// HasPriority reports whether ctx was made by WithPriority.
func HasPriority(ctx context.Context) bool {
	v, _ := ctx.Value(priorityKey{}).(bool)
	return v
}

// burstWindow is how much refill a request without priority that finds
// the bucket short sleeps for: the tokens of burstWindow at the bucket's
// rate (10 reads, 4 writes), not the one it needs, once that rate was
// measured (pacerlearn.go): a burst on a rate only assumed would meet as
// many 429s as it holds requests when the bucket is slower. It wakes once, with
// tokens for the requests queued behind it, which then go at once. A
// process waiting on a throttled bucket is thus woken a few times a second
// for a few requests each time, not once per token (25 times a second for
// reads, each waking the threads, the pollers and the connections); the
// requests per second stay the bucket's rate.
const burstWindow = 400 * time.Millisecond

// wait blocks until the request may be sent, and takes its token.
//
// Requests without priority queue for their turn: one at a time waits for
// a token, so that a token freed wakes one request, not all of them. A
// request with priority skips that queue and waits on its own (there are
// few: one per chain of writes ARM serializes), and the request whose turn
// it is leaves one token for each of them. A request that finds the bucket
// short sleeps once, until the tokens for it and a burst behind it are
// due (burstWindow); priority requests sleep until their own token only.
func (p *pacer) wait(ctx context.Context, req *http.Request) (ticket, error) {
	urgent := HasPriority(ctx)
	p.mu.Lock()
	b, _ := p.bucketFor(req)
	if urgent {
		b.urgent++
	}
	p.mu.Unlock()
	if urgent {
		defer func() {
			p.mu.Lock()
			b.urgent--
			p.mu.Unlock()
		}()
	} else {
		select {
		case b.turn <- struct{}{}:
		case <-ctx.Done():
			return ticket{}, ctx.Err()
		}
		defer func() { <-b.turn }()
	}
	for {
		p.mu.Lock()
		now := p.now()
		b.refill(now)
		need := 1 + float64(p.opts.Reserve)
		// batch is how many tokens more than it needs a request without
		// priority sleeps for (see burstWindow).
		batch := 0.0
		if !urgent {
			need += float64(b.urgent)
			if b.learn.measured() {
				batch = math.Max(0, math.Floor(b.rate*p.burst.Seconds())-1)
			}
		}
		var d time.Duration
		if now.Before(b.pausedUntil) {
			d = b.pausedUntil.Sub(now)
		} else if b.known && b.tokens < need {
			d = time.Duration(math.Ceil((need + batch - b.tokens) / b.rate * float64(time.Second)))
			if batch > 0 {
				d = alignWake(now, d)
			}
		}
		if d <= 0 {
			if b.known {
				b.tokens--
			}
			b.inflight++
			b.sent++
			t := ticket{b: b, seq: b.sent, answered: b.answered}
			p.mu.Unlock()
			return t, nil
		}
		p.mu.Unlock()
		if err := p.sleep(ctx, d); err != nil {
			return ticket{}, err
		}
	}
}

// observe learns from a response (or a failed attempt, resp nil).
func (p *pacer) observe(t ticket, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := t.b
	b.inflight--
	if resp == nil {
		return
	}
	now := p.now()
	k := kindOf(resp.Request.Method)
	// Answered while this one was in flight: the server may have taken
	// them after it (answers and arrivals both come out of order).
	overtaken := int(b.answered - t.answered)
	b.answered++
	if left, ok := remaining(resp.Header, k); ok && t.seq > b.heard {
		// The server counted this request; the others in flight it may
		// not have, nor those answered meanwhile, so take them off to stay
		// on the safe side.
		// It may also report more than we estimated (another client
		// stopped, or the bucket refills faster): believe it either way.
		b.refill(now)
		b.rate = b.learn.heard(b.rate, now, left, t.seq)
		b.tokens = float64(left - b.inflight - overtaken)
		b.known, b.at, b.heard = true, now, t.seq
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		p.throttled++
		b.rate = b.learn.throttled(b.rate, now, preciseRetryAfter(resp))
		d := retryAfter(resp)
		if d <= 0 {
			d = time.Second
		}
		if until := now.Add(d); until.After(b.pausedUntil) {
			b.pausedUntil = until
		}
		b.refill(now)
		b.known, b.tokens, b.at = true, 0, now
	}
}

// remaining reads the smallest of the rate-limit headers of kind k.
func remaining(h http.Header, k opKind) (int, bool) {
	best, found := 0, false
	for _, name := range remainingHeaders[k] {
		v := h.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		if !found || n < best {
			best, found = n, true
		}
	}
	return best, found
}

// Do makes pacer an azcore policy.
func (p *pacer) Do(req *policy.Request) (*http.Response, error) {
	b, err := p.wait(req.Raw().Context(), req.Raw())
	if err != nil {
		return nil, err
	}
	resp, err := req.Next()
	p.observe(b, resp)
	return resp, err
}

// preciseRetryAfter reads retry-after-ms or x-ms-retry-after-ms: a wait
// in milliseconds, precise enough to learn a refill rate from. Zero when
// the server gave only whole seconds.
func preciseRetryAfter(resp *http.Response) time.Duration {
	for _, h := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, err := strconv.Atoi(resp.Header.Get(h)); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 0
}

// retryAfter reads how long the server asks the client to wait:
// retry-after-ms, x-ms-retry-after-ms, then Retry-After in seconds or as an
// HTTP date. Zero when absent or unreadable.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	for _, h := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, err := strconv.Atoi(resp.Header.Get(h)); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
