package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// groupPlan is the delete of a resource group holding a managed registry,
// with the contents the plan listed.
func groupPlan(rg, acr string, contents *plan.Contents) *plan.Plan {
	return &plan.Plan{Changes: []*plan.Change{
		{Address: "resource.acr", ID: acr, APIVersion: "2023-07-01", Action: plan.Delete, DeletedWith: "resource.rg"},
		{Address: "resource.rg", ID: rg, APIVersion: "2021-04-01", Action: plan.Delete, Contents: contents},
	}}
}

// TestGroupDeleteListsAgainFirst: apply lists the group right before its
// DELETE and sends none when it holds what the plan did not list (a
// resource created since the plan), or when the plan listed nothing.
func TestGroupDeleteListsAgainFirst(t *testing.T) {
	rg := sub + "/resourceGroups/rg"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/r"
	other := rg + "/providers/Microsoft.Storage/storageAccounts/otherteam"
	listed := &plan.Contents{Resources: []plan.Contained{{ID: acr, Managed: true, Address: "resource.acr"}}}
	cases := []struct {
		name     string
		contents *plan.Contents
		world    []string
		wantErr  string
	}{
		{"a resource appeared since the plan", listed, []string{rg, acr, other}, other},
		{"the plan did not list the group", nil, []string{rg, acr}, "the plan did not list what resource group"},
		{"unmanaged without the setting", &plan.Contents{Resources: []plan.Contained{{ID: other}}}, []string{rg, other}, "delete_unmanaged_contents is not set"},
		{"as the plan listed it", listed, []string{rg, acr}, ""},
		{"a child of a listed resource", listed, []string{rg, acr, acr + "/replications/eastus"}, ""},
		{"unmanaged, opted in", &plan.Contents{DeleteUnmanaged: true, Resources: []plan.Contained{{ID: acr, Managed: true, Address: "resource.acr"}, {ID: other}}}, []string{rg, acr, other}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			for _, id := range tc.world {
				f.resources[strings.ToLower(id)] = map[string]any{}
			}
			st := state.New()
			st.Set(&state.Resource{Address: "resource.rg", ID: rg})
			st.Set(&state.Resource{Address: "resource.acr", ID: acr})
			res, err := Run(context.Background(), Options{Plan: groupPlan(rg, acr, tc.contents), Client: f, State: st})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.wantErr)) {
					t.Fatalf("error = %v, want one saying %q", err, tc.wantErr)
				}
				if len(f.started) != 0 {
					t.Fatalf("requests %v, want none", f.started)
				}
				if len(st.Resources) != 2 || res.Destroyed != 0 {
					t.Fatalf("state keeps %d, destroyed %d; want 2 and 0", len(st.Resources), res.Destroyed)
				}
				if _, ok := f.resources[strings.ToLower(other)]; !ok && len(tc.world) == 3 {
					t.Fatal("the unlisted resource is gone")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.lists) != 1 || len(f.started) != 1 || f.started[0] != "DELETE "+strings.ToLower(rg) {
				t.Fatalf("lists %v, requests %v; want one list and one DELETE of the group", f.lists, f.started)
			}
			if len(st.Resources) != 0 || len(f.resources) != 0 || res.Destroyed != 2 {
				t.Fatalf("state keeps %d, the world %d, destroyed %d", len(st.Resources), len(f.resources), res.Destroyed)
			}
		})
	}
}

// TestReplacedGroupRecreatesWhatItHeld: a group replaced takes the
// registry with it; apply sends no DELETE of the registry's own and
// creates it again after the group.
func TestReplacedGroupRecreatesWhatItHeld(t *testing.T) {
	rg := sub + "/resourceGroups/rg"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/r"
	f := newFake()
	f.resources[strings.ToLower(rg)] = map[string]any{"location": "westus"}
	f.resources[strings.ToLower(acr)] = map[string]any{"location": "westus"}
	st := state.New()
	st.Set(&state.Resource{Address: "resource.rg", ID: rg})
	st.Set(&state.Resource{Address: "resource.acr", ID: acr})
	p := &plan.Plan{Changes: []*plan.Change{
		{Address: "resource.rg", ID: rg, APIVersion: "2021-04-01", Action: plan.Replace, Desired: map[string]any{"location": "eastus"},
			Contents: &plan.Contents{Resources: []plan.Contained{{ID: acr, Managed: true, Address: "resource.acr"}}}},
		{Address: "resource.acr", ID: acr, APIVersion: "2023-07-01", Action: plan.Replace, DeletedWith: "resource.rg",
			Desired: map[string]any{"location": "eastus"}, DependsOn: []string{"resource.rg"}},
	}}
	res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"DELETE " + strings.ToLower(rg), "PUT " + strings.ToLower(rg), "PUT " + strings.ToLower(acr)}
	if strings.Join(f.started, ",") != strings.Join(want, ",") {
		t.Fatalf("requests %v, want %v", f.started, want)
	}
	if res.Added != 2 || len(st.Resources) != 2 {
		t.Fatalf("added %d, state keeps %d; want 2 and 2", res.Added, len(st.Resources))
	}
	if got := f.resources[strings.ToLower(acr)]["location"]; got != "eastus" {
		t.Fatalf("the registry's location = %v, want eastus", got)
	}
}

// TestGroupMovedToANewID: a group replaced by one at a new ID is deleted
// last; the registry inside, created again in the new group first, keeps
// its new record when the old group goes.
func TestGroupMovedToANewID(t *testing.T) {
	oldRG, newRG := sub+"/resourceGroups/old", sub+"/resourceGroups/new"
	oldACR := oldRG + "/providers/Microsoft.ContainerRegistry/registries/r"
	newACR := newRG + "/providers/Microsoft.ContainerRegistry/registries/r"
	f := newFake()
	f.resources[strings.ToLower(oldRG)] = map[string]any{}
	f.resources[strings.ToLower(oldACR)] = map[string]any{}
	st := state.New()
	st.Set(&state.Resource{Address: "resource.rg", ID: oldRG})
	st.Set(&state.Resource{Address: "resource.acr", ID: oldACR})
	p := &plan.Plan{Changes: []*plan.Change{
		{Address: "resource.rg", ID: newRG, PriorID: oldRG, APIVersion: "2021-04-01", Action: plan.Replace, Desired: map[string]any{"location": "westus"},
			Contents: &plan.Contents{Resources: []plan.Contained{{ID: oldACR, Managed: true, Address: "resource.acr"}}}},
		{Address: "resource.acr", ID: newACR, PriorID: oldACR, APIVersion: "2023-07-01", Action: plan.Replace, DeletedWith: "resource.rg",
			Desired: map[string]any{"location": "westus"}, DependsOn: []string{"resource.rg"}},
	}}
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: st}); err != nil {
		t.Fatal(err)
	}
	want := []string{"PUT " + strings.ToLower(newRG), "PUT " + strings.ToLower(newACR), "DELETE " + strings.ToLower(oldRG)}
	if strings.Join(f.started, ",") != strings.Join(want, ",") {
		t.Fatalf("requests %v, want %v", f.started, want)
	}
	for addr, id := range map[string]string{"resource.rg": newRG, "resource.acr": newACR} {
		if sr := st.Get(addr); sr == nil || !strings.EqualFold(sr.ID, id) {
			t.Errorf("%s is recorded as %+v, want %s", addr, sr, id)
		}
	}
	if _, ok := f.resources[strings.ToLower(oldACR)]; ok {
		t.Error("the old registry is still there")
	}
}
