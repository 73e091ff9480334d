package emulator

import (
	"net/http"
	"testing"
	"time"
)

func TestThrottleTokenBuckets(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Throttle: DefaultThrottle()})
	c.createRG() // one write
	for i := 1; i <= 250; i++ {
		r := c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusOK)
		if got, want := r.header.Get("x-ms-ratelimit-remaining-subscription-reads"), itoa(250-i); got != want {
			t.Fatalf("read %d: remaining reads %q, want %s", i, got, want)
		}
	}
	r := c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusTooManyRequests)
	if r.errorCode() != "TooManyRequests" || r.header.Get("Retry-After") != "1" || r.header.Get("retry-after-ms") != "40" {
		t.Fatalf("429: code %q Retry-After %q retry-after-ms %q; want TooManyRequests, 1, 40 (one token at 25/s)",
			r.errorCode(), r.header.Get("Retry-After"), r.header.Get("retry-after-ms"))
	}
	// Writes have their own bucket, and other subscriptions their own.
	c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"}).must(t, http.StatusOK)
	other := "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/x?api-version=2021-04-01"
	c.do("GET", other, nil).must(t, http.StatusNotFound)

	clock.advance(time.Second) // 25 tokens back
	for i := 0; i < 25; i++ {
		c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusOK)
	}
	c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusTooManyRequests)
}

func TestThrottleWritesAndDeletes(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Throttle: &Throttle{ReadBurst: 100, ReadRate: 1, WriteBurst: 3, WriteRate: 1, DeleteBurst: 1, DeleteRate: 0.5}})
	for i := 0; i < 3; i++ {
		r := c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"})
		if got := r.header.Get("x-ms-ratelimit-remaining-subscription-writes"); got != itoa(2-i) {
			t.Fatalf("write %d: remaining writes %q", i+1, got)
		}
	}
	r := c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "westus"}).must(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	c.do("DELETE", acrID, nil).must(t, http.StatusNoContent)
	r = c.do("DELETE", acrID, nil).must(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "2" || r.header.Get("x-ms-ratelimit-remaining-subscription-deletes") != "0" {
		t.Errorf("delete 429: Retry-After %q remaining %q; want 2 and 0", r.header.Get("Retry-After"), r.header.Get("x-ms-ratelimit-remaining-subscription-deletes"))
	}
}

func TestThrottleOffByDefault(t *testing.T) {
	c := newClient(t, Options{})
	for i := 0; i < 300; i++ {
		r := c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusNotFound)
		if r.header.Get("x-ms-ratelimit-remaining-subscription-reads") != "" {
			t.Fatal("rate-limit headers sent with throttling off")
		}
	}
}

func TestIntegerRetryAfterOnly(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, IntegerRetryAfter: true, Throttle: &Throttle{ReadBurst: 1, ReadRate: 0.1}})
	c.do("GET", rgID, nil)
	r := c.do("GET", rgID, nil).must(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "10" || r.header.Get("retry-after-ms") != "" {
		t.Fatalf("Retry-After %q retry-after-ms %q; want 10 and none", r.header.Get("Retry-After"), r.header.Get("retry-after-ms"))
	}
}

func TestIntegerRetryAfterOnFaults(t *testing.T) {
	c := newClient(t, Options{IntegerRetryAfter: true, RetryAfter: 20 * time.Millisecond, Faults: Faults{ErrorRate: 1}})
	r := c.do("GET", rgID, nil)
	if r.status < 500 || r.header.Get("Retry-After") != "1" || r.header.Get("retry-after-ms") != "" {
		t.Fatalf("%d Retry-After %q retry-after-ms %q; want 5xx, 1 and none", r.status, r.header.Get("Retry-After"), r.header.Get("retry-after-ms"))
	}
}
