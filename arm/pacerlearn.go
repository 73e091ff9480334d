package arm

import (
	"time"
)

// The pacer learns each bucket's refill rate, because ARM's documented
// rates (25 reads, 10 writes a second) are only the defaults: a shared
// subscription, other principals' traffic or a provider's own limits leave
// less. Two sources tell it:
//
//   - the x-ms-ratelimit-remaining-* headers: between two reports at least
//     a second apart, the bucket gained (left now − left then + the
//     requests the server counted in between) tokens, unless it was full
//     and refill was capped; an exponentially weighted average of those
//     samples is the estimate;
//   - a 429: it proves the estimate too high. The rate drops by a quarter
//     (at most once a second), and a precise Retry-After (retry-after-ms),
//     the time until one token is back, bounds the rate from above.
//
// A full bucket gives no sample (its refill was capped). When only a 429
// lowered the estimate and the bucket then stays full, the estimate goes
// back towards the configured rate, one step per window: otherwise a
// single 429 would slow every later drain of the bucket.
//
// The estimate stays between minLearnedRate and maxRateFactor times the
// configured rate.
const (
	// learnWindow is the shortest time between two header reports that
	// makes a sample: shorter ones are mostly noise of rounding and
	// requests in flight.
	learnWindow = time.Second
	// learnWeight is the weight of a new sample in the average.
	learnWeight = 0.5
	// minLearnedRate keeps a bucket from being thought empty for ever.
	minLearnedRate = 0.1
	// maxRateFactor bounds the estimate above the configured rate.
	maxRateFactor = 4
	// throttleDecrease is what a 429 leaves of the estimate.
	throttleDecrease = 0.75
)

// learner is a bucket's estimate of its refill rate.
type learner struct {
	// configured is the rate the options give (ARM's default).
	configured float64
	// anchor is the last header report a sample starts from.
	anchorSet  bool
	anchorAt   time.Time
	anchorLeft int
	anchorSeq  uint64
	// refused counts the 429s answered since the anchor: those requests
	// took no token.
	refused int
	// maxLeft is the most the server ever reported left: near it the
	// bucket may have been full, and its refill capped.
	maxLeft int
	// lastDecrease is when a 429 last lowered the estimate.
	lastDecrease time.Time
	// samples counts the header samples taken, for tests and logs.
	samples int
	// lowered: the estimate was last lowered by a 429, not measured by a
	// sample (see heard).
	lowered bool
}

// heard learns from a header report of left tokens, from the response to
// the request numbered seq. It returns the new rate.
func (l *learner) heard(rate float64, now time.Time, left int, seq uint64) float64 {
	if left > l.maxLeft {
		l.maxLeft = left
	}
	if !l.anchorSet {
		l.anchorSet, l.anchorAt, l.anchorLeft, l.anchorSeq, l.refused = true, now, left, seq, 0
		return rate
	}
	dt := now.Sub(l.anchorAt).Seconds()
	if dt < learnWindow.Seconds() {
		return rate
	}
	counted := float64(seq-l.anchorSeq) - float64(l.refused)
	gain := float64(left-l.anchorLeft) + counted
	full := left >= l.maxLeft-1 || l.anchorLeft >= l.maxLeft-1
	switch {
	case !full && gain >= 0:
		sample := gain / dt
		rate = l.clamp((1-learnWeight)*rate + learnWeight*sample)
		l.samples++
		l.lowered = false
	case full && gain >= 0 && gain/dt > rate:
		// Refill was capped, so the gain only bounds the rate from
		// below; the bound is above the estimate, so the estimate is too
		// low. It bounds it only from below, and counts requests ARM may
		// not have counted yet: it may raise the estimate back to the
		// configured rate, never above it from one sample.
		rate = l.clamp(min(gain/dt, max(rate, l.configured)))
	}
	if l.lowered && left >= l.maxLeft-1 && l.anchorLeft >= l.maxLeft-1 && rate < l.configured {
		// Only a 429 lowered the estimate, and the bucket has stayed
		// full since: no sample can be taken while it is, so without
		// this the estimate would stay low for ever, and the next
		// drain would go slower than it need. Nothing measured says the
		// rate is below the configured one: go back towards it.
		rate = min(l.configured, (1-learnWeight)*rate+learnWeight*l.configured)
		if l.configured-rate < 0.01*l.configured {
			rate, l.lowered = l.configured, false
		}
	}
	l.anchorAt, l.anchorLeft, l.anchorSeq, l.refused = now, left, seq, 0
	return rate
}

// throttled learns from a 429 whose precise Retry-After (0 when the
// server gave only whole seconds) was retryAfter. It returns the new rate.
func (l *learner) throttled(rate float64, now time.Time, retryAfter time.Duration) float64 {
	l.refused++
	if now.Sub(l.lastDecrease) >= learnWindow {
		rate = l.clamp(rate * throttleDecrease)
		l.lastDecrease, l.lowered = now, true
	}
	if retryAfter > 0 && retryAfter <= 10*time.Second {
		// One token comes back within retryAfter: the rate is at most
		// one token per retryAfter.
		if bound := 1 / retryAfter.Seconds(); bound < rate {
			rate = l.clamp(bound)
		}
	}
	return rate
}

// measured reports whether the rate is one the headers measured, not the
// configured one or one a 429 lowered.
func (l *learner) measured() bool { return l.samples > 0 && !l.lowered }

func (l *learner) clamp(rate float64) float64 {
	return min(max(rate, minLearnedRate), l.configured*maxRateFactor)
}
