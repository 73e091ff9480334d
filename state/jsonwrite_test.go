package state

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// encodingJSON is how encoding/json writes r: indented as encodeTo writes
// a resource of the state, or compact as json.Marshal.
func encodingJSON(t testing.TB, r *Resource, indent bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent {
		enc.SetIndent("    ", "  ")
	}
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// written is how writer writes r, and whether it could.
func written(r *Resource, indent bool) ([]byte, bool) {
	w := &writer{}
	if indent {
		w.prefix, w.indent = "    ", "  "
	}
	ok := w.resource(r)
	return w.buf, ok
}

func checkWriter(t testing.TB, name string, r *Resource) {
	t.Helper()
	for _, indent := range []bool{true, false} {
		got, ok := written(r, indent)
		if !ok {
			t.Fatalf("%s: the writer gave up on a body of JSON values", name)
		}
		if want := encodingJSON(t, r, indent); !bytes.Equal(got, want) {
			t.Fatalf("%s (indent %v): the writer wrote\n%s\nencoding/json writes\n%s", name, indent, got, want)
		}
	}
}

func decodeBody(t testing.TB, raw []byte) (any, error) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// TestWriterIsEncodingJSON: every real ARM body of testdata/arm-examples,
// and bodies made to hold every escape, number and empty value, are
// written byte for byte as encoding/json writes them.
func TestWriterIsEncodingJSON(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ARM examples: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := decodeBody(t, raw)
		if err != nil {
			t.Fatal(err)
		}
		whole := v.(map[string]any)
		for k, body := range whole {
			out, _ := body.(map[string]any)
			checkWriter(t, filepath.Base(f)+" "+k, &Resource{Address: "resource.x", ID: "/subscriptions/s/resourceGroups/" + k, APIVersion: "2024-01-01", LastApplied: whole, Output: out})
		}
	}
	tricky := map[string]any{
		"html":     "<a href=\"x\">&amp;</a>",
		"controls": "\x00\x01\b\f\n\r\t\x1f\x7f",
		"unicode":  "é 日本 \u2028 \u2029 😀",
		"invalid":  "a\xffb\xc3",
		"slash":    `C:\path\/x`,
		"numbers":  []any{json.Number("0"), json.Number("-0"), json.Number("1.5e-7"), json.Number("12345678901234567890"), json.Number("")},
		"empty":    map[string]any{"o": map[string]any{}, "a": []any{}, "n": nil, "nilmap": map[string]any(nil), "nilslice": []any(nil)},
		"bools":    []any{true, false, nil},
		"<key&>":   "\u2028",
		"":         "empty key",
		"nested":   []any{[]any{map[string]any{"z": true, "a": []any{}}}},
	}
	checkWriter(t, "tricky", &Resource{Address: "resource.t[\"<&>\"]", ID: "/x", LastApplied: tricky, Output: tricky})
	checkWriter(t, "no bodies", &Resource{Address: "a"})
	checkWriter(t, "empty output", &Resource{Address: "a", LastApplied: map[string]any{}, Output: map[string]any{}})
}

// TestWriterGivesUp: what it does not write as encoding/json does, it
// refuses, so that the caller encodes with encoding/json.
func TestWriterGivesUp(t *testing.T) {
	for name, r := range map[string]*Resource{
		"a float64":     {LastApplied: map[string]any{"f": 1.5}},
		"an int":        {Output: map[string]any{"n": 3}},
		"a bad number":  {LastApplied: map[string]any{"n": json.Number("01")}},
		"in flight":     {InFlight: &Operation{Method: "PUT"}},
		"a typed slice": {LastApplied: map[string]any{"s": []string{"a"}}},
	} {
		if _, ok := written(r, true); ok {
			t.Errorf("%s: written", name)
		}
	}
}

func FuzzWriter(f *testing.F) {
	for _, s := range []string{`{"a":"<b>","c":[1,2.5,{"d":null}]}`, `{"\u2028":"\ud800"}`, `{}`, `{"x":{"y":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := decodeBody(t, raw)
		m, isMap := v.(map[string]any)
		if err != nil || !isMap {
			return
		}
		checkWriter(t, string(raw), &Resource{Address: string(raw), LastApplied: m, Output: m})
	})
}

// TestJournalRecordIsEncodingJSON: a journal record is json.Marshal's
// bytes, whatever it holds: resources written by writer and not (in
// flight, a float64), removals, outputs and immutable properties.
func TestJournalRecordIsEncodingJSON(t *testing.T) {
	body := map[string]any{"location": "westeurope", "tags": map[string]any{"<env>": "a&b"}, "n": json.Number("3")}
	for _, rec := range []journalRecord{
		{Serial: 7},
		{Serial: 8, Set: []*Resource{{Address: "resource.a", ID: "/a", APIVersion: "1", LastApplied: body, Output: body}}},
		{Serial: 9, Set: []*Resource{
			{Address: "resource.a", LastApplied: body},
			{Address: "resource.b", InFlight: &Operation{Method: "PUT", Sent: body}},
			{Address: "resource.c", Output: map[string]any{"f": 1.5}},
		}, Remove: []string{"resource.d"}, Outputs: json.RawMessage(`{"o":{"value":"<x>"}}`), Immutable: map[string][]string{"t": {"properties.x"}}},
		{Serial: 10, Remove: []string{"resource.e", "resource.f"}},
		{Serial: 11, Immutable: map[string][]string{}},
	} {
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rec.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("serial %d:\n got %s\nwant %s", rec.Serial, got, want)
		}
	}
}
