package memlimit

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestLimit(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, Floor},
		{80 << 20, Floor},
		{200 << 20, 320 << 20},
	}
	for _, tt := range tests {
		if got := Limit(tt.live); got != tt.want {
			t.Errorf("Limit(%d MiB) = %d MiB, want %d MiB", tt.live>>20, got>>20, tt.want>>20)
		}
	}
}

// TestSetFollowsTheLiveHeap: with no GOMEMLIMIT the limit is set, and
// after a collection with a live heap past Floor/Headroom it rises with it,
// so that a large heap is never held to the floor.
func TestSetFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	if !Set() {
		t.Fatal("Set did nothing with no GOMEMLIMIT")
	}
	if got := debug.SetMemoryLimit(-1); got != Floor {
		t.Fatalf("limit %d MiB after Set, want the floor %d MiB", got>>20, Floor>>20)
	}
	big := make([]byte, 160<<20)
	for i := 0; i < 5 && debug.SetMemoryLimit(-1) == Floor; i++ {
		runtime.GC()
		runtime.GC() // the finalizer runs after a collection
	}
	if got := debug.SetMemoryLimit(-1); got < int64(len(big)) {
		t.Errorf("limit %d MiB with %d MiB live, want it above the live heap", got>>20, len(big)>>20)
	}
	runtime.KeepAlive(big)
}

func TestSetLeavesTheUsersLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	if Set() {
		t.Error("Set changed the limit the user set with GOMEMLIMIT")
	}
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "off")
	if Set() {
		t.Error("Set set a limit with GOGC=off")
	}
}
