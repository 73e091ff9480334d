package plan

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

func TestShare(t *testing.T) {
	decode := func(s string) any { return obj(t, s) }
	for _, tc := range []struct {
		name, fresh, kept string
		equal             bool
	}{
		{"same body", `{"a":1,"b":{"c":[1,"x",true,null]}}`, `{"b":{"c":[1,"x",true,null]},"a":1}`, true},
		{"number spelled otherwise", `{"a":1.0}`, `{"a":1}`, false},
		{"string for number", `{"a":"1"}`, `{"a":1}`, false},
		{"key added", `{"a":1,"b":2}`, `{"a":1}`, false},
		{"key removed", `{"a":1}`, `{"a":1,"b":2}`, false},
		{"element added", `{"a":[1,2]}`, `{"a":[1]}`, false},
		{"empty array and null", `{"a":[]}`, `{"a":null}`, false},
		{"empty object and null", `{"a":{}}`, `{"a":null}`, false},
		{"object and array", `{"a":{}}`, `{"a":[]}`, false},
		{"deep change", `{"a":{"b":{"c":"x"}},"d":"y"}`, `{"a":{"b":{"c":"z"}},"d":"y"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh, kept := decode(tc.fresh), decode(tc.kept)
			want := decode(tc.fresh)
			got, equal := share(fresh, kept)
			if equal != tc.equal {
				t.Errorf("equal = %v, want %v", equal, tc.equal)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("share changed the value: %v, want %v", got, want)
			}
			if !reflect.DeepEqual(kept, decode(tc.kept)) {
				t.Errorf("share changed the kept value: %v", kept)
			}
			if tc.equal && reflect.ValueOf(got).Pointer() != reflect.ValueOf(kept).Pointer() {
				t.Errorf("an equal value was not replaced by the kept one")
			}
		})
	}
}

// TestShareKeepsEqualParts checks that what is equal in a body that
// changed is the kept copy, and what changed is not.
func TestShareKeepsEqualParts(t *testing.T) {
	kept := map[string]any{"tags": map[string]any{"env": "prod"}, "properties": map[string]any{"n": json.Number("1")}}
	fresh := map[string]any{"tags": map[string]any{"env": "prod"}, "properties": map[string]any{"n": json.Number("2")}}
	got := shareBody(fresh, kept)
	if reflect.ValueOf(got["tags"]).Pointer() != reflect.ValueOf(kept["tags"]).Pointer() {
		t.Errorf("the equal tags are not the kept ones")
	}
	if got["properties"].(map[string]any)["n"] != json.Number("2") {
		t.Errorf("properties.n = %v, want the fresh 2", got["properties"])
	}
	if shareBody(map[string]any{}, nil) == nil {
		t.Errorf("an empty body with nothing kept became nil")
	}
}

// bodiesReader answers each GET with a freshly decoded copy of a body.
type bodiesReader struct {
	t      *testing.T
	bodies map[string]string
}

func (r bodiesReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	b, ok := r.bodies[id]
	if !ok {
		return nil, &arm.Error{StatusCode: http.StatusNotFound, Code: "ResourceNotFound"}
	}
	return &arm.Response{StatusCode: http.StatusOK, Body: obj(r.t, b)}, nil
}

// TestBuildKeepsOneCopyOfWhatDidNotChange checks that a plan holds the
// state's output as the live body of a resource read as it was, and the
// state's last-applied body as the declared one when it is the same.
func TestBuildKeepsOneCopyOfWhatDidNotChange(t *testing.T) {
	const body = `{"location":"westus","tags":{"env":"prod"}}`
	const out = `{"id":"` + rgID + `","location":"westus","tags":{"env":"prod"},"properties":{"provisioningState":"Succeeded"}}`
	const drifted = `{"id":"` + acrID + `","location":"westus","tags":{"env":"prod"},"properties":{"provisioningState":"Succeeded","x":"2"}}`
	st := state.New()
	applied(t, st, "rg", rgID, body, out)
	applied(t, st, "acr", acrID, body, strings.Replace(drifted, `"2"`, `"1"`, 1))
	r := bodiesReader{t: t, bodies: map[string]string{rgID: out, acrID: drifted}}
	p, err := Build(context.Background(), Options{Reader: r, State: st,
		Instances: []*config.Instance{inst(t, "rg", rgID, body), inst(t, "acr", acrID, body)}})
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }
	for _, c := range p.Changes {
		sr := st.Get(c.Address)
		if !same(c.Desired, sr.LastApplied) {
			t.Errorf("%s: the declared body is a copy of the last-applied one", c.Address)
		}
		switch c.Address {
		case "resource.rg":
			if !same(c.Live, sr.Output) {
				t.Errorf("%s: the live body is a copy of the recorded output", c.Address)
			}
		case "resource.acr":
			if same(c.Live, sr.Output) || !same(c.Live["tags"], sr.Output["tags"]) {
				t.Errorf("%s: the live body should be its own, sharing the unchanged tags only", c.Address)
			}
		}
	}
	if len(p.Drift) != 1 || p.Drift[0].Address != "resource.acr" || paths(p.Drift[0].Paths)[0] != "properties.x" {
		t.Errorf("drift = %+v, want properties.x of resource.acr", p.Drift)
	}
}
