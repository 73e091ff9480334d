package plan

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

const (
	otherID = rgID + "/providers/Microsoft.Storage/storageAccounts/otherteam"
	vmID    = rgID + "/providers/Microsoft.Compute/virtualMachines/vm"
)

// groupWorld puts, through the emulator's API as a user would, a resource
// group holding a registry, a network with a subnet and, when other is set,
// another team's storage account; the state records the group, the
// registry and the network. The emulator lists pageSize items a page.
func groupWorld(t *testing.T, other bool, pageSize int) (*emulator.Server, *arm.Client, *state.State) {
	t.Helper()
	srv := emulator.New(emulator.Options{PageSize: pageSize})
	client, err := arm.NewClient(arm.ClientOptions{
		Endpoint:   "https://emulator.invalid",
		Credential: arm.StaticCredential{Token: "test-token"},
		Transport:  &http.Client{Transport: srv.Transport()},
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(id, apiVersion, body string) {
		t.Helper()
		if _, err := client.Do(context.Background(), arm.Request{Method: http.MethodPut, ID: id, APIVersion: apiVersion, Body: obj(t, body)}); err != nil {
			t.Fatalf("PUT %s: %v", id, err)
		}
	}
	put(rgID, "2021-04-01", `{"location":"westus"}`)
	put(acrID, "2023-07-01", `{"location":"westus","sku":{"name":"Basic"}}`)
	put(vnID, "2023-09-01", `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`)
	put(vnID+"/subnets/a", "2023-09-01", `{"properties":{"addressPrefix":"10.0.1.0/24"}}`)
	if other {
		put(otherID, "2023-05-01", `{"location":"westus","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	}
	st := state.New()
	for name, id := range map[string]string{"rg": rgID, "acr": acrID, "vnet": vnID} {
		resp, err := client.Get(context.Background(), id, "2023-07-01")
		if err != nil {
			t.Fatal(err)
		}
		st.Set(&state.Resource{Address: "resource." + name, ID: id, APIVersion: "2023-07-01", LastApplied: map[string]any{}, Output: resp.Body})
	}
	srv.ResetObservations()
	return srv, client, st
}

func change(p *Plan, address string) *Change {
	for _, c := range p.Changes {
		if c.Address == address {
			return c
		}
	}
	return nil
}

func contained(c *Change) []string {
	var out []string
	for _, r := range c.Contents.Resources {
		if r.Managed {
			out = append(out, r.Address)
		} else {
			out = append(out, r.ID)
		}
	}
	return out
}

// TestDeletedGroupListsWhatItHolds: every way of deleting a group that
// holds another team's account (destroy, a removed block, a block that
// disappeared) is an error naming the account and the setting, unless
// the configuration opts in; then the plan lists it beside the managed
// resources, which go with the group. The list is read across pages.
func TestDeletedGroupListsWhatItHolds(t *testing.T) {
	rgInst := func(optIn bool) *config.Instance {
		in := inst(t, "rg", rgID, `{"location":"westus"}`)
		in.DeleteUnmanagedContents = optIn
		return in
	}
	removed := func(optIn bool) []*config.Removed {
		return []*config.Removed{{From: "resource.rg", Destroy: true, DeleteUnmanagedContents: optIn}}
	}
	cases := []struct {
		name    string
		o       Options
		wantErr string
	}{
		{"destroy", Options{Destroy: true, Instances: []*config.Instance{rgInst(false)}}, "set delete_unmanaged_contents = true in the resource block of resource.rg"},
		{"destroy, opted in", Options{Destroy: true, Instances: []*config.Instance{rgInst(true)}}, ""},
		{"destroy, opted in by a removed block", Options{Destroy: true, Removed: removed(true)}, ""},
		{"block removed", Options{}, "removed {"},
		{"removed block without the setting", Options{Removed: removed(false)}, "delete_unmanaged_contents = true"},
		{"removed block, opted in", Options{Removed: removed(true)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, client, st := groupWorld(t, true, 2)
			tc.o.Reader, tc.o.State = client, st
			p, err := Build(context.Background(), tc.o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), otherID) {
					t.Fatalf("error = %v, want one naming %s and saying %q", err, otherID, tc.wantErr)
				}
				if by := srv.Counters().ByMethod; by["PUT"]+by["PATCH"]+by["DELETE"]+by["POST"] != 0 {
					t.Fatalf("the plan sent writes: %v", by)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rg := change(p, "resource.rg")
			if rg == nil || rg.Action != Delete || rg.Contents == nil || !rg.Contents.DeleteUnmanaged {
				t.Fatalf("resource.rg = %+v, want a delete with its contents listed and allowed", rg)
			}
			got := strings.Join(contained(rg), " ")
			if got != "resource.acr resource.vnet "+otherID {
				t.Errorf("contents = %s", got)
			}
			for _, a := range []string{"resource.acr", "resource.vnet"} {
				if c := change(p, a); c.Action != Delete || c.DeletedWith != "resource.rg" {
					t.Errorf("%s: %s deleted with %q", a, c.Action, c.DeletedWith)
				}
			}
			if n := p.UnmanagedDeletes(); n != 1 {
				t.Errorf("UnmanagedDeletes = %d, want 1", n)
			}
		})
	}
}

// TestDeletedGroupWithOnlyManagedContents: no setting needed, nothing
// unmanaged, the subnet (a child the list may give) goes with its network.
func TestDeletedGroupWithOnlyManagedContents(t *testing.T) {
	_, client, st := groupWorld(t, false, 0)
	p, err := Build(context.Background(), Options{Reader: client, State: st})
	if err != nil {
		t.Fatal(err)
	}
	rg := change(p, "resource.rg")
	if got := strings.Join(contained(rg), " "); got != "resource.acr resource.vnet" {
		t.Fatalf("contents = %s", got)
	}
	if p.UnmanagedDeletes() != 0 || rg.Contents.DeleteUnmanaged {
		t.Fatalf("unmanaged = %d, allowed = %v", p.UnmanagedDeletes(), rg.Contents.DeleteUnmanaged)
	}
}

// TestDeclaredResourceInsideADeletedGroup: the configuration still declares
// the registry, not its group. With prevent_destroy the plan is an error;
// without, the registry is deleted with the group and keeps its declared
// body; a resource the plan would create in the group is an error.
func TestDeclaredResourceInsideADeletedGroup(t *testing.T) {
	acr := func(protect bool) *config.Instance {
		in := inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`)
		in.PreventDestroy = protect
		return in
	}
	_, client, st := groupWorld(t, false, 0)
	_, err := Build(context.Background(), Options{Reader: client, State: st, Instances: []*config.Instance{acr(true)}})
	if err == nil || !strings.Contains(err.Error(), "resource.acr has prevent_destroy set, and this plan deletes it with resource.rg") {
		t.Fatalf("error = %v, want prevent_destroy to stop the group's delete", err)
	}
	// destroy: the same, without the advice to keep the group.
	_, err = Build(context.Background(), Options{Reader: client, State: st, Destroy: true, Instances: []*config.Instance{acr(true)}})
	if err == nil || !strings.Contains(err.Error(), "resource.acr has prevent_destroy set") || strings.Contains(err.Error(), "keep resource.rg") {
		t.Fatalf("destroy: error = %v", err)
	}

	p, err := Build(context.Background(), Options{Reader: client, State: st, Instances: []*config.Instance{acr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	c := change(p, "resource.acr")
	if c.Action != Delete || c.DeletedWith != "resource.rg" || c.Desired == nil || len(c.Paths) != 0 {
		t.Fatalf("resource.acr = %s deleted with %q, desired %v, paths %v", c.Action, c.DeletedWith, c.Desired, c.Paths)
	}
	if p.Changes[len(p.Changes)-1].Address != "resource.rg" {
		t.Errorf("the group is not the last change: %v", actions(p))
	}

	vm := inst(t, "vm", vmID, `{"location":"westus"}`)
	_, err = Build(context.Background(), Options{Reader: client, State: st, Instances: []*config.Instance{acr(false), vm}})
	if err == nil || !strings.Contains(err.Error(), "resource.vm would be created inside resource group") {
		t.Fatalf("error = %v, want the create in a deleted group refused", err)
	}
}

// TestReplacedGroup: a group replaced (replace_on_changes) deletes what it
// holds too: its declared resources are replaced with it (deleted with it,
// created again), and it is listed.
func TestReplacedGroup(t *testing.T) {
	_, client, st := groupWorld(t, false, 0)
	rg := inst(t, "rg", rgID, `{"location":"eastus"}`)
	rg.ReplaceOnChanges = []string{"location"}
	insts := []*config.Instance{rg,
		inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`),
		inst(t, "vnet", vnID, `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`)}
	p, err := Build(context.Background(), Options{Reader: client, State: st, Instances: insts})
	if err != nil {
		t.Fatal(err)
	}
	g := change(p, "resource.rg")
	if g.Action != Replace || g.Contents == nil || strings.Join(contained(g), " ") != "resource.acr resource.vnet" {
		t.Fatalf("resource.rg = %s, contents %+v", g.Action, g.Contents)
	}
	for _, a := range []string{"resource.acr", "resource.vnet"} {
		if c := change(p, a); c.Action != Replace || c.DeletedWith != "resource.rg" || len(c.Paths) != 0 {
			t.Errorf("%s = %s deleted with %q, paths %v; want a replace with the group", a, c.Action, c.DeletedWith, c.Paths)
		}
	}
	var b bytes.Buffer
	if err := RenderText(&b, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# resource.acr must be replaced: it is deleted with resource.rg, then created again") {
		t.Errorf("the text plan does not say so:\n%s", b.String())
	}
}

// getOnly is a Reader that cannot list.
type getOnly struct{ r Reader }

func (g getOnly) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	return g.r.Get(ctx, id, apiVersion)
}

func TestDeletedGroupNeedsAListingReader(t *testing.T) {
	_, client, st := groupWorld(t, false, 0)
	_, err := Build(context.Background(), Options{Reader: getOnly{client}, State: st})
	if err == nil || !strings.Contains(err.Error(), "cannot list what it holds") {
		t.Fatalf("error = %v", err)
	}
}

func TestListContents(t *testing.T) {
	srv, client, _ := groupWorld(t, true, 1)
	got, err := ListContents(context.Background(), client, rgID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
		if c.Type == "" {
			t.Errorf("%s has no type", c.ID)
		}
	}
	// The subnet lies in the network: it goes with it. One page an item.
	if strings.Join(ids, " ") != strings.Join([]string{acrID, vnID, otherID}, " ") {
		t.Fatalf("listed %v", ids)
	}
	if n := srv.Counters().ByMethod["GET"]; n < 4 {
		t.Errorf("%d GETs: the pages were not all read", n)
	}
	got, err = ListContents(context.Background(), client, testSub+"/resourceGroups/none")
	if err != nil || got != nil {
		t.Fatalf("a group that does not exist: %v, %v", got, err)
	}
}

// TestSavedPlanStaleWhenContentsChange: a saved plan that deletes a group
// is stale once the group holds something else.
func TestSavedPlanStaleWhenContentsChange(t *testing.T) {
	_, client, st := groupWorld(t, false, 0)
	removed := []*config.Removed{{From: "resource.rg", Destroy: true, DeleteUnmanagedContents: true}}
	p, err := Build(context.Background(), Options{Reader: client, State: st, Removed: removed})
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := WriteSaved(&file, p); err != nil {
		t.Fatal(err)
	}
	saved, err := ReadSaved(&file, "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	if got := change(saved.Plan, "resource.rg").Contents; got == nil || len(got.Resources) != 2 {
		t.Fatalf("the saved plan's contents = %+v", got)
	}
	if err := saved.Check(p); err != nil {
		t.Fatalf("the same plan is stale: %v", err)
	}
	if _, err := client.Do(context.Background(), arm.Request{Method: http.MethodPut, ID: otherID, APIVersion: "2023-05-01",
		Body: obj(t, `{"location":"westus","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)}); err != nil {
		t.Fatal(err)
	}
	fresh, err := Build(context.Background(), Options{Reader: client, State: st, Removed: removed})
	if err != nil {
		t.Fatal(err)
	}
	if err := saved.Check(fresh); err == nil || !strings.Contains(err.Error(), "what resource.rg holds changed") {
		t.Fatalf("error = %v", err)
	}
}
