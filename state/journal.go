package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// A journal is kept beside the stored state while apply runs: one line of
// JSON per save, each record self-contained (the whole record of every
// resource it changed), so that a save costs the size of what changed
// rather than the size of the state. Its first line names the state it
// extends (lineage and serial); every record carries the serial the save
// gave the state. Writing the whole state (Backend.Write) compacts it: the
// state is written first, then the journal removed, so that a crash in
// between leaves a journal older than the state, which is ignored.
//
//	{"journal":1,"version":2,"lineage":"…","serial":7,"salt":"…"}
//	{"serial":8,"set":[{"address":"resource.rg","id":"…",…}]}
//	{"serial":9,"remove":["resource.old"]}
//	{"serial":10,"outputs":{"name":{"value":"…"}}}
//	{"serial":11,"immutable":{"microsoft.web/sites":["properties.x"]}}

// JournalFormat is the version of the journal format this build writes.
const JournalFormat = 1

// OutputsChanged names the state's outputs among the changes given to
// Save, beside the addresses of the resources that changed.
const OutputsChanged = "(outputs)"

// journalHeader is the first line of a journal: the state it extends.
type journalHeader struct {
	Journal int    `json:"journal"`
	Version int    `json:"version"`
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	// Salt is the salt the records' hashes were made with: a state of
	// format 1 gets its salt when read, so its file does not have it yet.
	Salt string `json:"salt,omitempty"`
}

// journalRecord is one save: the resources recorded or replaced, those
// removed, and the outputs when they changed.
type journalRecord struct {
	Serial  int64           `json:"serial"`
	Set     []*Resource     `json:"set,omitempty"`
	Remove  []string        `json:"remove,omitempty"`
	Outputs json.RawMessage `json:"outputs,omitempty"`
	// Immutable is the state's whole Immutable map, when it changed.
	Immutable map[string][]string `json:"immutable,omitempty"`
}

// JournalHeader is the first line of a journal extending s as stored.
func JournalHeader(s *State) ([]byte, error) {
	data, err := json.Marshal(journalHeader{Journal: JournalFormat, Version: FormatVersion, Lineage: s.Lineage, Serial: s.Serial, Salt: s.Salt})
	if err != nil {
		return nil, fmt.Errorf("encoding the state journal: %w", err)
	}
	return append(data, '\n'), nil
}

// JournalRecord is the line recording a save that gives s the serial
// `serial` and changed the named addresses (or OutputsChanged): each resource's
// whole record as s holds it now, or its removal when s no longer has it.
func JournalRecord(s *State, serial int64, changed []string) ([]byte, error) {
	rec := journalRecord{Serial: serial}
	seen := make(map[string]bool, len(changed))
	for _, a := range changed {
		if seen[a] {
			continue
		}
		seen[a] = true
		if a == OutputsChanged {
			out, err := json.Marshal(s.Outputs)
			if err != nil {
				return nil, fmt.Errorf("encoding the state's outputs: %w", err)
			}
			rec.Outputs = out
			continue
		}
		if a == ImmutableChanged {
			rec.Immutable = cloneImmutable(s.Immutable)
			continue
		}
		if r := s.Get(a); r != nil {
			rec.Set = append(rec.Set, r)
		} else {
			rec.Remove = append(rec.Remove, a)
		}
	}
	data, err := rec.marshal()
	if err != nil {
		return nil, fmt.Errorf("encoding the state journal: %w", err)
	}
	return append(data, '\n'), nil
}

// marshal is json.Marshal(rec), byte for byte, with the resources written
// by writer (jsonwrite.go): the record of every save is the bodies it
// changed, and reflecting over them was most of a save's cost.
func (rec *journalRecord) marshal() ([]byte, error) {
	w := &writer{}
	w.buf = append(w.buf, `{"serial":`...)
	w.buf = strconv.AppendInt(w.buf, rec.Serial, 10)
	if len(rec.Set) > 0 {
		w.buf = append(w.buf, `,"set":[`...)
		for i, r := range rec.Set {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			at := len(w.buf)
			if w.resource(r) {
				continue
			}
			w.buf = w.buf[:at]
			data, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			w.buf = append(w.buf, data...)
		}
		w.buf = append(w.buf, ']')
	}
	// The rest is small, and encoding/json's.
	rest := journalRecord{Remove: rec.Remove, Outputs: rec.Outputs, Immutable: rec.Immutable}
	data, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	// data is {"serial":0,...}: keep what follows the serial.
	tail, ok := bytes.CutPrefix(data, []byte(`{"serial":0`))
	if !ok {
		return nil, fmt.Errorf("unexpected encoding of a journal record: %.40q", data)
	}
	return append(w.buf, tail...), nil
}

// JournalError is a journal that cannot be replayed over its state. Neither
// is ever overwritten or removed while it stands.
type JournalError struct {
	// Name is the journal's file or blob; State the state's.
	Name, State string
	Err         error
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("the state journal %s cannot be replayed over the state %s (%v); both were left as they are and nothing was changed. The journal holds what a run recorded after the state was last written in full: restore the state it extends, or move the journal aside to use the state without those changes (then run plan, and import what it created)", e.Name, e.State, e.Err)
}

