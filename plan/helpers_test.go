package plan

import (
	"bytes"
	"encoding/json"
	"testing"
)

// obj decodes a JSON object the way the ARM client does (numbers as
// json.Number), for compact test tables.
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func paths(pcs []PathChange) []string {
	out := []string{}
	for _, pc := range pcs {
		out = append(out, pc.Path)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
