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
	"sync"

	"github.com/azapply/azapply/state"
)

// Backend stores the state in a JSON file (mode 0600), written as a temporary
// file that is synced and renamed over the old one, the directory synced
// after, and the previous version kept beside it as PATH.backup. Its lock is
// an OS file lock on PATH.lock, which the OS releases when the process ends,
// so a local lock is never stale; the file holds the holder's state.LockInfo.
type Backend struct {
	Path string

	// mu makes a Backend safe for use by several goroutines (apply saves
	// from its workers).
	mu       sync.Mutex
	lockFile *os.File
	// resolved is Path with its symbolic links followed (see file).
	resolveOnce sync.Once
	resolved    string
	// known is the file as this backend last read or wrote it: while it is
	// still the file at Path, a write need not read it again to check it.
	known       os.FileInfo
	knownSerial int64
	knownLin    string
	// stateSize is the size of the file last read or written; past it,
	// a save compacts the journal.
	stateSize int64
	// journal is this run's journal, open for appends, and journalSize
	// its size; journalSerial is the serial its last record gave the
	// state. pending says the file lacks changes a journal holds.
	journal       *os.File
	journalSize   int64
	journalSerial int64
	journalLin    string
	pending       bool
}

// New returns the local backend for the file at path.
func New(path string) *Backend { return &Backend{Path: path} }

func (l *Backend) String() string { return l.Path }

func (l *Backend) lockPath() string { return l.file() + ".lock" }

func (l *Backend) journalPath() string { return l.file() + ".journal" }

// file is the path the backend reads and writes: Path itself or, when Path
// is a symbolic link, the file it points to, followed through every link
// (and resolved once per backend, so that one run locks and writes one
// file). The lock, the journal, the backup and the atomic write then happen
// beside the target, and the link stays a link: writing to Path would
// replace the link with a regular file and leave the target stale.
func (l *Backend) file() string {
	l.resolveOnce.Do(func() { l.resolved = followLinks(l.Path) })
	return l.resolved
}

// followLinks resolves p through its symbolic links (40 at most, as the
// kernel allows), whether or not the last target exists yet.
func followLinks(p string) string {
	for range 40 {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return p
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return p
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return p
}

// Read returns the state in the file with its journal replayed, or a new
// empty state when there is neither. A file that cannot be parsed is a
// *state.CorruptError, a journal that cannot be replayed a *state.JournalError, and
// both are left untouched. A journal older than the file (a crash after a
// compaction wrote the file) is ignored, and removed when this backend
// holds the lock.
func (l *Backend) Read(ctx context.Context) (*state.State, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.read()
	for try := 0; try < 2 && l.lockFile == nil && state.IsJournalError(err); try++ {
		// Without the lock, a run holding it may have compacted its
		// journal and started the next between the two reads.
		s, err = l.read()
	}
	return s, err
}

func (l *Backend) read() (*state.State, error) {
	// The file info comes from the open file, so that it is that of the
	// bytes read even if the file is replaced meanwhile.
	var s *state.State
	var fi os.FileInfo
	var statErr error
	var size int64
	f, err := os.Open(l.file())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading the state: %w", err)
	default:
		defer f.Close()
		fi, statErr = f.Stat()
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("reading the state: %w", err)
		}
		if s, err = state.Decode(data, l.Path); err != nil {
			return nil, err
		}
		size = int64(len(data))
	}
	var fileSerial int64
	var fileLineage string
	if s != nil {
		fileSerial, fileLineage = s.Serial, s.Lineage
	}
	s, pending, err := l.replay(s)
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = state.New()
	}
	l.remember(fi, statErr, fileSerial, fileLineage)
	l.stateSize, l.pending = size, pending
	return s, nil
}

// replay applies the journal beside the file, if any, to s (nil when there
// is no file), and reports whether it held changes the file lacks.
func (l *Backend) replay(s *state.State) (*state.State, bool, error) {
	data, err := os.ReadFile(l.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the state journal: %w", err)
	}
	out, info, err := state.ReplayJournal(s, data, l.journalPath(), l.Path)
	if err != nil {
		return nil, false, err
	}
	if info.Stale && l.lockFile != nil {
		// The file already holds everything in it.
		if err := os.Remove(l.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			slog.Debug("could not remove a stale state journal", "path", l.journalPath(), "error", err)
		}
	}
	slog.Debug("state journal read", "path", l.journalPath(), "records", info.Records, "torn", info.Torn, "stale", info.Stale)
	return out, !info.Stale, nil
}

