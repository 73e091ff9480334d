package statetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
)

// HelperEnv, set, makes a backend's test binary the second process of a
// test (see Helper) instead of running its tests.
const HelperEnv = "AZAPPLY_STATE_TEST_HELPER"

// Helper returns the command that runs this test binary again as a second
// process, which its TestMain hands to RunHelper with the backend at arg.
func Helper(t *testing.T, mode, arg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", arg)
	cmd.Env = append(os.Environ(), HelperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	return cmd
}

// RunHelper is the second process, writing to b: mode "writer:N:TAG" adds
// N resources one write at a time under the lock; "churn" takes the lock
// and rewrites a large state until killed. It returns the exit code.
func RunHelper(b state.Backend, mode string) int {
	ctx := context.Background()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	if strings.HasPrefix(mode, "writer:") {
		parts := strings.Split(mode, ":")
		n, _ := strconv.Atoi(parts[1])
		for i := 0; i < n; i++ {
			if _, err := state.Acquire(ctx, b, state.NewLockInfo("test"), 30*time.Second); err != nil {
				return fail(err)
			}
			s, err := b.Read(ctx)
			if err != nil {
				return fail(err)
			}
			s.Set(&state.Resource{Address: fmt.Sprintf("resource.%s_%d", parts[2], i), ID: "/x"})
			if err := b.Write(ctx, s); err != nil {
				return fail(err)
			}
			if err := b.Unlock(ctx); err != nil {
				return fail(err)
			}
		}
		return 0
	}
	if _, err := b.Lock(ctx, state.NewLockInfo("churn")); err != nil {
		return fail(err)
	}
	s, err := b.Read(ctx)
	if err != nil {
		return fail(err)
	}
	big := strings.Repeat("x", 4096)
	for i := 0; ; i++ {
		s.Set(&state.Resource{Address: fmt.Sprintf("resource.r%d", i%300), ID: "/x", LastApplied: map[string]any{"pad": big, "i": i}})
		if err := b.Write(ctx, s); err != nil {
			return fail(err)
		}
	}
}
