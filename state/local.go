package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Local stores the state in a JSON file.
type Local struct {
	Path string
}

// Read returns the state in the file, or a new empty state when there is no
// file yet. A file that cannot be parsed is an error and is left untouched.
func (l *Local) Read() (*State, error) {
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, os.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	return Decode(data, l.Path)
}

// Decode parses a state document; name is used in error messages.
func Decode(data []byte, name string) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("the state file %s cannot be parsed (%v); it was left as it is. Restore it from %s.backup or from version control, then run the command again", name, err, name)
	}
	if s.Version > FormatVersion {
		return nil, fmt.Errorf("the state file %s has format version %d, newer than this azapply understands (%d); upgrade azapply", name, s.Version, FormatVersion)
	}
	if s.Lineage == "" {
		return nil, fmt.Errorf("the state file %s has no lineage: it is not an azapply state file", name)
	}
	return &s, nil
}

// Write stores s, bumping its serial: to a temporary file that is synced and
// then renamed over the old one, keeping the previous version as .backup.
func (l *Local) Write(s *State) error {
	s.Serial++
	s.Version = FormatVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the state: %w", err)
	}
	dir := filepath.Dir(l.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(l.Path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the state: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if old, err := os.ReadFile(l.Path); err == nil {
		if err := os.WriteFile(l.Path+".backup", old, 0o600); err != nil {
			return fmt.Errorf("keeping the previous state as a backup: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), l.Path); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