func (l *Backend) remember(fi os.FileInfo, err error, serial int64, lineage string) {
	if err != nil || fi == nil {
		l.known = nil
		return
	}
	l.known, l.knownSerial, l.knownLin = fi, serial, lineage
}

// unchangedSince reports whether the file at Path is still the one this
// backend last read or wrote, holding s's lineage and serial.
func (l *Backend) unchangedSince(s *state.State) bool {
	if l.known == nil || l.knownSerial != s.Serial || l.knownLin != s.Lineage {
		return false
	}
	fi, err := os.Stat(l.file())
	return err == nil && os.SameFile(fi, l.known) && fi.Size() == l.known.Size() && fi.ModTime().Equal(l.known.ModTime())
}

// Write stores s atomically and bumps its serial, then removes the
// journal, whose changes s holds; see state.Backend.Write.
func (l *Backend) Write(ctx context.Context, s *state.State) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write(s)
}

// write is Write with l.mu held.
func (l *Backend) write(s *state.State) error {
	exists := true
	if !l.unchangedSince(s) {
		old, err := os.ReadFile(l.file())
		switch {
		case errors.Is(err, os.ErrNotExist):
			exists = false
		case err != nil:
			return fmt.Errorf("reading the state before writing it: %w", err)
		default:
			if err := state.CheckOverwrite(old, l.Path, s); err != nil {
				return err
			}
		}
	}
	serial := s.Serial
	s.Serial++
	data, err := state.Encode(s)
	if err != nil {
		s.Serial = serial
		return err
	}
	fi, err := l.replace(exists, data)
	if err != nil {
		s.Serial = serial
		l.known = nil
		return err
	}
	l.remember(fi, nil, s.Serial, s.Lineage)
	l.stateSize = int64(len(data))
	l.dropJournal()
	slog.Debug("state written", "path", l.Path, "serial", s.Serial, "resources", len(s.Resources))
	return nil
}

// dropJournal closes and removes the journal once the file holds what it
// recorded. A journal that cannot be removed is older than the file now,
// so reads ignore it.
func (l *Backend) dropJournal() {
	if l.journal != nil {
		_ = l.journal.Close()
		l.journal = nil
	}
	if err := os.Remove(l.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		slog.Debug("could not remove the state journal", "path", l.journalPath(), "error", err)
	}
	l.pending, l.journalSize = false, 0
}

// Append records the changes to s at the addresses changed (and its
// outputs, for state.OutputsChanged) as one record appended to PATH.journal and
// synced, and bumps the serial of s; see state.Journaler. It writes the whole
// state instead when changed is empty, when the file is not the one this
// backend last read or wrote at s's serial, and when the record would take
// the journal past the size of the state (compaction, see compactAt).
func (l *Backend) Append(ctx context.Context, s *state.State, changed ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(changed) == 0 {
		return l.write(s)
	}
	if l.journal != nil && (l.journalSerial != s.Serial || l.journalLin != s.Lineage) {
		return l.write(s)
	}
	if l.journal == nil {
		if ok, err := l.startJournal(s); err != nil || !ok {
			if err != nil {
				slog.Debug("could not start a state journal; writing the state whole", "path", l.journalPath(), "error", err)
			}
			return l.write(s)
		}
	}
	line, err := state.JournalRecord(s, s.Serial+1, changed)
	if err != nil {
		return err
	}
	if l.journalSize+int64(len(line)) > state.CompactAt(l.stateSize) {
		// Compaction: the state written whole costs about what the journal
		// has cost since the last time, so each save costs a constant.
		return l.write(s)
	}
	_, err = l.journal.Write(line)
	if err == nil {
		err = l.journal.Sync()
	}
	if err != nil {
		// Whatever part of the record reached the file is its torn end:
		// nothing more may follow it. The next save writes the state whole.
		_ = l.journal.Close()
		l.journal = nil
		return fmt.Errorf("appending to the state journal %s: %w", l.journalPath(), err)
	}
	s.Serial++
	l.journalSerial = s.Serial
	l.journalSize += int64(len(line))
	l.pending = true
	return nil
}

