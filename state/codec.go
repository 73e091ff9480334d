package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Decode parses a state document, migrating older format versions to the
// current one; name (a file path or blob URL) is used in error messages.
// A newer format version is refused: this build would lose what it does not
// understand. The bodies of the state it returns share the parts they
// repeat (see compact): they are read-only, and a caller that changes one
// changes a copy (Clone, or Redact, which copies).
func Decode(data []byte, name string) (*State, error) {
	s, err := decodeStream(data)
	if err != nil {
		// The stream stops at the first problem; decoding the whole
		// document at once words it as encoding/json always has.
		s, err = decodeWhole(data)
		if err != nil {
			return nil, &CorruptError{Name: name, Err: err}
		}
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
	migrate(s)
	s.reindex()
	return s, nil
}

// decodeWhole decodes data at once, and compacts it (see compact).
func decodeWhole(data []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON document")
	}
	compact(&s)
	return &s, nil
}

// decodeStream decodes data one resource at a time, compacting each as it
// comes: decoding the whole document at once copies all of it into the
// decoder's buffer and holds every body uncompacted until the end, about
// 100 MB more at the moment a 10,000-resource state is read. Everything but
// the resources goes through encoding/json as one small object, so each
// field decodes as it would in the whole document. Any error sends Decode
// back to decodeWhole.
func decodeStream(data []byte) (*State, error) {
	in := newInterner()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var rest bytes.Buffer
	rest.WriteByte('{')
	var resources []*Resource
	streamed := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if strings.EqualFold(key, "resources") {
			if resources, err = decodeResources(dec, in); err != nil {
				return nil, err
			}
			streamed = true
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if rest.Len() > 1 {
			rest.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		rest.Write(k)
		rest.WriteByte(':')
		rest.Write(raw)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, fmt.Errorf("the JSON object does not end")
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON document")
	}
	rest.WriteByte('}')
	var s State
	rd := json.NewDecoder(&rest)
	rd.UseNumber()
	if err := rd.Decode(&s); err != nil {
		return nil, err
	}
	if streamed {
		s.Resources = resources
	}
	for _, o := range s.Outputs {
		if o != nil {
			o.Value, _, _ = in.value(o.Value)
		}
	}
	return &s, nil
}

// decodeResources decodes the array of resources (or null) that dec is at.
func decodeResources(dec *json.Decoder, in interner) ([]*Resource, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('[') {
		return nil, fmt.Errorf("resources is not an array")
	}
	resources := []*Resource{}
	for dec.More() {
		var r *Resource
		if err := dec.Decode(&r); err != nil {
			return nil, err
		}
		if r != nil {
			in.resource(r)
		}
		resources = append(resources, r)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return resources, nil
}

// internMax is the longest string compact shares: keys and the values
// services repeat (locations, SKUs, states) are short, while the long ones
// (IDs, etags, GUIDs) are each different and would only fill the table.
// With 64, BenchmarkDecodeRetained10000 kept 0.6 MB less, and
// BenchmarkLocalRead10000 (whose values are all different and 45 bytes
// long) allocated 21 MB more.
const internMax = 32

// treeMax is the most entries a map or an array may hold to be shared
// whole (see compact).
const treeMax = 16

// compact makes the bodies of a decoded state share what they repeat: one
// copy of each short string, key or value, and of each number (encoding/json
// makes a new one for every occurrence), and one copy of each small map or
// array that recurs whole (tags, SKUs, a body declared alike for many
// resources, empty arrays). The same dozens of keys and values recur in
// every resource: at 10,000 resources, this is half of the memory the
// decoded state holds for the whole command. The bodies of a decoded state
// are therefore read-only: Clone a state, or the body, to change one.
func compact(s *State) {
	in := newInterner()
	for _, r := range s.Resources {
		if r != nil {
			in.resource(r)
		}
	}
	for _, o := range s.Outputs {
		if o != nil {
			o.Value, _, _ = in.value(o.Value)
		}
	}
}

func newInterner() interner {
	return interner{strs: map[string]string{}, vals: map[string]any{}, nums: map[json.Number]any{}, trees: map[string]sharedTree{}}
}

// resource compacts the bodies of r.
func (in interner) resource(r *Resource) {
	r.LastApplied = in.body(r.LastApplied)
	r.Output = in.body(r.Output)
	if r.InFlight != nil {
		r.InFlight.Sent = in.body(r.InFlight.Sent)
	}
}

// interner hands out one copy of each value it was given.
type interner struct {
	strs map[string]string
	vals map[string]any
	nums map[json.Number]any
	// trees are the maps and arrays shared whole, by their contents
	// written as a ref (see value).
	trees map[string]sharedTree
}

type sharedTree struct {
	v   any
	ref string
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

func (in interner) body(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	v, _, _ := in.value(m)
	return v.(map[string]any)
}

// value returns v, or its shared copy, after sharing what a map or an
// array holds in place (a map's keys too: assigning to an existing key
// stores the key given). ref names the value's contents, for the map or
// array that holds it, and ok says whether it may be part of a shared
// one: long strings (IDs, etags) and large maps and arrays are not shared,
// since they seldom repeat.
func (in interner) value(v any) (shared any, ref string, ok bool) {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return v, "", false
		}
		type entry struct{ key, ref string }
		entries := make([]entry, 0, len(x))
		ok := len(x) <= treeMax
		for k, e := range x {
			ev, eref, eok := in.value(e)
			k = in.str(k)
			x[k] = ev
			if ok = ok && eok && len(k) <= internMax; ok {
				entries = append(entries, entry{k, eref})
			}
		}
		if !ok {
			return v, "", false
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		var key strings.Builder
		key.WriteByte('{')
		for _, e := range entries {
			key.WriteString(strconv.Itoa(len(e.key)))
			key.WriteByte(':')
			key.WriteString(e.key)
			key.WriteString(e.ref)
		}
		key.WriteByte('}')
		return in.tree(v, key.String())
	case []any:
		if x == nil {
			return v, "", false
		}
		ok := len(x) <= treeMax
		var key strings.Builder
		key.WriteByte('[')
		for i, e := range x {
			ev, eref, eok := in.value(e)
			x[i] = ev
			if ok = ok && eok; ok {
				key.WriteString(eref)
			}
		}
		if !ok {
			return v, "", false
		}
		key.WriteByte(']')
		return in.tree(v, key.String())
	case string:
		if len(x) > internMax {
			return v, "", false
		}
		c, found := in.vals[x]
		if !found {
			c = v
			in.vals[x] = v
		}
		return c, "s" + strconv.Itoa(len(x)) + ":" + x, true
	case json.Number:
		if len(x) > internMax {
			return v, "", false
		}
		c, found := in.nums[x]
		if !found {
			c = v
			in.nums[x] = v
		}
		return c, "n" + string(x) + ";", true
	case bool:
		if x {
			return v, "t", true
		}
		return v, "f", true
	case nil:
		return v, "z", true
	}
	return v, "", false
}

// tree returns the shared map or array whose contents are key, v itself
// when it is the first.
func (in interner) tree(v any, key string) (any, string, bool) {
	if t, found := in.trees[key]; found {
		return t.v, t.ref, true
	}
	t := sharedTree{v: v, ref: "#" + strconv.Itoa(len(in.trees)) + ";"}
	in.trees[key] = t
	return t.v, t.ref, true
}

// CheckOverwrite refuses to replace the stored state document old (named
// name in messages) with s when old cannot be parsed, belongs to another
// lineage, or was written after s was read. An empty document may be
// replaced.
func CheckOverwrite(old []byte, name string, s *State) error {
	if len(bytes.TrimSpace(old)) == 0 {
		return nil
	}
	cur, err := decodeHeader(old, name)
	if err != nil {
		return err
	}
	if cur.Lineage != s.Lineage {
		return &ConflictError{Where: name, Detail: fmt.Sprintf("it holds lineage %s, this run has %s: it is the record of another stack", cur.Lineage, s.Lineage)}
	}
	if cur.Serial > s.Serial {
		return &ConflictError{Where: name, Detail: fmt.Sprintf("it is at serial %d, this run read serial %d", cur.Serial, s.Serial)}
	}
	return nil
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
	// Version 2 had no learned immutable paths; from 3 on, keep them in
	// the form LearnImmutable writes (lower-cased types, sorted, no empty
	// path), whatever a hand edit left.
	s.Immutable = normalizeImmutable(s.Immutable)
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
