package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/emulator"
)

// fleetStack writes a stack into root/name: a resource group of its own
// (unless group is shared: then only the public IPs, in that group) in
// subscription sub, and ips public IPs named <name>-ip<i>. It returns the
// directory and the IPs' IDs.
func fleetStack(t *testing.T, s *servedEmulator, root, name, sub, group string, declareGroup bool, ips int) (string, []string) {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rg := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", sub, group)
	var b strings.Builder
	b.WriteString(s.provider())
	b.WriteString("\nvariable \"env\" {\n  type    = string\n  default = \"test\"\n}\n")
	if declareGroup {
		fmt.Fprintf(&b, "\nresource \"rg\" {\n  id          = %q\n  api_version = \"2021-04-01\"\n  body        = { location = \"westus\" }\n}\n", rg)
	}
	var ids []string
	for i := range ips {
		id := fmt.Sprintf("%s/providers/Microsoft.Network/publicIPAddresses/%s-ip%d", rg, name, i)
		ids = append(ids, id)
		fmt.Fprintf(&b, "\nresource \"ip%d\" {\n  id          = %q\n  api_version = \"2024-07-01\"\n  body        = { location = \"westus\", tags = { env = var.env }, sku = { name = \"Standard\" } }\n}\n", i, id)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, ids
}

// fleetOfFive applies five stacks of their own groups and returns their
// directories (relative to root) and each one's IP IDs.
func fleetOfFive(t *testing.T, s *servedEmulator, root string) ([]string, [][]string) {
	t.Helper()
	var dirs []string
	var ids [][]string
	for i := range 5 {
		name := fmt.Sprintf("stack%d", i)
		dir, ip := fleetStack(t, s, root, name, stackSub, "fleet-"+name, true, 3)
		s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
		dirs = append(dirs, name)
		ids = append(ids, ip)
	}
	return dirs, ids
}

func fleetArgs(kind string, flags []string, dirs []string) []string {
	return append(append([]string{"fleet", kind}, flags...), dirs...)
}

// TestFleetDriftNamesTheStacksThatDrifted changes two of five stacks out of
// band: fleet drift --detailed-exitcode exits 2 and names those two, in
// text, JSON and markdown.
func TestFleetDriftNamesTheStacksThatDrifted(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	root := t.TempDir()
	dirs, ids := fleetOfFive(t, s, root)

	r := s.run(t, root, fleetArgs("drift", []string{"--detailed-exitcode", "--no-color"}, dirs)...)
	r.mustExit(t, exitOK)
	r.mustContain(t, "5 stacks: 5 clean, 0 drifted, 0 failed.")

	for _, i := range []int{1, 3} {
		if err := s.em.ChangeOutOfBand(ids[i][0], map[string]any{"tags": map[string]any{"env": "portal"}}); err != nil {
			t.Fatal(err)
		}
	}
	r = s.run(t, root, fleetArgs("drift", []string{"--detailed-exitcode", "--no-color"}, dirs)...)
	r.mustExit(t, exitChanges)
	r.mustContain(t, "stack0  clean", "stack1  1 drifted", "stack2  clean", "stack3  1 drifted", "stack4  clean",
		"5 stacks: 3 clean, 2 drifted, 0 failed.", "─── stack1 ", "─── stack3 ", `~ tags.env = "test" -> "portal"`)
	if strings.Contains(r.stdout, "─── stack0 ") {
		t.Errorf("a clean stack has details:\n%s", r.stdout)
	}
	// Without --detailed-exitcode, drift is not an error.
	s.run(t, root, fleetArgs("drift", []string{"--no-color"}, dirs)...).mustExit(t, exitOK)

	r = s.run(t, root, fleetArgs("drift", []string{"--detailed-exitcode", "--format", "json"}, dirs)...)
	r.mustExit(t, exitChanges)
	var doc views.FleetDocument
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("the JSON report does not decode: %v\n%s", err, r.stdout)
	}
	if doc.Command != "drift" || doc.Summary.Stacks != 5 || doc.Summary.Drifted != 2 || doc.ExitStatus.DetailedExitCode != 2 {
		t.Errorf("JSON summary: %+v, exit %+v", doc.Summary, doc.ExitStatus)
	}
	for i, st := range doc.Stacks {
		want := "clean"
		if i == 1 || i == 3 {
			want = "drifted"
		}
		if st.Dir != dirs[i] || st.Status != want || st.Plan == nil {
			t.Errorf("JSON stack %d: %s %s (plan %v), want %s %s", i, st.Dir, st.Status, st.Plan != nil, dirs[i], want)
			continue
		}
		if want == "drifted" && (len(st.Plan.Drift) != 1 || st.Plan.Drift[0].ID != ids[i][0]) {
			t.Errorf("JSON stack %d: its plan's drift is %+v, want %s", i, st.Plan.Drift, ids[i][0])
		}
	}

	r = s.run(t, root, fleetArgs("drift", []string{"--format", "markdown"}, dirs)...)
	r.mustExit(t, exitOK)
	r.mustContain(t, "## azapply fleet drift", "| `stack1` | ⚠️ 1 drifted |", "| `stack0` | ✅ clean |",
		"<details><summary><code>stack3</code>: 1 drifted</summary>", "- `resource.ip0`: 1 paths changed outside azapply")
}

