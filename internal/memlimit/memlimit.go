// Package memlimit gives azapply a soft memory limit when the user set
// none.
//
// Go lets the heap grow to twice what was live after the last collection
// (GOGC=100) and returns freed pages to the system lazily, so a process
// whose live heap peaks at 80 MB (an apply of 10,000 resources) reaches
// 200 MB of resident memory or more, most of it garbage or free pages. A
// soft limit (runtime/debug.SetMemoryLimit) makes the collector run
// earlier and return pages sooner when the process nears it.
//
// A fixed limit alone would be a cliff: with a live heap near it (a larger
// stack) the collector would run almost without pause. So the limit
// follows the live heap: after every collection it is set to
// max(Floor, Headroom × live), which for a small heap trims the slack and
// for a large one lets the heap grow by at least 60% between collections,
// as GOGC=60 would. It is not set at all when GOMEMLIMIT or GOGC=off is in
// the environment: the user's settings win.
package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
)

const (
	// Floor is the least the limit is: below it the collector is not
	// asked to run more often than GOGC says.
	Floor = 180 << 20
	// Headroom is how far above the live heap the limit stays.
	Headroom = 1.6
)

// Set sets the limit and keeps it following the live heap for the rest of
// the process, unless the environment sets GOMEMLIMIT or GOGC=off. It
// reports whether it did.
func Set() bool {
	if os.Getenv("GOMEMLIMIT") != "" || strings.EqualFold(os.Getenv("GOGC"), "off") {
		return false
	}
	debug.SetMemoryLimit(Floor)
	g := &follower{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	g.arm()
	return true
}

// follower moves the limit after each collection.
type follower struct {
	sample []metrics.Sample
}

// sentinel is garbage the moment it is made: its finalizer runs after the
// next collection, and arms the next one.
type sentinel struct {
	_ *int
	_ [2]uint64
}

func (g *follower) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		g.follow()
		g.arm()
	})
}

func (g *follower) follow() {
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetMemoryLimit(Limit(g.sample[0].Value.Uint64()))
}

// Limit is the limit for a live heap of live bytes.
func Limit(live uint64) int64 {
	l := Headroom * float64(live)
	if l >= math.MaxInt64 {
		return math.MaxInt64
	}
	return max(Floor, int64(l))
}
