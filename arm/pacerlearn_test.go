package arm

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// simBucket is ARM's token bucket on the fake clock.
type simBucket struct {
	burst, rate float64
	tokens      float64
	last        time.Time
}

// take answers one request at now: the tokens left, or a 429 with the
// wait until a token is back.
func (b *simBucket) take(now time.Time) (left int, wait time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, now
	}
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return 0, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	}
	b.tokens--
	return int(b.tokens), 0
}

// runSim sends n reads one after another through the pacer to a bucket
// of that rate and burst, each taking work on the clock, and counts the
// 429s. precise sends retry-after-ms as well as Retry-After.
func runSim(t *testing.T, p *pacer, clk *fakeClock, b *simBucket, n int, work time.Duration, precise bool) (throttled int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; {
		r := req(http.MethodGet)
		tk, err := p.wait(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		_ = clk.Sleep(ctx, work)
		left, wait := b.take(clk.Now())
		headers := []string{"x-ms-ratelimit-remaining-subscription-reads", strconv.Itoa(left)}
		status := http.StatusOK
		if wait > 0 {
			status = http.StatusTooManyRequests
			throttled++
			headers = append(headers, "Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			if precise {
				headers = append(headers, "retry-after-ms", strconv.Itoa(max(1, int(wait.Milliseconds()))))
			}
		} else {
			i++
		}
		p.observe(tk, resp(r, status, headers...))
	}
	return throttled
}

func (p *pacer) readRate() float64 {
	b, _ := p.bucketFor(req(http.MethodGet))
	return b.rate
}

// TestPacerLearnsTheRefillRate: a read bucket that refills at 5 a second,
// not the 25 assumed: the estimate converges on 5, and after the first
// lesson the reads meet (almost) no 429.
func TestPacerLearnsTheRefillRate(t *testing.T) {
	for _, precise := range []bool{true, false} {
		t.Run("precise="+strconv.FormatBool(precise), func(t *testing.T) {
			p, clk := newFakePacer(PacingOptions{})
			b := &simBucket{burst: 20, rate: 5}
			first := runSim(t, p, clk, b, 200, 10*time.Millisecond, precise)
			if rate := p.readRate(); rate < 3.5 || rate > 6.5 {
				t.Errorf("learned %.2f reads a second, want about 5", rate)
			}
			second := runSim(t, p, clk, b, 200, 10*time.Millisecond, precise)
			t.Logf("429s: %d in the first 200 reads, %d in the next 200; rate %.2f", first, second, p.readRate())
			if first > 10 {
				t.Errorf("%d 429s while learning, want at most 10", first)
			}
			if second > 2 {
				t.Errorf("%d 429s once learned, want at most 2", second)
			}
		})
	}
}

// TestPacerLearnsAFasterBucketBack: after a slow spell (someone else's
// traffic) the bucket refills at its full rate again; the estimate comes
// back up from the headers, so the client does not stay slow.
func TestPacerLearnsAFasterBucketBack(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	b := &simBucket{burst: 20, rate: 4}
	runSim(t, p, clk, b, 100, 10*time.Millisecond, true)
	slow := p.readRate()
	b.rate = 25
	runSim(t, p, clk, b, 400, 10*time.Millisecond, true)
	if fast := p.readRate(); fast < 15 {
		t.Errorf("rate %.2f after the bucket sped up to 25 (it was %.2f), want it back near 25", fast, slow)
	}
}

func TestLearnerSamples(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// reports are (seconds after t0, left, seq).
		reports [][3]float64
		want    float64
	}{
		{"one report teaches nothing", [][3]float64{{0, 100, 1}}, 25},
		{"too close together", [][3]float64{{0, 100, 1}, {0.5, 90, 11}}, 25},
		// 20 requests counted, 10 fewer left, over 2 s: 5 a second;
		// averaged with 25.
		{"a sample", [][3]float64{{0, 200, 1}, {1.5, 100, 2}, {3.5, 90, 22}}, 15},
		{"a full bucket is no sample", [][3]float64{{0, 100, 1}, {2, 100, 3}}, 25},
		// 40 sent, 1 fewer left, over 1.1 s, the bucket full: at least
		// 35 a second if ARM counted them all; it may not have, so one
		// such sample does not lift the estimate above the configured 25.
		{"a full bucket never lifts the estimate above the configured rate", [][3]float64{{0, 249, 1}, {1.1, 248, 41}}, 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := learner{configured: 25}
			rate := 25.0
			for _, r := range tt.reports {
				rate = l.heard(rate, t0.Add(time.Duration(r[0]*float64(time.Second))), int(r[1]), uint64(r[2]))
			}
			if math.Abs(rate-tt.want) > 0.01 {
				t.Errorf("rate %.2f, want %.2f", rate, tt.want)
			}
		})
	}
}

