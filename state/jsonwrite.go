package state

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// A state of 10,000 resources is written whole at every compaction of its
// journal and once more at the end of an apply. encoding/json spent most of
// that time reflecting over the bodies, generic JSON values, and sorting
// their keys through reflect. writer writes the values a body holds
// (objects, arrays, strings, json.Number, booleans, null) itself, with the
// same bytes as encoding/json's Encoder with SetIndent: sorted keys, the
// same escapes (HTML characters, U+2028 and U+2029, invalid UTF-8 as
// U+FFFD), an empty object or array kept on one line. Anything else (a
// float64 from a caller, an Operation in flight) makes it give up, and the
// caller encodes with encoding/json instead. TestWriterIsEncodingJSON holds
// it to encoding/json's bytes.

// writer appends JSON to buf, indented with prefix and indent as
// json.Encoder.SetIndent does, or compact when indent is "".
type writer struct {
	buf            []byte
	prefix, indent string
	// keys is scratch space for sorting keys, one slice per depth.
	keys [][]string
}

// newline starts a line at depth, when indenting.
func (w *writer) newline(depth int) {
	if w.indent == "" {
		return
	}
	w.buf = append(w.buf, '\n')
	w.buf = append(w.buf, w.prefix...)
	for range depth {
		w.buf = append(w.buf, w.indent...)
	}
}

// colon separates a key from its value.
func (w *writer) colon() {
	w.buf = append(w.buf, ':')
	if w.indent != "" {
		w.buf = append(w.buf, ' ')
	}
}

// resource writes r as encoding/json writes a Resource, and reports false
// when it cannot (then buf holds a part of it: the caller resets it).
func (w *writer) resource(r *Resource) bool {
	if r.InFlight != nil {
		return false
	}
	w.buf = append(w.buf, '{')
	w.member(0, 1, "address")
	w.str(r.Address)
	w.member(1, 1, "id")
	w.str(r.ID)
	w.member(2, 1, "api_version")
	w.str(r.APIVersion)
	w.member(3, 1, "last_applied")
	if !w.object(r.LastApplied, 1) {
		return false
	}
	if len(r.Output) > 0 { // omitempty
		w.member(4, 1, "output")
		if !w.object(r.Output, 1) {
			return false
		}
	}
	w.newline(0)
	w.buf = append(w.buf, '}')
	return true
}

// member starts the i-th member of an object, on its line at depth: the
// comma before it, the key and its colon.
func (w *writer) member(i, depth int, key string) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
	w.newline(depth)
	w.str(key)
	w.colon()
}

// value writes v at depth.
func (w *writer) value(v any, depth int) bool {
	switch x := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		w.str(x)
	case bool:
		if x {
			w.buf = append(w.buf, "true"...)
		} else {
			w.buf = append(w.buf, "false"...)
		}
	case json.Number:
		s := string(x)
		if s == "" {
			s = "0"
		}
		if !validNumber(s) {
			return false
		}
		w.buf = append(w.buf, s...)
	case map[string]any:
		return w.object(x, depth)
	case []any:
		if x == nil {
			w.buf = append(w.buf, "null"...)
			return true
		}
		if len(x) == 0 {
			w.buf = append(w.buf, "[]"...)
			return true
		}
		w.buf = append(w.buf, '[')
		for i, e := range x {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.newline(depth + 1)
			if !w.value(e, depth+1) {
				return false
			}
		}
		w.newline(depth)
		w.buf = append(w.buf, ']')
	default:
		return false
	}
	return true
}

// object writes m, its keys sorted, at depth.
func (w *writer) object(m map[string]any, depth int) bool {
	if m == nil {
		w.buf = append(w.buf, "null"...)
		return true
	}
	if len(m) == 0 {
		w.buf = append(w.buf, "{}"...)
		return true
	}
	for len(w.keys) <= depth {
		w.keys = append(w.keys, nil)
	}
	keys := w.keys[depth][:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.keys[depth] = keys
	w.buf = append(w.buf, '{')
	for i, k := range keys {
		w.member(i, depth+1, k)
		if !w.value(m[k], depth+1) {
			return false
		}
	}
	w.newline(depth)
	w.buf = append(w.buf, '}')
	return true
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string, escaped as encoding/json escapes it.
func (w *writer) str(s string) {
	b := append(w.buf, '"')
	from := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[from:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control characters, and < > &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			from = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[from:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[from:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		from = i
	}
	b = append(b, s[from:]...)
	w.buf = append(b, '"')
}

// validNumber says whether s is a JSON number.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
