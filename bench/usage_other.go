//go:build !unix

package main

import (
	"os"
	"time"
)

// usage is the CPU time of an exited process; its peak RSS is not known
// here (0).
func usage(ps *os.ProcessState) (cpu time.Duration, rss int64) {
	return ps.UserTime() + ps.SystemTime(), 0
}
