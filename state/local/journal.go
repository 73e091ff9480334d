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
// outputs, for state.OutputsChanged) as one record appended to PATH.journal
// and synced, and bumps the serial of s; see state.Journaler. It writes the
// whole state instead when changed is empty, when the file is not the one
// this backend last read or wrote at s's serial, and when the record would
// take the journal past the size of the state (compaction, see
// state.CompactAt).
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
