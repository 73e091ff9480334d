package plan

import (
	"context"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// TestBuildMovedChain: a state at resource.a, with moved a → b and
// b → module.app.resource.acr declared in the reverse order, plans the
// resource at the end of the chain, as a move from a: no create, no
// delete.
func TestBuildMovedChain(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus"}})
	st := state.New()
	applied(t, st, "a", acrID, `{"location":"westus"}`, `{"location":"westus"}`)
	in := inst(t, "acr", acrID, `{"location":"westus"}`)
	in.Address = "module.app.resource.acr"
	p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st,
		Moved: []*config.Moved{{From: "resource.b", To: "module.app.resource.acr"}, {From: "resource.a", To: "resource.b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != NoOp || p.Changes[0].MovedFrom != "resource.a" || p.HasChanges() {
		for _, c := range p.Changes {
			t.Errorf("change %s %s moved from %q", c.Action, c.Address, c.MovedFrom)
		}
		t.Fatal("want one no-op at module.app.resource.acr, moved from resource.a")
	}
}
