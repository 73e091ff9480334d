package state

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Decode parses a state document, migrating older format versions to the
// current one; name (a file path or blob URL) is used in error messages.
// A newer format version is refused: this build would lose what it does not
// understand.
func Decode(data []byte, name string) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, &CorruptError{Name: name, Err: err}
	}
	if dec.More() {
		return nil, &CorruptError{Name: name, Err: fmt.Errorf("unexpected data after the JSON document")}
	}
	switch {
	case s.Version > FormatVersion:
		return nil, fmt.Errorf("the state %s has format version %d, newer than this azapply understands (%d): upgrade azapply; the state was left as it is", name, s.Version, FormatVersion)
	case s.Version < 1:
		return nil, &CorruptError{Name: name, Err: fmt.Errorf("it has no format version")}
	case s.Lineage == "":
		return nil, fmt.Errorf("the state %s has no lineage: it is not an azapply state file; it was left as it is", name)
	}
	for i, r := range s.Resources {
		if r == nil || r.Address == "" {
			return nil, &CorruptError{Name: name, Err: fmt.Errorf("resource %d has no address", i)}
		}
	}
	migrate(&s)
	compact(&s)
	return &s, nil
}

// internMax is the longest string compact shares: keys and the values
// services repeat (locations, SKUs, states) are short, while the long ones
// (IDs, etags, GUIDs) are each different and would only fill the table.
// With 64, BenchmarkDecodeRetained10000 kept 0.6 MB less, and
// BenchmarkLocalRead10000 (whose values are all different and 45 bytes
// long) allocated 21 MB more.
const internMax = 32

// compact makes the bodies of a decoded state share one copy of each short
// string, key or value, that they repeat, and of each number: encoding/json
// makes a new string for every one, and the same dozens of keys and values
// recur in every resource. At 10,000 resources that is a fifth of the
// memory the decoded state holds for the whole command.
func compact(s *State) {
	in := interner{strs: map[string]string{}, vals: map[string]any{}, nums: map[json.Number]any{}}
	for _, r := range s.Resources {
		in.value(r.LastApplied)
		in.value(r.Output)
		if r.InFlight != nil {
			in.value(r.InFlight.Sent)
		}
	}
	for _, o := range s.Outputs {
		o.Value = in.value(o.Value)
	}
}

// interner hands out one copy of each string (and of its boxed value).
type interner struct {
	strs map[string]string
	vals map[string]any
	nums map[json.Number]any
}

func (in interner) str(s string) string {
	if len(s) > internMax {
		return s
	}
	if c, ok := in.strs[s]; ok {
		return c
	}
	in.strs[s] = s
	return s
}

// value returns v, or its shared copy, after sharing what a map or an
// array holds in place (a map's keys too: assigning to an existing key
// stores the key given).
func (in interner) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[in.str(k)] = in.value(e)
		}
	case []any:
		for i, e := range x {
			x[i] = in.value(e)
		}
	case string:
		if len(x) > internMax {
			return v
		}
		if c, ok := in.vals[x]; ok {
			return c
		}
		in.vals[x] = v
	case json.Number:
		if len(x) > internMax {
			return v
		}
		if c, ok := in.nums[x]; ok {
			return c
		}
		in.nums[x] = v
	}
	return v
}

// decodeHeader checks that data is a whole JSON state document and returns
// its version, lineage and serial only, without building its resources:
// what a write needs to know before it replaces the document.
func decodeHeader(data []byte, name string) (*State, error) {
	var h struct {
		Version int    `json:"version"`
		Lineage string `json:"lineage"`
		Serial  int64  `json:"serial"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, &CorruptError{Name: name, Err: err}
	}
	switch {
	case h.Version > FormatVersion:
		return nil, fmt.Errorf("the state %s has format version %d, newer than this azapply understands (%d): upgrade azapply; the state was left as it is", name, h.Version, FormatVersion)
	case h.Version < 1:
		return nil, &CorruptError{Name: name, Err: fmt.Errorf("it has no format version")}
	case h.Lineage == "":
		return nil, fmt.Errorf("the state %s has no lineage: it is not an azapply state file; it was left as it is", name)
	}
	return &State{Version: h.Version, Lineage: h.Lineage, Serial: h.Serial}, nil
}

// migrate brings an older state up to FormatVersion in memory; the next
// write stores it in the new format.
func migrate(s *State) {
	if s.Version < 2 {
		// Version 1 had no salt: nothing was hashed with one yet.
		if s.Salt == "" {
			s.Salt = newSalt()
		}
	}
	s.Version = FormatVersion
}

// Encode returns the JSON document of s, as the backends store it.
func Encode(s *State) ([]byte, error) {
	s.Version = FormatVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the state: %w", err)
	}
	return append(data, '\n'), nil
}

// CorruptError is a state that cannot be parsed. It is never overwritten.
type CorruptError struct {
	Name string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the state %s cannot be parsed (%v); it was left as it is and nothing was changed. Restore it from the backup (%s.backup for a local state, a blob snapshot for azureblob) or from version control, then run the command again", e.Name, e.Err, e.Name)
}

func (e *CorruptError) Unwrap() error { return e.Err }
