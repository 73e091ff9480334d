package plan

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
)

// TestTargetedGroupDeleteTakesItsManagedContents: a --target run that
// deletes a group (its block gone from the configuration) leaves the
// resources inside out of the plan, yet they go with the group. They are
// managed here, so they are no unmanaged contents (no error, no
// delete_unmanaged_contents needed): the group's list says "managed here,
// not targeted", and each is planned as deleted with the group so that
// its state record leaves with it. prevent_destroy on one of them still
// holds.
func TestTargetedGroupDeleteTakesItsManagedContents(t *testing.T) {
	only := func(addr string) bool { return addr == "resource.rg" }
	acr := inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`)
	vnet := inst(t, "vnet", vnID, `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`)

	_, client, st := groupWorld(t, false, 0)
	p, err := Build(context.Background(), Options{Reader: client, State: st, Only: only, Untargeted: []*config.Instance{acr, vnet}})
	if err != nil {
		t.Fatal(err)
	}
	g := change(p, "resource.rg")
	if g == nil || g.Action != Delete || g.Contents == nil {
		t.Fatalf("resource.rg = %+v, want a delete with its contents listed", g)
	}
	if got := strings.Join(contained(g), " "); got != "resource.acr resource.vnet" {
		t.Errorf("contents = %s, want the two managed resources", got)
	}
	for _, r := range g.Contents.Resources {
		if !r.Managed || !r.NotTargeted {
			t.Errorf("%s: managed %v, not targeted %v", r.ID, r.Managed, r.NotTargeted)
		}
	}
	if n := p.UnmanagedDeletes(); n != 0 {
		t.Errorf("UnmanagedDeletes = %d, want 0", n)
	}
	for _, a := range []string{"resource.acr", "resource.vnet"} {
		if c := change(p, a); c == nil || c.Action != Delete || c.DeletedWith != "resource.rg" {
			t.Errorf("%s = %+v, want a delete with resource.rg", a, c)
		}
	}
	var b bytes.Buffer
	if err := RenderText(&b, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "resource.acr (managed here, not targeted: leaves the state)") || strings.Contains(b.String(), "NOT MANAGED") {
		t.Errorf("the text plan:\n%s", b.String())
	}

	acr.PreventDestroy = true
	_, err = Build(context.Background(), Options{Reader: client, State: st, Only: only, Untargeted: []*config.Instance{acr, vnet}})
	if err == nil || !strings.Contains(err.Error(), "resource.acr has prevent_destroy set, and this plan deletes it with resource.rg") {
		t.Errorf("error = %v, want prevent_destroy of an untargeted resource to stop the group's delete", err)
	}
}
