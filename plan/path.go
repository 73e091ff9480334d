package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/secret"
)

// Path locates a value inside a body: object keys and array elements. An
// element matched by a field (a subnet by its name) remembers that field, so
// that the same element can be found again in the last-applied body and in
// the output, whatever position it has there.
type Path []Segment

// Segment is one step of a Path: an object key, or an array element.
type Segment struct {
	// Key is the object key; empty for an array element.
	Key string
	// Index is the element's position in the declared array.
	Index int
	// MatchField and MatchValue identify an element by one of its fields
	// (name=app) when the array is matched by key rather than by position.
	MatchField string
	MatchValue string
	elem       bool
}

// key returns p extended by an object key.
func (p Path) key(k string) Path {
	return append(p[:len(p):len(p)], Segment{Key: k})
}

// index returns p extended by an array element at position i.
func (p Path) index(i int) Path {
	return append(p[:len(p):len(p)], Segment{Index: i, elem: true})
}

// matched returns p extended by an element identified by field=value.
func (p Path) matched(i int, field, value string) Path {
	return append(p[:len(p):len(p)], Segment{Index: i, MatchField: field, MatchValue: value, elem: true})
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_$@-]+$`)

// String prints the path as people write it: properties.subnets[name=app].id,
// tags["hidden-link:/x"], ipRules[0].
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.elem && s.MatchField != "":
			fmt.Fprintf(&b, "[%s=%s]", s.MatchField, s.MatchValue)
		case s.elem:
			fmt.Fprintf(&b, "[%d]", s.Index)
		case plainKey.MatchString(s.Key):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		default:
			fmt.Fprintf(&b, "[%q]", s.Key)
		}
	}
	return b.String()
}

// steps is the path as package secret reads it.
func (p Path) steps() []secret.Step {
	out := make([]secret.Step, len(p))
	for i, s := range p {
		out[i] = secret.Step{Key: s.Key, Elem: s.elem}
	}
	return out
}

// lastKey is the last object key of the path, "" when there is none.
func (p Path) lastKey() string {
	for i := len(p) - 1; i >= 0; i-- {
		if !p[i].elem {
			return p[i].Key
		}
	}
	return ""
}

// pattern is a parsed rule path such as properties.rules[*].name: object keys,
// [*] for any element, [N] for the element at position N.
type pattern struct {
	text string
	segs []patternSeg
}

type patternSeg struct {
	key   string
	elem  bool
	any   bool
	index int
}

// parsePattern parses a dotted rule path. Keys may be quoted in brackets
// (tags["hidden-link:/x"]) when they hold dots or brackets.
func parsePattern(text string) (pattern, error) {
	p := pattern{text: text}
	s := strings.TrimSpace(text)
	if s == "" {
		return p, fmt.Errorf("the path is empty")
	}
	expectKey := true
	for len(s) > 0 {
		switch {
		case s[0] == '.':
			if expectKey {
				return p, fmt.Errorf("path %q has an empty key", text)
			}
			s = s[1:]
			expectKey = true
			if s == "" {
				return p, fmt.Errorf("path %q ends with a dot", text)
			}
		case s[0] == '[':
			end := closingBracket(s)
			if end < 0 {
				return p, fmt.Errorf("path %q has a [ without a matching ]", text)
			}
			inner := s[1:end]
			s = s[end+1:]
			switch {
			case inner == "*":
				p.segs = append(p.segs, patternSeg{elem: true, any: true})
			case strings.HasPrefix(inner, `"`):
				k, err := strconv.Unquote(inner)
				if err != nil {
					return p, fmt.Errorf("path %q: %s is not a quoted key", text, inner)
				}
				p.segs = append(p.segs, patternSeg{key: k})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return p, fmt.Errorf("path %q: [%s] must be [*], a position such as [0], or a quoted key", text, inner)
				}
				p.segs = append(p.segs, patternSeg{elem: true, index: n})
			}
			expectKey = false
		default:
			if !expectKey {
				return p, fmt.Errorf("path %q: a key must follow a dot", text)
			}
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			p.segs = append(p.segs, patternSeg{key: s[:end]})
			s = s[end:]
			expectKey = false
		}
	}
	return p, nil
}

func closingBracket(s string) int {
	inQuote := false
	for i := 1; i < len(s); i++ {
		switch {
		case inQuote && s[i] == '\\':
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case !inQuote && s[i] == ']':
			return i
		}
	}
	return -1
}

// matchPrefix reports whether the pattern matches the first len(pattern)
// segments of path: the path is the pattern's value or lies inside it.
func (pt pattern) matchPrefix(path Path) bool {
	if len(path) < len(pt.segs) {
		return false
	}
	for i, ps := range pt.segs {
		s := path[i]
		if ps.elem != s.elem {
			return false
		}
		if ps.elem {
			if !ps.any && ps.index != s.Index {
				return false
			}
			continue
		}
		if !strings.EqualFold(ps.key, s.Key) {
			return false
		}
	}
	return true
}

// matchExact reports whether the pattern names exactly path.
func (pt pattern) matchExact(path Path) bool {
	return len(path) == len(pt.segs) && pt.matchPrefix(path)
}

// lookup finds the value at path in a body. Elements matched by a field are
// found by that field, the others by position.
func lookup(v any, path Path) (any, bool) {
	return keyIndexes(nil).lookup(v, path)
}

// keyIndexes remember, for each array of matched elements and match field,
// where each key is, so that matching n named elements (an application
// gateway's hundreds of rules) costs O(n) rather than O(n²). One diff keeps
// one; the bodies must not change while it is used. A nil keyIndexes scans.
type keyIndexes map[keyIndexID]map[string][]int

type keyIndexID struct {
	first *any
	n     int
	field string
}

// minIndexed is the shortest array worth a map: below it, a scan is faster.
const minIndexed = 16

// positions returns the positions of the elements of arr whose key is k,
// in order.
func (ix keyIndexes) positions(arr []any, field, k string) []int {
	if ix == nil || len(arr) < minIndexed {
		var out []int
		for j, e := range arr {
			if keyOf(e, field) == k {
				out = append(out, j)
			}
		}
		return out
	}
	id := keyIndexID{first: &arr[0], n: len(arr), field: field}
	m, ok := ix[id]
	if !ok {
		m = make(map[string][]int, len(arr))
		for j, e := range arr {
			key := keyOf(e, field)
			m[key] = append(m[key], j)
		}
		ix[id] = m
	}
	return m[k]
}

func (ix keyIndexes) lookup(v any, path Path) (any, bool) {
	for _, s := range path {
		if !s.elem {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.Key]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, false
		}
		if s.MatchField == "" {
			if s.Index >= len(arr) {
				return nil, false
			}
			v = arr[s.Index]
			continue
		}
		at := ix.positions(arr, s.MatchField, s.MatchValue)
		if len(at) == 0 {
			return nil, false
		}
		v = arr[at[0]]
	}
	return v, true
}

// keyOf returns the matching key of an array element: the field's value as a
// string, lower-cased for name and id (ARM compares them case-insensitively).
// It is "" when the element has no such scalar field.
func keyOf(e any, field string) string {
	m, ok := e.(map[string]any)
	if !ok {
		return ""
	}
	v, ok := m[field]
	if !ok || v == nil {
		return ""
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case map[string]any, []any, config.Unknown:
		return ""
	default:
		s = fmt.Sprint(v)
		if n, ok := number(v); ok {
			s = n.Text('g', -1)
		}
	}
	if field == "name" || field == "id" || looksLikeID(s) {
		s = strings.ToLower(s)
	}
	return s
}
