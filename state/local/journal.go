package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/azapply/azapply/state"
)

// journalFile is this run's journal, PATH.journal, open for appends (its
// format is package state's). Backend.mu guards it.
type journalFile struct {
	// f is the journal, nil when this run has none open; size is its
	// size with the records staged, and serial and lineage the state its
	// last record staged made. written is the serial of the last record
	// written and synced: records staged and not yet committed lie between.
	f       *os.File
	size    int64
	serial  int64
	written int64
	lineage string
	// pending says the file lacks changes a journal holds: this run's, or
	// one Read replayed.
	pending bool
}

// started reports whether this run has a journal open to append to.
func (j *journalFile) started() bool { return j.f != nil }

// extends reports whether the journal's last record made s as it is.
func (j *journalFile) extends(s *state.State) bool {
	return j.serial == s.Serial && j.lineage == s.Lineage
}

// close closes the journal, which stays on disk: the next run replays it
// unless this one removes it.
func (j *journalFile) close() {
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
}

// write appends line, the record staged with the serial `serial`, to the
// journal and syncs it. Records are written in the order they were
// staged. After an error whatever part of the record reached the file is
// its torn end: nothing more may follow it, so the journal is closed, the
// records staged after it fail too, and the next save writes the state
// whole.
func (j *journalFile) write(f *os.File, line []byte, serial int64) error {
	if j.f != f || serial != j.written+1 {
		return errors.New("an earlier save to the journal failed, so this one cannot follow it")
	}
	_, err := f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		j.close()
		return err
	}
	j.written, j.pending = serial, true
	return nil
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

// dropJournal closes and removes the journal once the file holds what it
// recorded. A journal that cannot be removed is older than the file now,
// so reads ignore it.
func (l *Backend) dropJournal() {
	l.journal.close()
	if err := os.Remove(l.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		slog.Debug("could not remove the state journal", "path", l.journalPath(), "error", err)
	}
	l.journal.pending, l.journal.size = false, 0
}

// Append records the changes to s at the addresses changed (and its
// outputs, for state.OutputsChanged) as one record appended to PATH.journal
// and synced, and bumps the serial of s; see state.Journaler. It writes the
// whole state instead when changed is empty, when the file is not the one
// this backend last read or wrote at s's serial, and when the record would
// take the journal past the size of the state (compaction, see
// state.CompactAt).
func (l *Backend) Append(ctx context.Context, s *state.State, changed ...string) error {
	commit, err := l.Stage(ctx, s, changed...)
	if err != nil {
		return err
	}
	return commit()
}

// Stage encodes what Append would record and bumps the serial of s; commit
// appends the record and syncs the journal. See state.Stager.
func (l *Backend) Stage(ctx context.Context, s *state.State, changed ...string) (commit func() error, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	whole := func() (func() error, error) { return noCommit, l.write(s) }
	if len(changed) == 0 {
		return whole()
	}
	if l.journal.started() && !l.journal.extends(s) {
		return whole()
	}
	if !l.journal.started() {
		if ok, err := l.startJournal(s); err != nil || !ok {
			if err != nil {
				slog.Debug("could not start a state journal; writing the state whole", "path", l.journalPath(), "error", err)
			}
			return whole()
		}
	}
	serial := s.Serial + 1
	line, err := state.JournalRecord(s, serial, changed)
	if err != nil {
		return nil, err
	}
	if l.journal.size+int64(len(line)) > state.CompactAt(l.stored.size) {
		// Compaction: the state written whole costs about what the journal
		// has cost since the last time, so each save costs a constant.
		// Records staged and not yet committed are in s: the state
		// written whole holds them, and their commits find it so.
		return whole()
	}
	f, lineage := l.journal.f, s.Lineage
	l.journal.serial, l.journal.size = serial, l.journal.size+int64(len(line))
	s.Serial = serial
	return func() error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.stored.lineage == lineage && l.stored.serial >= serial && l.stored.info != nil {
			// The state was written whole since: it holds this record.
			return nil
		}
		if err := l.journal.write(f, line, serial); err != nil {
			return fmt.Errorf("appending to the state journal %s: %w", l.journalPath(), err)
		}
		return nil
	}, nil
}

func noCommit() error { return nil }

// startJournal creates PATH.journal extending the file, when the file is
// the one this backend last read or wrote at s's serial (or there is no
// file and s was never written) and no journal is there.
func (l *Backend) startJournal(s *state.State) (bool, error) {
	if l.journal.pending {
		// A journal replayed by Read: the first save folds it in.
		return false, nil
	}
	if !l.stored.unchangedSince(l.file(), s) {
		if _, err := os.Stat(l.file()); !errors.Is(err, os.ErrNotExist) || s.Serial != 0 || l.stored.info != nil {
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
		_ = f.Close()
		_ = os.Remove(l.journalPath())
		return false, err
	}
	// The journal's name must survive a crash with its first record.
	if err := syncDir(filepath.Dir(l.file())); err != nil {
		_ = f.Close()
		_ = os.Remove(l.journalPath())
		return false, err
	}
	l.journal.f, l.journal.size, l.journal.serial, l.journal.lineage = f, int64(len(header)), s.Serial, s.Lineage
	l.journal.written = s.Serial
	return true, nil
}

// Compact writes s whole when the file lacks changes recorded in a
// journal (this run's, or one Read replayed), and removes the journal; see
// state.Journaler.
func (l *Backend) Compact(ctx context.Context, s *state.State) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.journal.pending {
		return nil
	}
	return l.write(s)
}
