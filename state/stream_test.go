package state

import (
	"reflect"
	"testing"
)

// FuzzDecodeStream: decoding a state one resource at a time gives what
// decoding the whole document gives, and fails only where that fails too
// (Decode then reports the whole document's error).
func FuzzDecodeStream(f *testing.F) {
	addStateSeeds(f)
	for _, doc := range []string{
		`{"version":2,"lineage":"l","resources":[{"address":"a","last_applied":{"t":{"x":"1"}},"output":{"t":{"x":"1"}}},null],"outputs":{"o":{"value":[1,{"a":"b"}]},"p":null}}`,
		`{"Resources":[{"address":"a"}],"version":2,"lineage":"l","resources":[{"address":"b"}]}`,
		`{"version":2,"lineage":"l","resources":null,"serial":3,"salt":"s","extra":{"x":[1,2]}}`,
		`{"version":2,"lineage":"l","resources":[]}`,
		`{"version":2,"lineage":"l","resources":{"address":"a"}}`,
		`{"version":2,"lineage":"l","resources":[{"address":"a","in_flight":{"method":"PUT","started":"2026-01-01T00:00:00Z","sent":{"n":1.50}}}]} {}`,
		`{"version":2,"lineage":"l","version":3,"resources":[{"address":"a","last_applied":{"a":1,"a":2}}]}`,
		`[]`, `null`, `{`, `{"version":2,"lineage":"l","resources":[{"address":"a"}`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		streamed, err := decodeStream(data)
		if err != nil {
			return
		}
		whole, err := decodeWhole(data)
		if err != nil {
			t.Fatalf("the stream decoded what the whole document does not: %v", err)
		}
		if !reflect.DeepEqual(streamed, whole) {
			t.Fatalf("the stream decoded\n%#v\nthe whole document\n%#v", streamed, whole)
		}
	})
}
