package apply

import (
	"reflect"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// TestAcceptDrift accepts three drifts into a state: a changed tag, a
// changed secret, and a resource deleted outside azapply.
func TestAcceptDrift(t *testing.T) {
	const (
		rgID    = "/subscriptions/s/resourceGroups/rg"
		vaultID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app"
		goneID  = "/subscriptions/s/resourceGroups/gone"
	)
	st := state.New()
	st.Set(&state.Resource{Address: "resource.rg", ID: rgID, Output: map[string]any{"location": "westus"}})
	st.Set(&state.Resource{Address: "resource.app", ID: vaultID, Output: map[string]any{"properties": map[string]any{"customSetting": "old"}}})
	st.Set(&state.Resource{Address: "resource.gone", ID: goneID, Output: map[string]any{"location": "westus"}})
	rgLive := map[string]any{"location": "westus", "tags": map[string]any{"owner": "portal"}}
	p := &plan.Plan{Drift: []*plan.Drift{
		{Address: "resource.rg", ID: rgID, Live: rgLive},
		{Address: "resource.app", ID: vaultID, Live: map[string]any{"properties": map[string]any{"customSetting": "rotated-in-the-portal"}}},
		{Address: "resource.gone", ID: goneID, Deleted: true},
		// Drift of a resource the state no longer records is passed over.
		{Address: "resource.other", ID: "/subscriptions/s/resourceGroups/other", Live: map[string]any{}},
	}}
	insts := []*config.Instance{{Address: "resource.app", ID: vaultID, Sensitive: []string{"properties.customSetting"}}}
	if err := AcceptDrift(p, st, insts); err != nil {
		t.Fatal(err)
	}
	if got := st.Get("resource.rg").Output; !reflect.DeepEqual(got, rgLive) {
		t.Errorf("resource.rg's output = %v, want the live body %v", got, rgLive)
	}
	pw := st.Get("resource.app").Output["properties"].(map[string]any)["customSetting"]
	if pw == "rotated-in-the-portal" || !state.IsRedacted(pw) {
		t.Errorf("the accepted secret is recorded as %v, want a salted hash", pw)
	}
	if st.Get("resource.gone") != nil {
		t.Errorf("resource.gone, deleted outside azapply, is still recorded")
	}
	if st.Get("resource.other") != nil {
		t.Errorf("drift of an unrecorded resource added it to the state")
	}
}