// startJournal creates PATH.journal extending the file, when the file is
// the one this backend last read or wrote at s's serial (or there is no
// file and s was never written) and no journal is there.
func (l *Backend) startJournal(s *state.State) (bool, error) {
	if l.pending {
		// A journal replayed by Read: the first save folds it in.
		return false, nil
	}
	if !l.unchangedSince(s) {
		if _, err := os.Stat(l.file()); !errors.Is(err, os.ErrNotExist) || s.Serial != 0 || l.known != nil {
			return false, nil
		}
	}
	header, err := state.JournalHeader(s)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(l.file()), 0o755); err != nil {
		return false, err
	}
	f, err := os.OpenFile(l.journalPath(), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return false, err
	}
	if _, err := f.Write(header); err != nil {
		f.Close()
		_ = os.Remove(l.journalPath())
		return false, err
	}
	// The journal's name must survive a crash with its first record.
	if err := syncDir(filepath.Dir(l.file())); err != nil {
		f.Close()
		_ = os.Remove(l.journalPath())
		return false, err
	}
	l.journal, l.journalSize, l.journalSerial, l.journalLin = f, int64(len(header)), s.Serial, s.Lineage
	return true, nil
}

// Compact writes s whole when the file lacks changes recorded in a
// journal (this run's, or one Read replayed), and removes the journal; see
// state.Journaler.
func (l *Backend) Compact(ctx context.Context, s *state.State) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.pending {
		return nil
	}
	return l.write(s)
}

// replace keeps the file at Path as the backup when it exists, writes data
// in its place and returns the new file's info.
func (l *Backend) replace(exists bool, data []byte) (os.FileInfo, error) {
	dir := filepath.Dir(l.file())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("writing the state: %w", err)
	}
	if exists {
		if err := keepBackup(l.file()); err != nil {
			return nil, fmt.Errorf("keeping the previous state as a backup: %w", err)
		}
	}
	fi, err := writeAtomic(l.file(), data)
	if err != nil {
		return nil, fmt.Errorf("writing the state: %w", err)
	}
	return fi, nil
}

// keepBackup makes PATH.backup the file now at PATH: a hard link renamed
// into place, so the old version is kept without copying it; where links
// are not supported, a copy written atomically.
func keepBackup(path string) error {
	backup := path + ".backup"
	tmp := fmt.Sprintf("%s.tmp-%d", backup, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Link(path, tmp); err == nil {
		if err := os.Rename(tmp, backup); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = writeAtomic(backup, old)
	return err
}

// writeAtomic writes data to path so that a crash at any moment leaves the
// old file or the new one, whole.
func writeAtomic(path string, data []byte) (os.FileInfo, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	fi, err := writeSynced(tmp, data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return fi, syncDir(dir)
}

// writeSynced writes data to f with mode 0600, syncs it, and returns its
// info (the same file's after a rename).
func writeSynced(f *os.File, data []byte) (os.FileInfo, error) {
	if err := f.Chmod(0o600); err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return f.Stat()
}

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
		f.Close()
		return state.LockInfo{}, fmt.Errorf("locking the state %s: %w", l.Path, err)
	}
	if !ok {
		holder := readLockInfo(f)
		f.Close()
		return state.LockInfo{}, &state.LockedError{Where: l.Path, Info: holder, OSLock: true}
	}
	info.ID = state.NewLockID()
	data, _ := json.Marshal(info)
	if err := rewrite(f, data); err != nil {
		_ = unlockFile(f)
		f.Close()
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
	if l.journal != nil {
		// Left for the next run to replay: this one did not compact it.
		_ = l.journal.Close()
		l.journal = nil
	}
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
	defer f.Close()
	ok, err := tryLockFile(f)
	if err != nil {
		return fmt.Errorf("checking the state lock: %w", err)
	}
	if !ok {
		holder := readLockInfo(f)
		return fmt.Errorf("the state %s is locked by a running process (%s); a local lock ends when its process does, so stop that process instead of forcing the lock", l.Path, holder)
	}
	defer unlockFile(f)
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
