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
