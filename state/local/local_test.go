package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/internal/statetest"
)

func TestLocalWriteRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "azapply.state.json")
	l := New(path)
	s, err := l.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 0 || len(s.Resources) != 0 {
		t.Fatalf("a missing file reads as %+v, want an empty state", s)
	}
	s.Set(&state.Resource{Address: "resource.a", ID: "/x/A"})
	if err := l.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Set(&state.Resource{Address: "resource.b", ID: "/x/B"})
	if err := l.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2 {
		t.Errorf("serial after two writes = %d, want 2", s.Serial)
	}
	back, err := l.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if back.Serial != 2 || back.Lineage != s.Lineage || len(back.Resources) != 2 {
		t.Errorf("read back %+v", back)
	}
	backup, err := state.Decode(mustRead(t, path+".backup"), "backup")
	if err != nil {
		t.Fatal(err)
	}
	if backup.Serial != 1 || len(backup.Resources) != 1 {
		t.Errorf("the backup is serial %d with %d resources, want the previous version (1, 1)", backup.Serial, len(backup.Resources))
	}
	for _, p := range []string{path, path + ".backup"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestLocalRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) *state.State
		wantErr string
	}{
		{"unparseable file", func(t *testing.T, path string) *state.State {
			writeFile(t, path, `{"version": 2, "lineage": "x", "ser`)
			return state.New()
		}, "cannot be parsed"},
		{"another lineage", func(t *testing.T, path string) *state.State {
			other := state.New()
			if err := New(path).Write(ctx, other); err != nil {
				t.Fatal(err)
			}
			return state.New()
		}, "another stack"},
		{"written since it was read", func(t *testing.T, path string) *state.State {
			l := New(path)
			first := state.New()
			if err := l.Write(ctx, first); err != nil {
				t.Fatal(err)
			}
			stale, err := l.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Write(ctx, first); err != nil {
				t.Fatal(err)
			}
			return stale
		}, "serial 2, this run read serial 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "azapply.state.json")
			s := tt.setup(t, path)
			before := mustRead(t, path)
			serial := s.Serial
			err := New(path).Write(ctx, s)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.wantErr)
			}
			if string(mustRead(t, path)) != string(before) {
				t.Error("the refused write changed the file")
			}
			if s.Serial != serial {
				t.Errorf("a refused write moved the serial from %d to %d", serial, s.Serial)
			}
		})
	}
}

func TestLocalReadCorruptSaysHowToRecover(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	writeFile(t, path, "not json")
	_, err := New(path).Read(context.Background())
	var ce *state.CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), path+".backup") {
		t.Fatalf("Read error = %v, want a state.CorruptError naming %s.backup", err, path)
	}
}

func TestLocalLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	a, b := New(path), New(path)
	info, err := a.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	if info.ID == "" || info.PID != os.Getpid() {
		t.Fatalf("lock info %+v", info)
	}
	_, err = b.Lock(ctx, state.NewLockInfo("plan"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info.ID != info.ID || le.Info.Operation != "apply" {
		t.Fatalf("second Lock error = %v, want a state.LockedError naming the holder", err)
	}
	for _, want := range []string{info.ID, `"apply"`, "pid " + strconv.Itoa(os.Getpid()), "stop that process"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the lock error %q does not say %s", err, want)
		}
	}
	if _, err := a.Lock(ctx, state.NewLockInfo("apply")); err == nil {
		t.Error("locking twice from the same backend succeeded")
	}

	start := time.Now()
	_, err = state.Acquire(ctx, b, state.NewLockInfo("plan"), 300*time.Millisecond)
	if !errors.Is(err, state.ErrLocked) || !strings.Contains(err.Error(), "gave up after waiting 300ms") {
		t.Fatalf("Acquire error = %v", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Error("Acquire did not wait for its timeout")
	}
	if err := b.ForceUnlock(ctx, info.ID); err == nil || !strings.Contains(err.Error(), "running process") {
		t.Errorf("ForceUnlock of a live lock: %v, want a refusal", err)
	}

	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = a.Unlock(ctx)
	}()
	if _, err := state.Acquire(ctx, b, state.NewLockInfo("plan"), 10*time.Second); err != nil {
		t.Fatalf("Acquire after the holder unlocked: %v", err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(ctx, "whatever"); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("ForceUnlock of a free lock: %v", err)
	}
}

func TestLocalForceUnlockClearsALeftRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	writeFile(t, path+".lock", `{"id":"abc","operation":"apply","host":"ci-7","pid":42}`)
	l := New(path)
	if err := l.ForceUnlock(ctx, "other"); err == nil || !strings.Contains(err.Error(), "has lock abc, not other") {
		t.Errorf("ForceUnlock with the wrong ID: %v", err)
	}
	if err := l.ForceUnlock(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	if data := mustRead(t, path+".lock"); len(data) != 0 {
		t.Errorf("the lock record is still there: %s", data)
	}
}

// The tests below run this test binary again as a second process
// (statetest.Helper).
func TestMain(m *testing.M) {
	if mode := os.Getenv(statetest.HelperEnv); mode != "" {
		os.Exit(statetest.RunHelper(New(os.Args[len(os.Args)-1]), mode))
	}
	os.Exit(m.Run())
}

func TestLocalConcurrentWritersInTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	const n = 30
	a, b := statetest.Helper(t, fmt.Sprintf("writer:%d:a", n), path), statetest.Helper(t, fmt.Sprintf("writer:%d:b", n), path)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	errA, errB := a.Wait(), b.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("writers failed: %v, %v", errA, errB)
	}
	s, err := New(path).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2*n || len(s.Resources) != 2*n {
		t.Fatalf("serial %d with %d resources, want %d of each: an update was lost", s.Serial, len(s.Resources), 2*n)
	}
}

func TestLocalKill9DuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	lastSerial := int64(0)
	for round := 0; round < 5; round++ {
		cmd := statetest.Helper(t, "churn", path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it write for a while: well past the first write, at a moment
		// that falls anywhere in a write.
		waitForSerial(t, path, lastSerial+3)
		time.Sleep(time.Duration(3+round*7) * time.Millisecond)
		// Process.Kill is SIGKILL on Unix: kill -9.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		s, err := New(path).Read(ctx)
		if err != nil {
			t.Fatalf("round %d: after kill -9 the state does not read: %v", round, err)
		}
		if s.Serial < lastSerial {
			t.Fatalf("round %d: serial went back from %d to %d", round, lastSerial, s.Serial)
		}
		lastSerial = s.Serial
		// The OS dropped the dead process's lock, and the next holder
		// clears the temporary files it may have left.
		l := New(path)
		if _, err := l.Lock(ctx, state.NewLockInfo("check")); err != nil {
			t.Fatalf("round %d: the lock outlived the killed process: %v", round, err)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*tmp-*")); len(left) != 0 {
			t.Errorf("round %d: temporary files left after the next lock: %v", round, left)
		}
		_ = l.Unlock(ctx)
	}
}

func waitForSerial(t *testing.T, path string, serial int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil {
			if s, err := state.Decode(data, path); err == nil && s.Serial >= serial {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the writer never reached serial %d", serial)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A write skips re-reading the file only while it is the one this backend
// last read or wrote; any other writer's file is checked again.
func TestLocalRecheckAfterAnotherWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	a, b := New(path), New(path)
	s := state.New()
	if err := a.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	if !a.stored.unchangedSince(a.file(), s) {
		t.Fatal("after its own write the backend does not know its file")
	}
	sb, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !b.stored.unchangedSince(b.file(), sb) {
		t.Fatal("after a read the backend does not know the file")
	}
	if err := b.Write(ctx, sb); err != nil {
		t.Fatal(err)
	}
	if a.stored.unchangedSince(a.file(), s) {
		t.Fatal("a file replaced by another writer passes as unchanged")
	}
	if err := a.Write(ctx, s); err == nil {
		t.Fatal("a stale write over another writer's file succeeded")
	}
}