// TestFleetPlanReportsABrokenStackAndRunsTheOthers: a stack with a mistake
// fails with its diagnostics, the others are planned, and the fleet exits 1.
// A stack's fleet.vars is its --var-file.
func TestFleetPlanReportsABrokenStackAndRunsTheOthers(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	root := t.TempDir()
	dirs, _ := fleetOfFive(t, s, root)
	broken := filepath.Join(root, "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "main.hcl"), []byte(s.provider()+"\nresource \"x\" {\n  id = \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, dirs[2], "fleet.vars"), []byte("env = \"prod\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	all := append([]string{dirs[0], "broken"}, dirs[1:]...)
	r := s.run(t, root, fleetArgs("plan", []string{"--detailed-exitcode", "--no-color"}, all)...)
	r.mustExit(t, exitError)
	r.mustContain(t, "stack0  clean", "broken  error: broken/main.hcl:7", "stack2  3 changes", "stack4  clean",
		"6 stacks: 4 clean, 1 with changes, 1 failed.", "on broken/main.hcl:7", `~ tags.env = "test" -> "prod"`,
		"Plan: 0 to add, 3 to change, 0 to destroy.")

	// What the fleet planned is what plan in the stack plans.
	one := s.run(t, filepath.Join(root, dirs[2]), "plan", "--no-color", "--var-file", "fleet.vars")
	one.mustExit(t, exitOK)
	one.mustContain(t, "Plan: 0 to add, 3 to change, 0 to destroy.")
	// Nothing was written: the stack's resources are as applied.
	rs, _ := s.em.Resource(fmt.Sprintf("/subscriptions/%s/resourceGroups/fleet-stack2/providers/Microsoft.Network/publicIPAddresses/stack2-ip0", stackSub))
	if got := rs.Body["tags"].(map[string]any)["env"]; got != "test" {
		t.Errorf("fleet plan changed a tag to %v", got)
	}

	r = s.run(t, root, fleetArgs("plan", []string{"--format", "json"}, all)...)
	r.mustExit(t, exitError)
	var doc views.FleetDocument
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("the JSON report does not decode: %v\n%s", err, r.stdout)
	}
	if b := doc.Stacks[1]; b.Status != "failed" || b.Plan != nil || len(b.Diagnostics) == 0 || b.Diagnostics[0].File != "broken/main.hcl" || b.Diagnostics[0].Line != 7 {
		t.Errorf("the broken stack in JSON: %+v", b)
	}
}

