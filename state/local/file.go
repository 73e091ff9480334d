package local

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// replace keeps the file at Path as the backup when it exists, writes data
// in its place and returns the new file's info.
func (l *Backend) replace(exists bool, encode func(io.Writer) (int64, error)) (os.FileInfo, int64, error) {
	dir := filepath.Dir(l.file())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("writing the state: %w", err)
	}
	if exists {
		if err := keepBackup(l.file()); err != nil {
			return nil, 0, fmt.Errorf("keeping the previous state as a backup: %w", err)
		}
	}
	fi, size, err := writeAtomicWith(l.file(), encode)
	if err != nil {
		return nil, 0, fmt.Errorf("writing the state: %w", err)
	}
	return fi, size, nil
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
	fi, _, err := writeAtomicWith(path, func(w io.Writer) (int64, error) {
		n, err := w.Write(data)
		return int64(n), err
	})
	return fi, err
}

// writeAtomicWith is writeAtomic of what encode writes, which it writes
// straight to the file; it returns the size written.
func writeAtomicWith(path string, encode func(io.Writer) (int64, error)) (os.FileInfo, int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	fi, size, err := writeSynced(tmp, encode)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, 0, err
	}
	return fi, size, syncDir(dir)
}

// writeSynced writes what encode writes to f with mode 0600, syncs it, and returns its
// info (the same file's after a rename).
func writeSynced(f *os.File, encode func(io.Writer) (int64, error)) (os.FileInfo, int64, error) {
	if err := f.Chmod(0o600); err != nil {
		return nil, 0, err
	}
	size, err := encode(f)
	if err != nil {
		return nil, 0, err
	}
	if err := f.Sync(); err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	return fi, size, err
}
