package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end tests of deleting a resource group: what it holds is
// listed in the plan, what azapply does not manage is never deleted without
// delete_unmanaged_contents, prevent_destroy inside it holds, and managed
// resources inside it leave the state with it.

const otherTeamStorage = quickstartRG + "/providers/Microsoft.Storage/storageAccounts/otherteam"

// quickstartWithOtherTeam applies the quickstart and then creates, out of
// band, a storage account in its resource group that azapply does not
// manage.
func quickstartWithOtherTeam(t *testing.T) string {
	t.Helper()
	dir := example(t, "quickstart")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	putInWorld(t, dir, otherTeamStorage, "2023-05-01", `{"location":"westus","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
	return dir
}

// mustHold fails unless the emulator's world of dir holds every id.
func mustHold(t *testing.T, dir string, ids ...string) {
	t.Helper()
	w := world(t, dir)
	for _, id := range ids {
		if _, ok := w.Resource(id); !ok {
			t.Fatalf("the emulator no longer holds %s; it holds %v", id, w.IDs())
		}
	}
}

// stateBytes reads the local state file of dir.
func stateBytes(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "azapply.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keepOnlyProvider cuts main.hcl of dir at its first resource block.
func keepOnlyProvider(t *testing.T, dir string) {
	t.Helper()
	cutFrom(t, filepath.Join(dir, "main.hcl"), `resource "rg"`)
}

func appendTo(t *testing.T, file, text string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestDestroyRefusesAGroupHoldingUnmanagedResources: destroy of a group
// that holds another team's storage account stops before any delete,
// names the account and the setting, and leaves Azure and the state alone.
func TestDestroyRefusesAGroupHoldingUnmanagedResources(t *testing.T) {
	dir := quickstartWithOtherTeam(t)
	before := stateBytes(t, dir)

	r := azapply(t, dir, "destroy", "--auto-approve")
	r.mustExit(t, exitError)
	for _, want := range []string{otherTeamStorage, "Microsoft.Storage/storageAccounts", "does not manage", "delete_unmanaged_contents = true", "resource.rg"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	mustHold(t, dir, quickstartRG, quickstartACR, otherTeamStorage)
	if !bytes.Equal(before, stateBytes(t, dir)) {
		t.Fatal("a refused destroy changed the state")
	}

	// Opted in on the group's block: the plan names the account, and the
	// destroy takes it with the group.
	editFile(t, filepath.Join(dir, "main.hcl"), `api_version = "2021-04-01"`, "api_version = \"2021-04-01\"\n  delete_unmanaged_contents = true")
	r = azapply(t, dir, "destroy", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, otherTeamStorage+" (Microsoft.Storage/storageAccounts) NOT MANAGED by azapply",
		"resource.registry (managed: leaves the state)", "# resource.registry will be deleted with resource.rg",
		"2 to destroy. It also deletes 1 resource azapply does not manage", "Destroy complete! Resources: 2 destroyed.")
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after destroy", ids)
	}
	if out := azapply(t, dir, "state", "list"); strings.TrimSpace(out.stdout) != "" {
		t.Fatalf("the state still lists %q after destroy", out.stdout)
	}
}

// TestRemovedGroupHoldingUnmanagedResources: removing the group's block
// plans its delete; with another team's account inside, plan and apply
// refuse, until a removed block opts in.
func TestRemovedGroupHoldingUnmanagedResources(t *testing.T) {
	dir := quickstartWithOtherTeam(t)
	before := stateBytes(t, dir)
	keepOnlyProvider(t, dir)

	for _, cmd := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
		r := azapply(t, dir, cmd...)
		r.mustExit(t, exitError)
		for _, want := range []string{otherTeamStorage, "removed {", "delete_unmanaged_contents = true"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd[0], want, r.stderr)
			}
		}
		mustHold(t, dir, quickstartRG, quickstartACR, otherTeamStorage)
		if !bytes.Equal(before, stateBytes(t, dir)) {
			t.Fatalf("a refused %s changed the state", cmd[0])
		}
	}

	appendTo(t, filepath.Join(dir, "main.hcl"), "\nremoved {\n  from                      = resource.rg\n  destroy                   = true\n  delete_unmanaged_contents = true\n}\n")
	r := azapply(t, dir, "plan", "--format", "json")
	r.mustExit(t, exitOK)
	r.mustContain(t, `"unmanaged_deletes": 1`, `"id": "`+otherTeamStorage+`"`, `"managed": false`, `"address": "resource.registry"`)

	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, otherTeamStorage+" (Microsoft.Storage/storageAccounts) NOT MANAGED by azapply",
		"Apply complete! Resources: 0 added, 0 changed, 2 destroyed.")
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after the group's delete", ids)
	}
	r = azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitOK)
	r.mustContain(t, "No changes.")
}

// TestPreventDestroyInsideARemovedGroup: the group's block is removed while
// the registry inside it, still declared, has prevent_destroy. The plan is
// an error, nothing is deleted and the state is unchanged. Without
// prevent_destroy, the registry is planned as deleted with the group and
// leaves the state with it.
func TestPreventDestroyInsideARemovedGroup(t *testing.T) {
	dir := example(t, "quickstart")
	main := filepath.Join(dir, "main.hcl")
	editFile(t, main, `id          = "${resource.rg.id}/providers`, `id          = "/subscriptions/${var.subscription_id}/resourceGroups/quickstart/providers`)
	editFile(t, main, `api_version = "2023-07-01"`, "api_version = \"2023-07-01\"\n  prevent_destroy = true")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	before := stateBytes(t, dir)

	b, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	start, end := bytes.Index(b, []byte(`resource "rg"`)), bytes.Index(b, []byte(`resource "registry"`))
	if err := os.WriteFile(main, append(b[:start:start], b[end:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
		r := azapply(t, dir, cmd...)
		r.mustExit(t, exitError)
		for _, want := range []string{"resource.registry has prevent_destroy set", "deletes it with resource.rg"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd[0], want, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "Apply complete") {
			t.Fatalf("%s completed:\n%s", cmd[0], r.stdout)
		}
		mustHold(t, dir, quickstartRG, quickstartACR)
		if !bytes.Equal(before, stateBytes(t, dir)) {
			t.Fatalf("a refused %s changed the state", cmd[0])
		}
	}

	editFile(t, main, "  prevent_destroy = true\n", "")
	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "# resource.registry will be deleted with resource.rg (it is still declared: the next plan creates it again)",
		"resource.registry (managed: leaves the state)", "Plan: 0 to add, 0 to change, 2 to destroy.",
		"Apply complete! Resources: 0 added, 0 changed, 2 destroyed.")
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after the group's delete", ids)
	}
	if out := azapply(t, dir, "state", "list"); strings.TrimSpace(out.stdout) != "" {
		t.Fatalf("the state still lists %q after the group's delete", out.stdout)
	}
}

// TestManagedChildDeletedWithItsGroupLeavesTheState: both blocks removed,
// the registry goes with its group (one DELETE), leaves the state, and the
// next plan offers nothing.
func TestManagedChildDeletedWithItsGroupLeavesTheState(t *testing.T) {
	dir := example(t, "quickstart")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	keepOnlyProvider(t, dir)
	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "# resource.registry will be deleted with resource.rg", "resource.registry (managed: leaves the state)",
		"Apply complete! Resources: 0 added, 0 changed, 2 destroyed.")
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after the group's delete", ids)
	}
	if out := azapply(t, dir, "state", "list"); strings.TrimSpace(out.stdout) != "" {
		t.Fatalf("the state still lists %q after the group's delete", out.stdout)
	}
	r = azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitOK)
	r.mustContain(t, "No changes.")
}

// TestSavedPlanOfAGroupDeleteGoesStale: a saved plan deletes the group as
// it was listed. Once another team's account appears in it, apply of that
// plan refuses and deletes nothing: without delete_unmanaged_contents
// because the fresh plan is an error, with it because the saved plan is
// stale.
func TestSavedPlanOfAGroupDeleteGoesStale(t *testing.T) {
	for _, optIn := range []bool{false, true} {
		dir := example(t, "quickstart")
		azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
		keepOnlyProvider(t, dir)
		want := []string{otherTeamStorage, "does not manage"}
		if optIn {
			appendTo(t, filepath.Join(dir, "main.hcl"), "\nremoved {\n  from                      = resource.rg\n  destroy                   = true\n  delete_unmanaged_contents = true\n}\n")
			want = []string{"is stale", "what resource.rg holds changed"}
		}
		r := azapply(t, dir, "plan", "--out", "tfplan")
		r.mustExit(t, exitOK)
		r.mustContain(t, "resource.registry (managed: leaves the state)", "Plan: 0 to add, 0 to change, 2 to destroy.")
		before := stateBytes(t, dir)

		putInWorld(t, dir, otherTeamStorage, "2023-05-01", `{"location":"westus","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`)
		r = azapply(t, dir, "apply", "tfplan")
		r.mustExit(t, exitError)
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("opt-in %v: stderr lacks %q:\n%s", optIn, w, r.stderr)
			}
		}
		mustHold(t, dir, quickstartRG, quickstartACR, otherTeamStorage)
		if !bytes.Equal(before, stateBytes(t, dir)) {
			t.Fatal("a refused apply changed the state")
		}
	}
}

