package emulator

import (
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// throttler holds ARM's token buckets, one per subscription and kind of
// request (reads, writes, deletes).
type throttler struct {
	cfg     Throttle
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newThrottler(cfg Throttle, now func() time.Time) *throttler {
	return &throttler{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// requestKind is the bucket a method draws from, as ARM names it in the
// x-ms-ratelimit-remaining-subscription-* headers.
func requestKind(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "reads"
	case http.MethodDelete:
		return "deletes"
	}
	return "writes"
}

func (t *throttler) limits(kind string) (burst, rate float64) {
	switch kind {
	case "reads":
		return t.cfg.ReadBurst, t.cfg.ReadRate
	case "deletes":
		return t.cfg.DeleteBurst, t.cfg.DeleteRate
	}
	return t.cfg.WriteBurst, t.cfg.WriteRate
}

// take draws a token. It returns the tokens left (rounded down) and, when
// none was left, how long until one is.
func (t *throttler) take(subscription, kind string) (remaining int, wait time.Duration) {
	burst, rate := t.limits(kind)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	k := strings.ToLower(subscription) + "|" + kind
	b := t.buckets[k]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		t.buckets[k] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(burst, b.tokens+el*rate)
	}
	b.last = now
	if b.tokens < 1 {
		if rate <= 0 {
			return 0, time.Hour
		}
		return 0, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return int(b.tokens), 0
}

// throttle applies the buckets to r: it sets the remaining-requests header
// and, when the bucket is empty, answers 429 and reports false.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request) bool {
	if s.thr == nil {
		return true
	}
	kind := requestKind(r.Method)
	remaining, wait := s.thr.take(subscriptionOf(r.URL.Path), kind)
	w.Header().Set("x-ms-ratelimit-remaining-subscription-"+kind, itoa(remaining))
	if wait == 0 {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", itoa(secs))
	if !s.opts.IntegerRetryAfter {
		ms := wait.Milliseconds()
		if ms < 1 {
			ms = 1
		}
		w.Header().Set("retry-after-ms", itoa(int(ms)))
	}
	writeError(w, http.StatusTooManyRequests, "TooManyRequests",
		"The request is being throttled as the limit has been reached for operation type - "+kind+". Please retry after "+itoa(secs)+" seconds.")
	return false
}

// subscriptionOf is the subscription a path names, or "" for tenant paths.
func subscriptionOf(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") {
		return segs[1]
	}
	return ""
}
