package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azureblob"
	"github.com/azapply/azapply/state/azuritetest"
)

// TestConcurrentApplies runs two azapply processes on one state at once,
// with the local backend (one file shared by two directories) and with the
// azureblob backend (Azurite): with --lock-timeout one waits for the other
// and then finds nothing to do (no resource created twice, no update
// lost); without it, the second refuses, naming the holder's operation and
// process id, and writes nothing.
func TestConcurrentApplies(t *testing.T) {
	backends := []struct {
		name  string
		block func(t *testing.T) (backend string, env []string)
	}{
		{"local", func(t *testing.T) (string, []string) {
			path := filepath.Join(t.TempDir(), "shared.state.json")
			return fmt.Sprintf("azapply {\n  backend \"local\" { path = %q }\n}\n", path), nil
		}},
		{"azureblob", func(t *testing.T) (string, []string) {
			conn := azuritetest.ConnectionString(t)
			container := azuritetest.NewContainer(t, conn)
			return fmt.Sprintf("azapply {\n  backend \"azureblob\" {\n    account_url = \"https://devstoreaccount1.blob.core.windows.net\"\n    container = %q\n    key = \"shared/app.json\"\n  }\n}\n", container),
				[]string{azureblob.ConnectionStringEnv + "=" + conn}
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			backend, env := b.block(t)
			s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
				Faults: emulator.Faults{Latency: 2 * time.Millisecond}})
			dirs := [2]string{t.TempDir(), t.TempDir()}
			var declared []string
			for _, d := range dirs {
				declared = writeStack(t, d, s, 20)
				if err := os.WriteFile(filepath.Join(d, "backend.hcl"), []byte(backend), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			start := func(dir string, args ...string) (*exec.Cmd, func() binResult) {
				cmd, out, errb := s.command(dir, args...)
				cmd.Env = append(cmd.Env, env...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				return cmd, func() binResult {
					_ = cmd.Wait()
					return binResult{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
				}
			}

			// Both at once, both willing to wait.
			var wg sync.WaitGroup
			var results [2]binResult
			for i, d := range dirs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, wait := start(d, "apply", "--auto-approve", "--no-color", "--lock-timeout", "2m")
					results[i] = wait()
				}()
			}
			wg.Wait()
			added := 0
			for i, r := range results {
				if r.code != exitOK {
					t.Fatalf("apply %d: exit %d\n%s\n%s", i, r.code, r.stdout, tail(r.stderr, 2000))
				}
				if strings.Contains(r.stdout, "Apply complete! Resources: 20 added") {
					added++
				} else if !strings.Contains(r.stdout, "No changes.") {
					t.Errorf("apply %d neither created the stack nor found it done:\n%s", i, r.stdout)
				}
			}
			if added != 1 {
				t.Errorf("%d of the two applies created the stack, want exactly 1", added)
			}
			if twice := createdTwice(s.em); len(twice) > 0 {
				t.Errorf("created twice: %v", twice)
			}
			st := pulledState(t, s, dirs[1], env)
			if len(st.Resources) != len(declared) || len(orphans(s.em, st, declared)) > 0 {
				t.Errorf("the shared state records %d resources, want %d", len(st.Resources), len(declared))
			}

			// One holds the lock (40 creates: long enough for the other to start) while the other, unwilling to wait, asks.
			writeStack(t, dirs[0], s, 60)
			s.em.ResetObservations()
			holder, wait := start(dirs[0], "apply", "--auto-approve", "--no-color")
			// Its first write comes after it took the lock.
			for deadline := time.Now().Add(30 * time.Second); writesSoFar(s.em) < 1 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			serial := st.Serial
			cmd, out, errb := s.command(dirs[1], "apply", "--auto-approve", "--no-color")
			cmd.Env = append(cmd.Env, env...)
			_ = cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != exitError ||
				!strings.Contains(errb.String(), "is locked") || !strings.Contains(errb.String(), `"apply"`) ||
				!strings.Contains(errb.String(), fmt.Sprintf("pid %d", holder.Process.Pid)) {
				t.Errorf("the second apply: exit %d, want 1 and a message naming the holder (apply, pid %d)\nstdout:\n%s\nstderr:\n%s",
					code, holder.Process.Pid, out, tail(errb.String(), 2000))
			}
			if r := wait(); r.code != exitOK || !strings.Contains(r.stdout, "40 added") {
				t.Fatalf("the holder: exit %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
			}
			st = pulledState(t, s, dirs[0], env)
			if len(st.Resources) != 60 || st.Serial <= serial {
				t.Errorf("after the holder finished the state records %d resources at serial %d, want 60 after %d", len(st.Resources), st.Serial, serial)
			}
		})
	}
}

// pulledState reads the state through `azapply state pull`, whatever the
// backend.
func pulledState(t *testing.T, s *servedEmulator, dir string, env []string) *state.State {
	t.Helper()
	cmd, out, errb := s.command(dir, "state", "pull")
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("state pull: %v\n%s", err, errb)
	}
	st, err := state.Decode(out.Bytes(), "state pull")
	if err != nil {
		t.Fatalf("the pulled state does not parse: %v", err)
	}
	return st
}
