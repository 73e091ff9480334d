package body

import "encoding/json"

// Unknown stands in a body for a value not known until apply (an ID of a
// resource not yet created). It compares unequal to everything, and a
// request carries it until apply knows the value.
type Unknown struct{}

// String is how plans print an unknown value.
func (Unknown) String() string { return "(known after apply)" }

// MarshalJSON encodes an unknown as the string plans print for it.
func (u Unknown) MarshalJSON() ([]byte, error) { return json.Marshal(u.String()) }

// Absent marks a value missing on one side of a PathChange.
type Absent struct{}

// IsAbsent reports whether v is Absent.
func IsAbsent(v any) bool {
	_, ok := v.(Absent)
	return ok
}

// Sensitive stands in for a secret value in a PathChange, so that no
// renderer and no plan file ever sees one. It encodes as "(sensitive)".
type Sensitive struct{}

// SensitiveText is how a Sensitive value prints.
const SensitiveText = "(sensitive)"

// MarshalJSON encodes the marker as the text renderers print.
func (Sensitive) MarshalJSON() ([]byte, error) { return json.Marshal(SensitiveText) }

// Copy deep-copies a JSON value (maps, slices, and the strings, numbers
// and bools they hold), keeping a nil map or slice nil, so that a body
// shared between a plan, a cache and a request can be changed in one place
// only.
func Copy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return v
		}
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = Copy(e)
		}
		return m
	case []any:
		if v == nil {
			return v
		}
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = Copy(e)
		}
		return a
	}
	return v
}
