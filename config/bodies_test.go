package config

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestARMBodiesAsTheyAre checks that body = jsondecode(file("x.json"))
// takes real ARM request bodies (testdata/bodies) as they are: what
// Evaluate gives back is the same JSON, numbers, nulls, empty arrays and
// all.
func TestARMBodiesAsTheyAre(t *testing.T) {
	files, err := filepath.Glob("testdata/bodies/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bodies: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfg := mustLoad(t, map[string]string{
				"body.json": string(raw),
				"main.hcl": `resource "r" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Example/things/t"
  api_version = "2024-01-01"
  body        = jsondecode(file("body.json"))
}`,
			}, LoadOptions{})
			got := ToJSONValue(mustEval(t, cfg, nil).Resources()[0].Body)
			want := decodeJSON(t, raw)
			if !reflect.DeepEqual(normalizeNumbers(got), normalizeNumbers(want)) {
				g, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("the body changed on the way:\n%s", g)
			}
		})
	}
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// normalizeNumbers writes every json.Number in its shortest exact form, so
// that 1.0 and 1 compare equal, as JSON numbers do.
func normalizeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 512, big.ToNearestEven)
		if err != nil {
			return string(v)
		}
		return f.Text('g', -1)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = normalizeNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalizeNumbers(e)
		}
		return out
	}
	return v
}

// TestJSONNumberIsTextG: the fast path for small whole numbers writes what
// big.Float's Text('g', -1) writes, on both sides of its bounds.
func TestJSONNumberIsTextG(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1", "443", "65535", "999999", "-999999", "1000000", "-1000000", "1234567",
		"9007199254740993", "1e21", "0.5", "-2.25", "0.1", "1e-7", "3.0", "12345678901234567890"} {
		f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(jsonNumber(f)), f.Text('g', -1); got != want {
			t.Errorf("%s: %s, want %s", s, got, want)
		}
	}
	for i := int64(-1100000); i <= 1100000; i += 997 {
		f := new(big.Float).SetPrec(512).SetInt64(i)
		if got, want := string(jsonNumber(f)), f.Text('g', -1); got != want {
			t.Fatalf("%d: %s, want %s", i, got, want)
		}
	}
}
