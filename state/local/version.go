package local

import (
	"os"

	"github.com/azapply/azapply/state"
)

// storedFile is the state file as this backend last read or wrote it:
// while it is still the file at the path, a write need not read it again
// to check it, and a save may go to the journal. Backend.mu guards it.
type storedFile struct {
	// info is the file's, taken from the open file so that it is that of
	// the bytes read; nil when none is known.
	info os.FileInfo
	// serial and lineage are the state's in the file.
	serial  int64
	lineage string
	// size is the size of the file last read or written; past it, a
	// save compacts the journal.
	size int64
}

// remember records the file read or written: its info (or the error
// getting it, which leaves it unknown), the state's serial and lineage in
// it, and its size.
func (f *storedFile) remember(fi os.FileInfo, err error, serial int64, lineage string, size int64) {
	f.size = size
	if err != nil || fi == nil {
		f.info = nil
		return
	}
	f.info, f.serial, f.lineage = fi, serial, lineage
}

// forget makes the file unknown: the next write reads it to check it.
func (f *storedFile) forget() { f.info = nil }

// unchangedSince reports whether the file at path is still the one this
// backend last read or wrote, holding s's lineage and serial.
func (f *storedFile) unchangedSince(path string, s *state.State) bool {
	if f.serial != s.Serial || f.lineage != s.Lineage {
		return false
	}
	return f.still(path)
}

// still reports whether the file at path is still the one this backend
// last read or wrote.
func (f *storedFile) still(path string) bool {
	if f.info == nil {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, f.info) && fi.Size() == f.info.Size() && fi.ModTime().Equal(f.info.ModTime())
}
