package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startProfiling writes a CPU profile to $AZAPPLY_CPUPROFILE and, when the
// command ends, a heap profile to $AZAPPLY_MEMPROFILE (both for `go tool
// pprof`). With $AZAPPLY_MEMPROFILE_PEAK set it also writes there the heap
// profile of the moment the live heap was largest, whose inuse_space shows
// what made up the peak. It is for measuring azapply itself, as the bench
// does; the returned function stops them all. The profiles hold function
// names and sizes, never request bodies or tokens.
func startProfiling() (stop func()) {
	cpu, mem, peak := os.Getenv("AZAPPLY_CPUPROFILE"), os.Getenv("AZAPPLY_MEMPROFILE"), os.Getenv("AZAPPLY_MEMPROFILE_PEAK")
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "azapply: not profiling the CPU: %v\n", err)
		} else {
			cpuFile = f
		}
	}
	stopPeak := func() {}
	if peak != "" {
		stopPeak = watchPeakHeap(peak)
	}
	return func() {
		stopPeak()
		if cpuFile != nil {
			pprof.StopCPUProfile()
			_ = cpuFile.Close()
		}
		if mem == "" {
			return
		}
		f, err := os.Create(mem)
		if err != nil {
			fmt.Fprintf(os.Stderr, "azapply: not writing the heap profile: %v\n", err)
			return
		}
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "azapply: writing the heap profile: %v\n", err)
		}
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "azapply: writing the heap profile: %v\n", err)
		}
	}
}

// watchPeakHeap samples the live heap (as of the last garbage collection,
// the same moment a heap profile's inuse figures describe) and, each time
// it grows past the largest seen by more than 2%, keeps a heap profile of
// that moment; when stopped it writes the last one kept to path.
func watchPeakHeap(path string) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var largest uint64
		var profile bytes.Buffer
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				if profile.Len() > 0 {
					if err := os.WriteFile(path, profile.Bytes(), 0o644); err != nil {
						fmt.Fprintf(os.Stderr, "azapply: writing the peak heap profile: %v\n", err)
					}
				}
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				continue
			}
			if live := sample[0].Value.Uint64(); live > largest+largest/50 {
				largest = live
				profile.Reset()
				_ = pprof.Lookup("heap").WriteTo(&profile, 0)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
