package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCosmeticIDChangeIsNoChange applies the quickstart, then respells the
// resource group's ID (a trailing slash, doubled slashes, keywords in
// other casing; the registry's ID is built from it, so it is respelled
// too) or the registry's own: each spelling plans no change and applies
// nothing, and the group and the registry in it are still in the
// emulator, spelled as they were created.
func TestCosmeticIDChangeIsNoChange(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "quickstart"))
	main := filepath.Join(dir, "main.hcl")
	original, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	const (
		group    = `"/subscriptions/${var.subscription_id}/resourceGroups/quickstart"`
		registry = `"${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/quickstartacr"`
	)
	for _, declared := range []string{group, registry} {
		if !strings.Contains(string(original), declared) {
			t.Fatalf("main.hcl no longer declares %s", declared)
		}
	}
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	tests := []struct{ name, declared, id string }{
		{"trailing slash", group, `"/subscriptions/${var.subscription_id}/resourceGroups/quickstart/"`},
		{"double slashes", group, `"//subscriptions/${var.subscription_id}//resourceGroups/quickstart"`},
		{"keyword casing", group, `"/SUBSCRIPTIONS/${var.subscription_id}/resourcegroups/quickstart"`},
		{"all at once", group, `"/Subscriptions/${var.subscription_id}//ResourceGroups/quickstart//"`},
		{"the registry's trailing slash", registry, `"${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/quickstartacr/"`},
		{"the registry's keyword", registry, `"${resource.rg.id}/Providers/Microsoft.ContainerRegistry/registries/quickstartacr"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			respelled := strings.Replace(string(original), tc.declared, tc.id, 1)
			if err := os.WriteFile(main, []byte(respelled), 0o644); err != nil {
				t.Fatal(err)
			}
			r := azapply(t, dir, "plan", "--detailed-exitcode", "--no-color")
			r.mustExit(t, exitOK)
			r.mustContain(t, "No changes.")
			r.mustNotContain(t, "replace", "destroy", "//")

			r = azapply(t, dir, "apply", "--auto-approve", "--no-color")
			r.mustExit(t, exitOK)
			r.mustNotContain(t, "Destroying", "Creating", "Modifying")
			w := world(t, dir)
			for _, id := range []string{quickstartRG, quickstartACR} {
				res, ok := w.Resource(id)
				if !ok {
					t.Fatalf("%s is gone from the emulator; it has %v", id, w.IDs())
				}
				if res.ID != id {
					t.Errorf("the emulator's %s is now spelled %s", id, res.ID)
				}
			}
			if n := len(w.IDs()); n != 2 {
				t.Errorf("the emulator holds %d resources, want the group and the registry: %v", n, w.IDs())
			}
		})
	}
}