func (e *JournalError) Unwrap() error { return e.Err }

// IsJournalError reports whether err is, or wraps, a *JournalError: a
// backend that read without its lock reads again, since a run holding the
// lock may have compacted its journal and started the next in between.
func IsJournalError(err error) bool {
	var je *JournalError
	return errors.As(err, &je)
}

// Replay is what reading a journal found.
type Replay struct {
	// Stale: the journal extends an older version of the state (a crash
	// after the state was written, before the journal was removed): it was
	// not replayed and may be removed under the lock.
	Stale bool
	// Records counts the records replayed; Torn says a last record cut
	// short by a crash was dropped.
	Records int
	Torn    bool
}

// ReplayJournal applies the journal data to base, the stored state (nil
// when none is stored), and returns the state with the journal's records
// applied. name and stateName are for messages.
func ReplayJournal(base *State, data []byte, name, stateName string) (*State, Replay, error) {
	var info Replay
	fail := func(err error) (*State, Replay, error) {
		return nil, info, &JournalError{Name: name, State: stateName, Err: err}
	}
	end := bytes.IndexByte(data, '\n')
	if end < 0 {
		// The header itself was cut short: no record was ever made durable.
		info.Torn = len(data) > 0
		return base, info, nil
	}
	var h journalHeader
	if err := json.Unmarshal(data[:end], &h); err != nil {
		return fail(fmt.Errorf("its first line: %w", err))
	}
	switch {
	case h.Journal > JournalFormat || h.Version > FormatVersion:
		return nil, info, fmt.Errorf("the state journal %s has format %d (state format %d), newer than this azapply understands: upgrade azapply; it was left as it is", name, h.Journal, h.Version)
	case h.Journal < 1 || h.Lineage == "":
		return fail(errors.New("its first line names no journal format and lineage"))
	case base == nil && h.Serial != 0:
		return fail(fmt.Errorf("it extends serial %d of lineage %s, and there is no state", h.Serial, h.Lineage))
	case base == nil:
		base = &State{Version: FormatVersion, Lineage: h.Lineage}
	case base.Lineage != h.Lineage:
		return fail(fmt.Errorf("it extends lineage %s, and the state is lineage %s", h.Lineage, base.Lineage))
	case h.Serial < base.Serial:
		info.Stale = true
		return base, info, nil
	case h.Serial > base.Serial:
		return fail(fmt.Errorf("it extends serial %d, and the state is at serial %d, older: was the state restored from a backup?", h.Serial, base.Serial))
	}
	if h.Salt != "" {
		base.Salt = h.Salt
	}
	rest := data[end+1:]
	for line := 2; len(rest) > 0; line++ {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			// A crash cut the last append short: that save never finished.
			info.Torn = true
			break
		}
		rec, err := decodeRecord(rest[:end])
		if err == nil && rec.Serial != base.Serial+1 {
			err = fmt.Errorf("serial %d follows serial %d", rec.Serial, base.Serial)
		}
		if err != nil {
			if len(bytes.TrimSpace(rest[end+1:])) == 0 && len(bytes.Trim(rest[:end], "\x00")) < end {
				// Zeros where the last record should be: a crash of the
				// machine lost the end of the last append.
				info.Torn = true
				break
			}
			return fail(fmt.Errorf("line %d: %w", line, err))
		}
		if err := rec.apply(base); err != nil {
			return fail(fmt.Errorf("line %d: %w", line, err))
		}
		info.Records++
		rest = rest[end+1:]
	}
	return base, info, nil
}

func decodeRecord(line []byte) (*journalRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var rec journalRecord
	if err := dec.Decode(&rec); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the record")
	}
	return &rec, nil
}

// apply makes the record's changes to s.
func (rec *journalRecord) apply(s *State) error {
	for i, r := range rec.Set {
		if r == nil || r.Address == "" {
			return fmt.Errorf("resource %d has no address", i)
		}
		s.Set(r)
	}
	for _, a := range rec.Remove {
		s.Remove(a)
	}
	if len(rec.Outputs) > 0 {
		dec := json.NewDecoder(bytes.NewReader(rec.Outputs))
		dec.UseNumber()
		var out map[string]*Output
		if err := dec.Decode(&out); err != nil {
			return fmt.Errorf("its outputs: %w", err)
		}
		s.Outputs = out
	}
	if rec.Immutable != nil {
		s.Immutable = normalizeImmutable(rec.Immutable)
	}
	s.Serial = rec.Serial
	return nil
}

// CompactAt is the journal size past which a save writes the whole state
// instead: the size of the state as last written, so that the writes of a
// long apply cost a constant amount per save and a replay reads at most
// twice the state; never less than 64 KiB, so that a small state is not
// rewritten at every save.
func CompactAt(stateSize int64) int64 { return max(stateSize, 64<<10) }
