package bodypath

import (
	"fmt"
	"regexp"
	"strings"
)

// Step is one step of a Path: an object key, or (Elem) an array element.
// An element step is one of: every element (All, patterns only), the
// element at a position (Index), or the element whose field MatchField has
// the value MatchValue. An element matched by a field keeps its position
// in the declared array in Index too, so that a pattern's [N] still names
// it.
type Step struct {
	// Key is the object key of a key step; "" for an element step.
	Key string
	// Elem marks an array element step.
	Elem bool
	// All marks [*]: every element.
	All bool
	// Index is the element's position.
	Index int
	// MatchField and MatchValue identify an element by one of its fields
	// ([name=app]).
	MatchField string
	MatchValue string
}

// Path locates a value inside a body. A concrete path (one value) has no
// All step; a pattern may have some.
type Path []Step

// Key returns p extended by an object key. It never changes p.
func (p Path) Key(k string) Path {
	return append(p[:len(p):len(p)], Step{Key: k})
}

// Elem returns p extended by the array element at position i.
func (p Path) Elem(i int) Path {
	return append(p[:len(p):len(p)], Step{Index: i, Elem: true})
}

// All returns p extended by every element of an array: [*].
func (p Path) All() Path {
	return append(p[:len(p):len(p)], Step{Elem: true, All: true})
}

// Matched returns p extended by the element at position i identified by
// field=value.
func (p Path) Matched(i int, field, value string) Path {
	return append(p[:len(p):len(p)], Step{Index: i, MatchField: field, MatchValue: value, Elem: true})
}

// LastKey is the last object key of the path, "" when there is none.
func (p Path) LastKey() string {
	for i := len(p) - 1; i >= 0; i-- {
		if !p[i].Elem {
			return p[i].Key
		}
	}
	return ""
}

// plainKey is a key written after a dot; any other key is quoted.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_$@-]+$`)

// IsPlainKey reports whether String writes the key k bare (after a dot)
// rather than quoted (["k"]): renderers that print keys alone use the same
// rule.
func IsPlainKey(k string) bool { return plainKey.MatchString(k) }

// String writes the path as people read it: properties.subnets[name=app].id,
// tags["hidden-link:/x"], ipRules[0], rules[*].name. Parse reads it back,
// unless a [field=value] value holds a ']' (values are written as they are).
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.Elem && s.All:
			b.WriteString("[*]")
		case s.Elem && s.MatchField != "":
			fmt.Fprintf(&b, "[%s=%s]", s.MatchField, s.MatchValue)
		case s.Elem:
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
