package arm

import "time"

// wakeGrid is the grid of instants that the waits of requests without
// priority end on: a poll's Retry-After and the pacer's sleep for a burst
// of tokens. Under throttling a process mostly waits, and what it costs is
// how often it wakes (the threads, the timers, the connections): waits
// that end on the same instant wake it once. A wait is made at most
// wakeGrid longer; the requests per second, set by the buckets, do not
// change.
const wakeGrid = 200 * time.Millisecond

// alignWake lengthens d, a wait from now, so that it ends on the grid.
func alignWake(now time.Time, d time.Duration) time.Duration {
	if r := time.Duration(now.Add(d).UnixNano() % int64(wakeGrid)); r != 0 {
		d += wakeGrid - r
	}
	return d
}
