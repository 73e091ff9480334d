//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// usage is the CPU time (user and system) and peak RSS in bytes of an
// exited process.
func usage(ps *os.ProcessState) (cpu time.Duration, rss int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return ps.UserTime() + ps.SystemTime(), 0
	}
	rss = int64(ru.Maxrss)
	if runtime.GOOS != "darwin" {
		rss *= 1024 // kilobytes, except on macOS (bytes)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), rss
}
