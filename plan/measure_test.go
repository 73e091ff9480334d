package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/bodypath"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

// exampleCase is one real ARM request/response pair from
// ../testdata/arm-examples (a copy of ../shared/arm-examples, MIT, see its
// README).
type exampleCase struct {
	file         string
	resourceType string
	apiVersion   string
	request      map[string]any
	response     map[string]any
}

func loadCases(t testing.TB) []exampleCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases under testdata/arm-examples/cases: %v", err)
	}
	sort.Strings(files)
	var out []exampleCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			ResourceType string                    `json:"resource_type"`
			APIVersion   string                    `json:"api_version"`
			Request      map[string]any            `json:"put_request_body"`
			Responses    map[string]map[string]any `json:"put_responses"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		resp := c.Responses["200"]
		if resp == nil {
			resp = c.Responses["201"]
		}
		if resp == nil {
			t.Fatalf("%s: no 200 or 201 response body", f)
		}
		out = append(out, exampleCase{file: filepath.Base(f), resourceType: c.ResourceType, apiVersion: c.APIVersion, request: c.Request, response: resp})
	}
	return out
}

// caseID builds a well-formed ID of the case's type under a test resource
// group (the examples' own IDs are sometimes malformed).
func caseID(resourceType string) string {
	parts := strings.Split(resourceType, "/")
	id := testSub + "/resourceGroups/measure/providers/" + parts[0]
	for i, typ := range parts[1:] {
		id += fmt.Sprintf("/%s/n%d", typ, i+1)
	}
	return id
}

// measureHarness plans one declared resource against the emulator.
type measureHarness struct {
	t      *testing.T
	srv    *emulator.Server
	client *arm.Client
}

func (h *measureHarness) plan(c exampleCase, live map[string]any) *Plan {
	h.t.Helper()
	id := caseID(c.resourceType)
	setWorld(h.t, h.srv, map[string]map[string]any{id: live})
	st := state.New()
	st.Set(&state.Resource{Address: "resource.r", ID: id, APIVersion: c.apiVersion, LastApplied: c.request, Output: c.response})
	in := &config.Instance{Address: "resource.r", Name: "r", ID: id, APIVersion: c.apiVersion, Body: config.FromJSONValue(c.request)}
	p, err := Build(context.Background(), Options{Reader: h.client, Instances: []*config.Instance{in}, State: st, SecretMatches: st.SensitiveMatches})
	if err != nil {
		h.t.Fatalf("%s: %v", c.file, err)
	}
	return p
}

// TestNoiseMeasure: for each example, a resource whose body is the PUT
// request, live = the recorded response to that PUT, last applied = the
// request and output = the response (the state right after the apply). A
// plan must show no change. Values the service answers differently (after
// normalization) are listed under "Values the service keeps differently";
// testdata/noise.golden records, per case, which, so that a reviewer can
// judge each one.
func TestNoiseMeasure(t *testing.T) {
	cases := loadCases(t)
	srv, client := newEmulator(t)
	h := &measureHarness{t: t, srv: srv, client: client}
	var report strings.Builder
	clean, kept, noisy, twoWayClean := 0, 0, 0, 0
	for _, c := range cases {
		p := h.plan(c, c.response)
		ch := p.Changes[0]
		switch {
		case ch.Action != NoOp:
			noisy++
			fmt.Fprintf(&report, "NOISE %s: %s\n", c.file, ch.Action)
			for _, pc := range ch.Paths {
				fmt.Fprintf(&report, "    %s: %s -> %s\n", pc.Path, formatValue(shown(pc.Before, pc.Sensitive)), formatValue(shown(pc.After, pc.Sensitive)))
			}
			t.Errorf("%s: a no-change plan shows %d changes: %q", c.file, len(ch.Paths), paths(ch.Paths))
		case len(ch.KeptDifferently) > 0:
			kept++
			fmt.Fprintf(&report, "kept differently %s:\n", c.file)
			for _, pc := range ch.KeptDifferently {
				fmt.Fprintf(&report, "    %s: declared %s, service answers %s\n", pc.Path, short(shown(pc.After, pc.Sensitive)), short(shown(pc.Before, pc.Sensitive)))
			}
		default:
			clean++
			fmt.Fprintf(&report, "clean %s\n", c.file)
		}
		if two := body.Diff(c.request, c.response); len(two) == 0 {
			twoWayClean++
		}
		if len(p.Drift) > 0 {
			t.Errorf("%s: drift right after apply: %+v", c.file, p.Drift[0].Paths)
		}
	}
	summary := fmt.Sprintf("cases: %d; clean by normalization alone: %d; clean with values the service keeps differently listed: %d; showing a change (noise): %d\n"+
		"for comparison, a two-way diff (no state: no write-only or kept-differently knowledge) is clean on %d\n\n", len(cases), clean, kept, noisy, twoWayClean)
	t.Log(summary)
	golden(t, "noise.golden", []byte(summary+report.String()))
}

func short(v any) string {
	s := formatValue(v)
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// TestRecallMeasure: for each example, change one declared leaf in the live
// body (and, separately, delete one), for every declared leaf the service
// returns, and check that the plan shows exactly that path as a change and
// as declared drift. Fields that identify an array element (its name or id)
// are left out: changing them makes another element.
func TestRecallMeasure(t *testing.T) {
	cases := loadCases(t)
	srv, client := newEmulator(t)
	h := &measureHarness{t: t, srv: srv, client: client}
	var changed, changedFound, deleted, deletedFound int
	var report strings.Builder
	for _, c := range cases {
		rules, _ := body.Rules{}.Compile()
		for _, leaf := range declaredLeaves(rules, nil, c.request) {
			liveVal, ok := lookup(c.response, leaf)
			if !ok || body.IsMasked(liveVal) || isEmpty(liveVal) || isKeyField(leaf) {
				continue
			}
			if declared, _ := lookup(c.request, leaf); !body.Equal(leaf, declared, liveVal) {
				continue // a value the service keeps differently: no longer declared as live has it
			}
			want := leaf.String()
			for _, mode := range []string{"changed", "deleted"} {
				if mode == "deleted" && leaf[len(leaf)-1].Elem {
					continue // deleting from a scalar array shifts every later element
				}
				live := deepCopyMap(c.response)
				if mode == "changed" {
					setAt(live, leaf, mutate(liveVal))
					changed++
				} else {
					deleteAt(live, leaf)
					deleted++
				}
				p := h.plan(c, live)
				ch := p.Changes[0]
				got := paths(ch.Paths)
				driftOK := len(p.Drift) == 1 && len(p.Drift[0].Paths) == 1 && p.Drift[0].Paths[0].Path == want && p.Drift[0].Paths[0].Declared
				if len(got) == 1 && got[0] == want && driftOK {
					if mode == "changed" {
						changedFound++
					} else {
						deletedFound++
					}
					continue
				}
				fmt.Fprintf(&report, "missed %s %s %s: plan shows %q\n", c.file, mode, want, got)
				t.Errorf("%s: %s %s: plan shows %q, drift ok %v", c.file, mode, want, got, driftOK)
			}
		}
	}
	summary := fmt.Sprintf("changed leaves: %d, shown exactly: %d\ndeleted leaves: %d, shown exactly: %d\n", changed, changedFound, deleted, deletedFound)
	t.Log(summary)
	golden(t, "recall.golden", []byte(summary+report.String()))
}

// declaredLeaves lists the paths of the leaves of a declared body, naming
// array elements the way the diff does (by key where it matches by key).
func declaredLeaves(r *body.Compiled, path bodypath.Path, v any) []bodypath.Path {
	switch v := v.(type) {
	case map[string]any:
		var out []bodypath.Path
		for _, k := range sortedKeys(v) {
			out = append(out, declaredLeaves(r, path.Key(k), v[k])...)
		}
		return out
	case []any:
		var out []bodypath.Path
		field := r.KeyField(path, v)
		for i, e := range v {
			p := path.Elem(i)
			if field != "" {
				p = path.Matched(i, field, body.KeyOf(e, field))
			}
			out = append(out, declaredLeaves(r, p, e)...)
		}
		return out
	}
	return []bodypath.Path{path}
}

func isKeyField(p bodypath.Path) bool {
	return len(p) >= 2 && p[len(p)-2].MatchField != "" && p[len(p)-2].MatchField == p[len(p)-1].Key
}

func mutate(v any) any {
	switch v := v.(type) {
	case string:
		return v + "-changed"
	case bool:
		return !v
	case json.Number:
		if n, ok := number(v); ok {
			return json.Number(n.Add(n, mustNumber("1")).Text('g', -1))
		}
	}
	return "changed"
}

func mustNumber(s string) *big.Float {
	n, _, _ := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	return n
}

// number reads a JSON number (a json.Number, an int or a float64) as the
// diff compares numbers.
func number(v any) (*big.Float, bool) {
	switch v := v.(type) {
	case int:
		return new(big.Float).SetInt64(int64(v)), true
	case float64:
		return big.NewFloat(v), true
	case json.Number:
		n, _, err := big.ParseFloat(string(v), 10, 256, big.ToNearestEven)
		return n, err == nil
	}
	return nil, false
}

// lookup finds the value at p as the diff does, elements by their key.
func lookup(v any, p bodypath.Path) (any, bool) {
	return bodypath.Lookup(v, p, func(arr []any, field, value string) int {
		for i, e := range arr {
			if body.KeyOf(e, field) == value {
				return i
			}
		}
		return -1
	})
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// setAt and deleteAt change a body in place at a path found by lookup.
func setAt(b map[string]any, p bodypath.Path, v any) {
	parent, _ := lookup(b, p[:len(p)-1])
	last := p[len(p)-1]
	switch c := parent.(type) {
	case map[string]any:
		c[last.Key] = v
	case []any:
		c[elemIndex(c, last)] = v
	}
}

func deleteAt(b map[string]any, p bodypath.Path) {
	parent, _ := lookup(b, p[:len(p)-1])
	if m, ok := parent.(map[string]any); ok {
		delete(m, p[len(p)-1].Key)
	}
}

func elemIndex(arr []any, s bodypath.Step) int {
	if s.MatchField == "" {
		return s.Index
	}
	for i, e := range arr {
		if body.KeyOf(e, s.MatchField) == s.MatchValue {
			return i
		}
	}
	return -1
}

func deepCopyMap(m map[string]any) map[string]any {
	var out map[string]any
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}