// TestFleetListsASharedCollectionOnce: three stacks keep their public IPs
// in one resource group; with --refresh collection the fleet lists that
// group's IPs once, where three plans list it three times.
func TestFleetListsASharedCollectionOnce(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	root := t.TempDir()
	var dirs []string
	for i := range 3 {
		name := fmt.Sprintf("team%d", i)
		dir, _ := fleetStack(t, s, root, name, stackSub, "shared", i == 0, 3)
		s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
		dirs = append(dirs, name)
	}
	collection := strings.ToLower(fmt.Sprintf("/subscriptions/%s/resourceGroups/shared/providers/Microsoft.Network/publicIPAddresses", stackSub))
	lists := func() int {
		n := 0
		for _, e := range s.em.RequestLog() {
			if e.Method == "GET" && strings.ToLower(e.Path) == collection {
				n++
			}
		}
		return n
	}
	before := lists()
	for _, d := range dirs {
		s.run(t, filepath.Join(root, d), "plan", "--refresh", "collection", "--detailed-exitcode", "--no-color").mustExit(t, exitOK)
	}
	apart := lists() - before
	before = lists()
	r := s.run(t, root, fleetArgs("plan", []string{"--refresh", "collection", "--detailed-exitcode", "--no-color"}, dirs)...)
	r.mustExit(t, exitOK)
	r.mustContain(t, "3 stacks: 3 clean, 0 with changes, 0 failed.")
	together := lists() - before
	if apart != 3 || together != 1 {
		t.Errorf("the shared collection was listed %d times by three plans and %d times by the fleet, want 3 and 1", apart, together)
	}
}

// TestFleetShards runs a fleet over three subscriptions as three shards:
// every stack is planned by exactly one of them, a subscription's stacks by
// the same one, and a shard with no stack says so and exits 0.
func TestFleetShards(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	root := t.TempDir()
	subs := []string{stackSub, "00000000-0000-0000-0000-0000000000bb", "00000000-0000-0000-0000-0000000000cc"}
	subOf := map[string]string{}
	var dirs []string
	for i := range 6 {
		name := fmt.Sprintf("s%d", i)
		sub := subs[i%len(subs)]
		fleetStack(t, s, root, name, sub, "g-"+name, true, 1)
		dirs = append(dirs, name)
		subOf[name] = sub
	}
	for _, n := range []int{1, 2, 3, 5} {
		seen := map[string]int{}
		shardOfSub := map[string]int{}
		for i := range n {
			r := s.run(t, root, fleetArgs("plan", []string{"--format", "json", "--shard", fmt.Sprintf("%d/%d", i, n)}, dirs)...)
			r.mustExit(t, exitOK)
			var doc views.FleetDocument
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("shard %d/%d: %v\n%s", i, n, err, r.stdout)
			}
			if doc.Summary.Stacks+doc.Summary.Skipped != len(dirs) {
				t.Errorf("shard %d/%d: %d stacks and %d skipped, want %d in all", i, n, doc.Summary.Stacks, doc.Summary.Skipped, len(dirs))
			}
			for _, st := range doc.Stacks {
				seen[st.Dir]++
				if st.Status != "changes" {
					t.Errorf("shard %d/%d: %s is %s, want changes (nothing applied)", i, n, st.Dir, st.Status)
				}
				if prev, ok := shardOfSub[subOf[st.Dir]]; ok && prev != i {
					t.Errorf("N=%d: subscription %s is in shards %d and %d", n, subOf[st.Dir], prev, i)
				}
				shardOfSub[subOf[st.Dir]] = i
			}
		}
		var got []string
		for _, d := range dirs {
			if seen[d] != 1 {
				got = append(got, fmt.Sprintf("%s×%d", d, seen[d]))
			}
		}
		sort.Strings(got)
		if len(got) > 0 {
			t.Errorf("N=%d: stacks not planned exactly once: %v", n, got)
		}
	}
	// Five shards for three subscriptions: at least two are empty.
	empty := 0
	for i := range 5 {
		r := s.run(t, root, fleetArgs("drift", []string{"--shard", fmt.Sprintf("%d/5", i), "--detailed-exitcode"}, dirs)...)
		if strings.Contains(r.stdout, "has no stack") {
			r.mustExit(t, exitOK)
			r.mustContain(t, fmt.Sprintf("Shard %d/5 has no stack: the 6 stacks given belong to other shards.", i))
			empty++
		}
	}
	if empty < 2 {
		t.Errorf("%d of five shards were empty for three subscriptions, want at least 2", empty)
	}
}

func TestFleetBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"fleet"}, "say what to run"},
		{[]string{"fleet", "apply", "a"}, "say what to run"},
		{[]string{"fleet", "plan"}, "give the stacks' directories"},
		{[]string{"fleet", "drift", "--shard", "3/3", "a"}, "--shard \"3/3\""},
		{[]string{"fleet", "plan", "--format", "yaml", "a"}, "--format \"yaml\""},
		{[]string{"fleet", "plan", "--parallelism", "0", "a"}, "--parallelism 0"},
	}
	for _, tc := range tests {
		r := azapply(t, dir, tc.args...)
		r.mustExit(t, exitError)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("azapply %v: stderr lacks %q:\n%s", tc.args, tc.want, r.stderr)
		}
	}
}

// TestFleetExpandsPatterns: where no shell expands stacks/* (a container, a
// Job's args), the fleet does; a pattern that matches nothing is an error.
func TestFleetExpandsPatterns(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	root := t.TempDir()
	for _, name := range []string{"b", "a"} {
		fleetStack(t, s, filepath.Join(root, "stacks"), name, stackSub, "g-"+name, true, 1)
	}
	if err := os.WriteFile(filepath.Join(root, "stacks", "README.md"), []byte("not a stack\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.run(t, root, "fleet", "plan", "--no-color", "stacks/*")
	r.mustExit(t, exitOK)
	r.mustContain(t, "stacks/a  2 changes\n  stacks/b  2 changes", "2 stacks: 0 clean, 2 with changes, 0 failed.")
	r = s.run(t, root, "fleet", "plan", "--no-color", "nothing/*")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, `the stacks "nothing/*": no directory matches it`) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestFleetParallelismBoundsTheFleet: --parallelism 3 over five stacks
// (each would read 10 at once on its own) keeps at most 3 ARM requests in
// flight for the whole fleet, as the emulator saw them: a request it was
// answering had been sent and not yet answered.
func TestFleetParallelismBoundsTheFleet(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Faults: emulator.Faults{Latency: 5 * time.Millisecond}})
	root := t.TempDir()
	var dirs []string
	for i := range 5 {
		name := fmt.Sprintf("p%d", i)
		dir, _ := fleetStack(t, s, root, name, stackSub, "par-"+name, true, 8)
		s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
		dirs = append(dirs, name)
	}
	from := len(s.em.RequestLog())
	r := s.run(t, root, fleetArgs("drift", []string{"--parallelism", "3", "--detailed-exitcode", "--no-color"}, dirs)...)
	r.mustExit(t, exitOK)
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	reads := 0
	for _, e := range s.em.RequestLog()[from:] {
		if !strings.HasPrefix(strings.ToLower(e.Path), "/subscriptions/") {
			continue // the cloud's metadata and the sign-in are not ARM's
		}
		reads++
		edges = append(edges, edge{e.Time, 1}, edge{e.Time.Add(e.Duration), -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	now, most := 0, 0
	for _, e := range edges {
		now += e.delta
		most = max(most, now)
	}
	t.Logf("%d ARM requests, at most %d at once", reads, most)
	if reads < 45 {
		t.Fatalf("the fleet sent %d ARM requests, want at least 45 (five stacks of 9)", reads)
	}
	if most > 3 {
		t.Errorf("%d ARM requests were in flight at once, want at most 3 (--parallelism 3)", most)
	}
}

// TestFleetJSONErrors: with --format json, an error that stops the fleet is
// a JSON diagnostic on standard output, as for every JSON view.
func TestFleetJSONErrors(t *testing.T) {
	r := azapply(t, t.TempDir(), "fleet", "drift", "--format", "json", "--shard", "9/2", "a")
	r.mustExit(t, exitError)
	var d views.Diagnostic
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.Type != "diagnostic" || d.Severity != "error" || !strings.Contains(d.Summary, "--shard") {
		t.Errorf("stdout is not one JSON diagnostic about --shard: %v\n%s", err, r.stdout)
	}
}
