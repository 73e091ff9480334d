package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiling writes a CPU profile to $AZAPPLY_CPUPROFILE and, when the
// command ends, a heap profile to $AZAPPLY_MEMPROFILE (both for `go tool
// pprof`). It is for measuring azapply itself, as the bench does; the
// returned function stops both. The profiles hold function names and
// sizes, never request bodies or tokens.
func startProfiling() (stop func()) {
	cpu, mem := os.Getenv("AZAPPLY_CPUPROFILE"), os.Getenv("AZAPPLY_MEMPROFILE")
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
	return func() {
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
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "azapply: writing the heap profile: %v\n", err)
		}
	}
}
