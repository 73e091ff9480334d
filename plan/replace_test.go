package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// TestBuildReplaceReasons: a change of location, of a path the state
// learned the service refuses to change, and --replace each plan a
// replace with its reason; update_in_place turns the learned ones back
// into an update; a --replace address that is not declared is an error.
func TestBuildReplaceReasons(t *testing.T) {
	const acrLive = `{"id":"` + acrID + `","location":"westus","sku":{"name":"Standard"},"properties":{"zoneRedundancy":"Disabled"}}`
	cases := []struct {
		name       string
		body       string
		inPlace    []string
		learn      string
		replace    []string
		wantAction Action
		wantReason string
	}{
		{name: "location", body: `{"location":"eastus","sku":{"name":"Standard"}}`, wantAction: Replace, wantReason: body.ReasonLocation},
		{name: "location in other spelling is no change", body: `{"location":"West US","sku":{"name":"Standard"}}`, wantAction: NoOp},
		{name: "learned", body: `{"location":"westus","properties":{"zoneRedundancy":"Enabled"}}`, learn: "properties.zoneRedundancy", wantAction: Replace, wantReason: body.ReasonImmutable},
		{name: "learned, overridden", body: `{"location":"westus","properties":{"zoneRedundancy":"Enabled"}}`, learn: "properties.zoneRedundancy", inPlace: []string{"properties.zoneRedundancy"}, wantAction: Update},
		{name: "learned for another path", body: `{"location":"westus","sku":{"name":"Premium"}}`, learn: "properties.zoneRedundancy", wantAction: Update},
		{name: "requested", body: `{"location":"westus"}`, replace: []string{"resource.acr"}, wantAction: Replace, wantReason: ReasonRequested},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newEmulator(t)
			setWorld(t, srv, map[string]map[string]any{rgID: obj(t, `{"location":"westus"}`), acrID: obj(t, acrLive)})
			st := state.New()
			applied(t, st, "acr", acrID, `{"location":"westus"}`, acrLive)
			if tc.learn != "" {
				st.LearnImmutable("Microsoft.ContainerRegistry/registries", tc.learn)
			}
			in := inst(t, "acr", acrID, tc.body)
			in.UpdateInPlace = tc.inPlace
			p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st, Replace: tc.replace})
			if err != nil {
				t.Fatal(err)
			}
			c := p.Changes[0]
			if c.Action != tc.wantAction {
				t.Fatalf("action %s, want %s (paths %+v)", c.Action, tc.wantAction, c.Paths)
			}
			reasons := []string{c.ReplaceReason}
			for _, pc := range c.Paths {
				reasons = append(reasons, pc.ReplaceReason)
			}
			if tc.wantReason != "" && !strings.Contains(strings.Join(reasons, "|"), tc.wantReason) {
				t.Errorf("reasons %q, want %q", reasons, tc.wantReason)
			}
		})
	}

	_, client := newEmulator(t)
	_, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{inst(t, "acr", acrID, `{}`)}, Replace: []string{"resource.nope"}})
	if err == nil || !strings.Contains(err.Error(), "--replace resource.nope") {
		t.Fatalf("an undeclared --replace address: %v", err)
	}
}

// TestBuildLearnedPathInsideAKeyedArray: a path the state learned the
// service refuses to change in place may name an array element by its key,
// as the plan printed it (apply learns the plan's paths). The next plan
// replaces the resource when that path changes, update_in_place with the
// same path turns it back into an update, and a change elsewhere is an
// update; the learned path is never a malformed rule.
func TestBuildLearnedPathInsideAKeyedArray(t *testing.T) {
	const live = `{"id":"` + acrID + `","location":"westus","properties":{"rules":[{"name":"a","v":1},{"name":"b","v":1}]}}`
	cases := []struct {
		name    string
		body    string
		inPlace []string
		want    Action
	}{
		{"the learned element", `{"location":"westus","properties":{"rules":[{"name":"a","v":2},{"name":"b","v":1}]}}`, nil, Replace},
		{"the learned element, update_in_place", `{"location":"westus","properties":{"rules":[{"name":"a","v":2},{"name":"b","v":1}]}}`, []string{"properties.rules[name=a].v"}, Update},
		{"another element", `{"location":"westus","properties":{"rules":[{"name":"a","v":1},{"name":"b","v":2}]}}`, nil, Update},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newEmulator(t)
			setWorld(t, srv, map[string]map[string]any{rgID: obj(t, `{"location":"westus"}`), acrID: obj(t, live)})
			st := state.New()
			applied(t, st, "acr", acrID, `{"location":"westus","properties":{"rules":[{"name":"a","v":1},{"name":"b","v":1}]}}`, live)
			st.LearnImmutable("Microsoft.ContainerRegistry/registries", "properties.rules[name=a].v")
			in := inst(t, "acr", acrID, tc.body)
			in.UpdateInPlace = tc.inPlace
			p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st})
			if err != nil {
				t.Fatal(err)
			}
			if c := p.Changes[0]; c.Action != tc.want {
				t.Fatalf("action %s, want %s (paths %+v)", c.Action, tc.want, c.Paths)
			}
		})
	}
}