// TestReplacedGroupTakesItsResourcesAndRecreatesThem: the group's location
// forces its replacement; the registry inside goes with it and is created
// again after it, in one apply, and the next plan is clean.
func TestReplacedGroupTakesItsResourcesAndRecreatesThem(t *testing.T) {
	dir := example(t, "quickstart")
	main := filepath.Join(dir, "main.hcl")
	editFile(t, main, `api_version = "2021-04-01"`, "api_version = \"2021-04-01\"\n  replace_on_changes = [\"location\"]")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	r := azapply(t, dir, "apply", "--auto-approve", "--var", "location=eastus")
	r.mustExit(t, exitOK)
	r.mustContain(t, "-/+ resource.rg", "resource.registry (managed: leaves the state)",
		"# resource.registry must be replaced: it is deleted with resource.rg, then created again",
		"Plan: 2 to add, 0 to change, 2 to destroy.")
	w := world(t, dir)
	for _, id := range []string{quickstartRG, quickstartACR} {
		res, ok := w.Resource(id)
		if !ok {
			t.Fatalf("the emulator lacks %s after the replace; it holds %v", id, w.IDs())
		}
		if loc := res.Body["location"]; loc != "eastus" {
			t.Errorf("%s is in %v, want eastus", id, loc)
		}
	}
	r = azapply(t, dir, "plan", "--detailed-exitcode", "--var", "location=eastus")
	r.mustExit(t, exitOK)
	r.mustContain(t, "No changes.")
}
