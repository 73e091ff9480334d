package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/azapply/azapply/state"
)

// Lock takes the OS lock on PATH.lock without waiting.
func (l *Backend) Lock(ctx context.Context, info state.LockInfo) (state.LockInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lockFile != nil {
		return state.LockInfo{}, fmt.Errorf("the state %s is already locked by this run", l.Path)
	}
	if err := os.MkdirAll(filepath.Dir(l.file()), 0o755); err != nil {
		return state.LockInfo{}, fmt.Errorf("locking the state: %w", err)
	}
	f, err := os.OpenFile(l.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return state.LockInfo{}, fmt.Errorf("locking the state: %w", err)
	}
	ok, err := tryLockFile(f)
	if err != nil {
		_ = f.Close()
		return state.LockInfo{}, fmt.Errorf("locking the state %s: %w", l.Path, err)
	}
	if !ok {
		holder := readLockInfo(f)
		_ = f.Close()
		return state.LockInfo{}, &state.LockedError{Where: l.Path, Info: holder, OSLock: true}
	}
	info.ID = state.NewLockID()
	data, _ := json.Marshal(info)
	if err := rewrite(f, data); err != nil {
		_ = unlockFile(f)
		_ = f.Close()
		return state.LockInfo{}, fmt.Errorf("recording the state lock in %s: %w", l.lockPath(), err)
	}
	l.lockFile = f
	l.removeStaleTemps()
	slog.Debug("state locked", "path", l.Path, "lock", info.ID)
	return info, nil
}

// removeStaleTemps deletes the temporary files a killed writer left: with
// the lock held, no other writer's can be in progress.
func (l *Backend) removeStaleTemps() {
	dir, base := filepath.Dir(l.file()), filepath.Base(l.file())
	for _, pattern := range []string{"." + base + ".tmp-*", "." + base + ".backup.tmp-*", base + ".backup.tmp-*"} {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, n := range names {
			_ = os.Remove(n)
		}
	}
}

// Unlock releases the lock this backend holds.
func (l *Backend) Unlock(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.lockFile
	if f == nil {
		return nil
	}
	l.lockFile = nil
	// The journal is left for the next run to replay: this one did not
	// compact it.
	l.journal.close()
	// Clear the holder first: whoever takes the lock next writes its own.
	_ = rewrite(f, nil)
	err := unlockFile(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unlocking the state %s: %w", l.Path, err)
	}
	return nil
}

// ForceUnlock clears a lock record left in PATH.lock. An OS file lock ends
// with the process that held it, so a lock that is really held belongs to a
// live process: that is refused, naming it.
func (l *Backend) ForceUnlock(ctx context.Context, id string) error {
	f, err := os.OpenFile(l.lockPath(), os.O_RDWR, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("the state %s is not locked: there is nothing to unlock", l.Path)
	}
	if err != nil {
		return fmt.Errorf("opening the state lock: %w", err)
	}
	defer func() { _ = f.Close() }()
	ok, err := tryLockFile(f)
	if err != nil {
		return fmt.Errorf("checking the state lock: %w", err)
	}
	if !ok {
		holder := readLockInfo(f)
		return fmt.Errorf("the state %s is locked by a running process (%s); a local lock ends when its process does, so stop that process instead of forcing the lock", l.Path, holder)
	}
	defer func() { _ = unlockFile(f) }()
	holder := readLockInfo(f)
	if holder.ID == "" {
		return fmt.Errorf("the state %s is not locked: there is nothing to unlock", l.Path)
	}
	if holder.ID != id {
		return fmt.Errorf("the state %s has lock %s, not %s: check the ID and run force-unlock again", l.Path, holder.ID, id)
	}
	return rewrite(f, nil)
}

func readLockInfo(f *os.File) state.LockInfo {
	var info state.LockInfo
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return info
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil || len(data) == 0 {
		return info
	}
	_ = json.Unmarshal(data, &info)
	return info
}

func rewrite(f *os.File, data []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	return f.Sync()
}
