package views

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/azapply/views -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the output (run go test ./cmd/azapply/views -update if the change is intended):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

const ipID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/ip0"

func driftReport() *fleet.Report {
	drifted := &plan.Plan{RefreshOnly: true, Drift: []*plan.Drift{{Address: "resource.ip0", ID: ipID,
		Paths: []plan.PathChange{{Path: "tags.env", Before: "prod", After: "portal", Declared: true}}}}}
	return &fleet.Report{Kind: fleet.Drift, Shard: fleet.All, Stacks: []fleet.Result{
		{Dir: "stacks/app", Status: fleet.Clean, Plan: &plan.Plan{RefreshOnly: true}},
		{Dir: "stacks/net", Status: fleet.Drifted, Count: 1, Plan: drifted},
		{Dir: "stacks/broken", Status: fleet.Failed, Err: errors.New("reading the state: the lock is held by another run")},
	}}
}

func planReport() *fleet.Report {
	changes := &plan.Plan{Changes: []*plan.Change{{Address: "resource.ip0", ID: ipID, APIVersion: "2024-07-01", Action: plan.Update,
		Paths: []plan.PathChange{{Path: "sku.name", Before: "Basic", After: "Standard"}}}}}
	return &fleet.Report{Kind: fleet.Plan, Shard: fleet.Shard{Index: 1, Count: 4}, Skipped: 5, Stacks: []fleet.Result{
		{Dir: "stacks/app", Status: fleet.Clean, Plan: &plan.Plan{}},
		{Dir: "stacks/net", Status: fleet.Changes, Count: 1, Plan: changes},
	}}
}

func TestFleetViews(t *testing.T) {
	reports := map[string]*fleet.Report{"drift": driftReport(), "plan": planReport(),
		"empty": {Kind: fleet.Drift, Shard: fleet.Shard{Index: 2, Count: 4}, Skipped: 7}}
	for name, r := range reports {
		for _, f := range []Format{Text, Markdown, JSON} {
			var out bytes.Buffer
			if err := Fleet(Streams{Out: &out}, r, f); err != nil {
				t.Fatal(err)
			}
			ext := map[Format]string{Text: "txt", Markdown: "md", JSON: "json"}[f]
			golden(t, "fleet-"+name+"."+ext, out.Bytes())
		}
	}
}
