package body

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// example is one real ARM PUT request and the service's answer, from
// ../testdata/arm-examples (a copy of ../shared/arm-examples, MIT, see its
// README).
type example struct {
	file              string
	request, response map[string]any
}

func loadExamples(tb testing.TB) []example {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no cases under testdata/arm-examples/cases: %v", err)
	}
	sort.Strings(files)
	var out []example
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var c struct {
			Request   map[string]any            `json:"put_request_body"`
			Responses map[string]map[string]any `json:"put_responses"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		resp := c.Responses["200"]
		if resp == nil {
			resp = c.Responses["201"]
		}
		if resp == nil {
			tb.Fatalf("%s: no 200 or 201 response body", f)
		}
		out = append(out, example{file: filepath.Base(f), request: c.Request, response: resp})
	}
	return out
}

// TestCompareExamplesRightAfterApply: for every real request/response pair,
// the state right after the apply (last applied = the request, output =
// the response) and live = the response is no change, and drift is none;
// the merged request of an update sends back what the service holds.
func TestCompareExamplesRightAfterApply(t *testing.T) {
	for _, c := range loadExamples(t) {
		b := Bodies{Desired: c.request, Live: c.response, LastApplied: c.request, Output: c.response, Managed: true}
		cmp, err := Compare(b, Rules{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Changes) != 0 {
			t.Errorf("%s: a no-change comparison shows %q", c.file, paths(cmp.Changes))
		}
		drift, err := Drift(c.response, c.response, c.request, Rules{})
		if err != nil || len(drift) != 0 {
			t.Errorf("%s: drift of a body against itself: %q, %v", c.file, paths(drift), err)
		}
		req, err := BuildRequest("PUT", UpdateMerge, b, Rules{})
		if err != nil {
			t.Fatal(err)
		}
		eff, err := Effects(req, b, Rules{}, cmp)
		if err != nil {
			t.Fatal(err)
		}
		if len(eff) != 0 {
			t.Errorf("%s: the merged request of a no-change update has effects %q", c.file, paths(eff))
		}
	}
}

// BenchmarkCompareCorpus diffs every example case three ways once per
// iteration.
func BenchmarkCompareCorpus(b *testing.B) {
	cases := loadExamples(b)
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cases {
			if _, err := Compare(Bodies{Desired: c.request, Live: c.response, LastApplied: c.request, Output: c.response, Managed: true}, Rules{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(cases)), "cases/op")
}
