package main

import (
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// slowBucketStack applies a stack of n resources on a fast emulator and
// returns an emulator holding the same world behind a read bucket that
// refills at readRate a second (burst readBurst), with dir's configuration
// pointing at it.
func slowBucketStack(t *testing.T, dir string, n int, readBurst, readRate float64) *servedEmulator {
	t.Helper()
	fast := serveLoopback(t, emulator.Options{})
	writeStack(t, dir, fast, n)
	fast.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
	world, err := fast.em.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}
	slow := serveLoopback(t, emulator.Options{Throttle: &emulator.Throttle{ReadBurst: readBurst, ReadRate: readRate,
		WriteBurst: 200, WriteRate: 10, DeleteBurst: 200, DeleteRate: 10}})
	if err := slow.em.UnmarshalWorld(world); err != nil {
		t.Fatal(err)
	}
	writeStack(t, dir, slow, n)
	return slow
}

// TestPacingLearnsASlowBucket plans against a subscription whose read
// bucket refills at 5 a second, not ARM's default 25: the client learns
// the rate from the rate-limit headers and the 429s, and the plan
// finishes, with no failure and few 429s.
func TestPacingLearnsASlowBucket(t *testing.T) {
	n := 60
	if longTests() {
		n = 200
	}
	dir := t.TempDir()
	s := slowBucketStack(t, dir, n, 10, 5)
	r := s.run(t, dir, "plan", "--no-color")
	r.mustExit(t, 0)
	r.mustContain(t, "No changes")
	c := s.em.Counters()
	throttled := c.ByStatus[429]
	t.Logf("%d resources: %d GETs, %d answered 429", n, c.ByMethod["GET"], throttled)
	// Each 429 is a request ARM refused; a client that kept assuming 25/s
	// draws about one 429 per read past the burst.
	if limit := n / 10; throttled > limit {
		t.Errorf("%d reads were answered 429, want at most %d", throttled, limit)
	}
	if strings.Contains(r.stderr, "level=ERROR") {
		t.Errorf("errors logged:\n%s", tail(r.stderr, 2000))
	}
}
