package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// TestBuildMoved plans a resource a moved block moves: a no-op at its new
// address that remembers the old one, the state given left as it was, and
// the old address not deleted.
func TestBuildMoved(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus"}})
	st := state.New()
	applied(t, st, "old", acrID, `{"location":"westus"}`, `{"location":"westus"}`)
	in := inst(t, "acr", acrID, `{"location":"westus"}`)
	in.Address = "module.app.resource.acr"
	p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st,
		Moved: []*config.Moved{{From: "resource.old", To: "module.app.resource.acr"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != NoOp || p.Changes[0].MovedFrom != "resource.old" || p.Moves() != 1 || p.HasChanges() {
		t.Fatalf("changes %+v", p.Changes)
	}
	if st.Get("resource.old") == nil || st.Get("module.app.resource.acr") != nil {
		t.Error("plan changed the state it was given")
	}
	var b strings.Builder
	if err := RenderText(&b, p, TextOptions{}); err != nil || !strings.Contains(b.String(), "# resource.old has moved to module.app.resource.acr") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
}

// TestBuildCreateBeforeDestroy: a replace to a new ID is marked create
// first; one that keeps its ID is an error.
func TestBuildCreateBeforeDestroy(t *testing.T) {
	newID := rgID + "/providers/Microsoft.ContainerRegistry/registries/acr2"
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus", "sku": map[string]any{"name": "Basic"}}})
	st := state.New()
	applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`, `{"location":"westus","sku":{"name":"Basic"}}`)

	in := inst(t, "acr", newID, `{"location":"westus","sku":{"name":"Basic"}}`)
	in.CreateBeforeDestroy = true
	p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Changes[0]; c.Action != Replace || !c.CreateBeforeDestroy || c.PriorID != acrID {
		t.Fatalf("change %+v", c)
	}
	var b strings.Builder
	if err := RenderText(&b, p, TextOptions{}); err != nil || !strings.Contains(b.String(), "+/- resource.acr") {
		t.Errorf("text: %v\n%s", err, b.String())
	}

	same := inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Premium"}}`)
	same.CreateBeforeDestroy, same.ReplaceOnChanges = true, []string{"sku.name"}
	if _, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{same}, State: st}); err == nil || !strings.Contains(err.Error(), "keeps the ID") {
		t.Fatalf("same-ID replace: %v", err)
	}
}

// TestBuildOnly leaves the state's undeclared resources that Only refuses
// alone: a targeted plan deletes nothing it was not pointed at.
func TestBuildOnly(t *testing.T) {
	_, client := newEmulator(t)
	st := state.New()
	applied(t, st, "gone", acrID, `{"location":"westus"}`, `{"location":"westus"}`)
	p, err := Build(context.Background(), Options{Reader: client, State: st, Only: func(a string) bool { return a == "resource.other" }})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 0 {
		t.Fatalf("changes %+v", p.Changes)
	}
}