func TestLearnerThrottled(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := learner{configured: 25}
	rate := l.throttled(25, t0, 0)
	if rate != 25*throttleDecrease {
		t.Errorf("after a 429 the rate is %.2f, want %.2f", rate, 25*throttleDecrease)
	}
	if again := l.throttled(rate, t0.Add(100*time.Millisecond), 0); again != rate {
		t.Errorf("a second 429 in the same second lowered the rate again: %.2f", again)
	}
	// A precise Retry-After of 250ms: at most 4 tokens a second.
	if got := l.throttled(rate, t0.Add(2*time.Second), 250*time.Millisecond); got != 4 {
		t.Errorf("rate %.2f after a 250ms Retry-After, want 4", got)
	}
	if got := l.throttled(0.05, t0.Add(5*time.Second), 0); got != minLearnedRate {
		t.Errorf("rate %.2f, want the floor %.2f", got, minLearnedRate)
	}
}

// TestLearnerRecoversFromOne429: a single 429 lowers the estimate; when the
// bucket then stays (nearly) full, no sample can measure the rate, and the
// estimate goes back to the configured rate instead of staying low.
func TestLearnerRecoversFromOne429(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// left is what each report, a second apart, says is left.
		left []int
		want float64
	}{
		{"full after the 429", []int{249, 248, 249, 248, 249, 249, 248, 249, 249, 249}, 25},
		// The drain's samples say 10 a second (50 fewer left, 60
		// counted): the average of those is kept, not undone.
		{"a drain measured 10 a second is kept", []int{249, 200, 150, 100, 50}, 11.48},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := learner{configured: 25}
			rate := l.heard(25, t0, 249, 1)
			rate = l.throttled(rate, t0.Add(500*time.Millisecond), 0)
			if rate >= 25 {
				t.Fatalf("a 429 left the estimate at %.2f", rate)
			}
			seq := uint64(1)
			for i, left := range tt.left {
				// 5 requests a second, answered; in the drain, 60.
				n := uint64(5)
				if left < 240 {
					n = 60
				}
				seq += n
				rate = l.heard(rate, t0.Add(time.Duration(i+1)*time.Second), left, seq)
			}
			if math.Abs(rate-tt.want) > 0.05 {
				t.Errorf("estimate %.2f after the reports; want %.2f", rate, tt.want)
			}
		})
	}
}

// TestPacerClimbsBackAfterOne429: a client well below the bucket's rate
// gets one 429 (another client's burst); the bucket stays nearly full
// after it, and the estimate climbs back to ARM's 25 a second.
func TestPacerClimbsBackAfterOne429(t *testing.T) {
	p, clk := newFakePacer(PacingOptions{})
	b := &simBucket{burst: 250, rate: 25}
	runSim(t, p, clk, b, 20, 200*time.Millisecond, true)
	r := req(http.MethodGet)
	tk, err := p.wait(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	p.observe(tk, resp(r, http.StatusTooManyRequests, "Retry-After", "1"))
	if low := p.readRate(); low >= 25 {
		t.Fatalf("the 429 left the estimate at %.2f", low)
	}
	_ = clk.Sleep(context.Background(), time.Second)
	runSim(t, p, clk, b, 100, 200*time.Millisecond, true)
	if got := p.readRate(); got < 24 {
		t.Errorf("estimate %.2f after 20 s of a nearly full bucket; want it back at 25", got)
	}
}
