package state

import (
	"bytes"
	"fmt"
	"testing"
)

// TestEncodeToEqualsEncode: the streamed encoding is Encode's, byte for
// byte, for states with no resources, nil resources, outputs that hold a
// "resources" list of their own, and bodies that need escaping.
func TestEncodeToEqualsEncode(t *testing.T) {
	many := New()
	for i := range 50 {
		many.Set(&Resource{Address: fmt.Sprintf("resource.r%02d", i), ID: fmt.Sprintf("/subscriptions/s/resourceGroups/r%d", i), APIVersion: "2021-04-01",
			LastApplied: map[string]any{"location": "westus", "tags": map[string]any{"a<b>&": "\"q\"\n", "n": 1.5}, "list": []any{}}})
	}
	many.Outputs = map[string]*Output{"resources": {Value: []any{}}, "x": {Value: map[string]any{"resources": []any{1}}}}
	many.Immutable = map[string][]string{"microsoft.web/sites": {"properties.x"}}
	tests := []struct {
		name string
		s    *State
	}{
		{"new", New()},
		{"nil resources", &State{Lineage: "l", Serial: 3}},
		{"one", func() *State { s := New(); s.Set(&Resource{Address: "resource.a", ID: "/subscriptions/s"}); return s }()},
		{"many, with outputs and immutable paths", many},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := Encode(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			n, err := EncodeTo(&got, tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) || n != int64(len(want)) {
				t.Errorf("EncodeTo wrote %d bytes (says %d), Encode %d; first difference at %d", got.Len(), n, len(want), firstDiff(got.Bytes(), want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
