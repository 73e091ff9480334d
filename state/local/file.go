package local

import (
	"fmt"
	"os"
	"path/filepath"
)

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
			_ = os.Remove(tmp)
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
	defer func() { _ = os.Remove(tmp.Name()) }()
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
