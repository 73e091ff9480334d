package local

import (
	"context"
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
	// stored is the file as this backend last read or wrote it
	// (version.go), journal this run's journal beside it (journal.go).
	stored  storedFile
	journal journalFile
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
// *state.CorruptError, a journal that cannot be replayed a
// *state.JournalError, and both are left untouched. A journal older than
// the file (a crash after a compaction wrote the file) is ignored, and
// removed when this backend holds the lock.
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
		defer func() { _ = f.Close() }()
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
	l.stored.remember(fi, statErr, fileSerial, fileLineage, size)
	l.journal.pending = pending
	return s, nil
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
	// This run's journal extends the file as last read or written: while
	// that file is still there, s is that state with the journal's
	// records, and need not be checked against it again (reading a large
	// state at every compaction).
	ours := l.journal.started() && l.journal.extends(s) && l.stored.still(l.file())
	if !ours && !l.stored.unchangedSince(l.file(), s) {
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
	// Encoded straight into the file: a large state is never held whole
	// in memory as JSON.
	fi, size, err := l.replace(exists, func(w io.Writer) (int64, error) { return state.EncodeTo(w, s) })
	if err != nil {
		s.Serial = serial
		l.stored.forget()
		return err
	}
	l.stored.remember(fi, nil, s.Serial, s.Lineage, size)
	l.dropJournal()
	slog.Debug("state written", "path", l.Path, "serial", s.Serial, "resources", len(s.Resources))
	return nil
}
