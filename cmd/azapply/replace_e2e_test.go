package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

const opsACR = stackRG + "/providers/Microsoft.ContainerRegistry/registries/opsacr"

// writeOpsStack writes a resource group and one registry with body, plus
// extra blocks, to dir.
func writeOpsStack(t *testing.T, dir string, s *servedEmulator, acrBody string, extra ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(s.provider())
	fmt.Fprintf(&b, "\nresource \"rg\" {\n  id          = %q\n  api_version = \"2021-04-01\"\n  body        = { location = \"westus\" }\n}\n", stackRG)
	fmt.Fprintf(&b, "\nresource \"acr\" {\n  id          = \"${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/opsacr\"\n  api_version = \"2023-07-01\"\n  body        = %s\n", acrBody)
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requests counts the emulator's answers to method on the path of id with
// status (any status when 0).
func requests(em *emulator.Server, method, id string, status int) int {
	n := 0
	for _, e := range em.RequestLog() {
		if e.Method == method && strings.EqualFold(e.Path, id) && (status == 0 || e.Status == status) {
			n++
		}
	}
	return n
}

func mustRun(t *testing.T, s *servedEmulator, dir string, code int, args ...string) binResult {
	t.Helper()
	r := s.run(t, dir, args...)
	if r.code != code {
		t.Fatalf("azapply %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, tail(r.stderr, 3000))
	}
	return r
}

// TestReplaceLocationAndRequested: a location change plans as a replace
// with its reason and apply deletes and creates the resource in the new
// location; --replace forces one on plan and apply; an undeclared
// --replace address is refused before anything is read.
func TestReplaceLocationAndRequested(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	writeOpsStack(t, dir, s, `{ location = "westus", sku = { name = "Basic" } }`)
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")

	writeOpsStack(t, dir, s, `{ location = "eastus", sku = { name = "Basic" } }`)
	r := mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "-/+ resource.acr", `~ location = "westus" -> "eastus"`,
		"# forces replacement: the location of a resource cannot change in place", "Plan: 1 to add, 0 to change, 1 to destroy.")
	s.em.ResetObservations()
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	if n := requests(s.em, "DELETE", opsACR, 0); n != 1 {
		t.Errorf("apply sent %d DELETEs of the registry, want 1", n)
	}
	if res, ok := s.em.Resource(opsACR); !ok || res.Body["location"] != "eastus" {
		t.Fatalf("after the replace the registry is %v (exists %v), want it in eastus", res.Body, ok)
	}
	mustRun(t, s, dir, exitOK, "plan", "--detailed-exitcode", "--no-color")

	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color", "--replace", "resource.acr")
	r.mustContain(t, "# resource.acr will be replaced, as requested with --replace", "-/+ resource.acr")
	mustRun(t, s, dir, exitOK, "plan", "--no-color", "--replace", "resource.acr", "--out", "replace.plan")
	mustRun(t, s, dir, exitOK, "show", "--no-color", "replace.plan").mustContain(t, "# resource.acr will be replaced, as requested with --replace")
	s.em.ResetObservations()
	mustRun(t, s, dir, exitOK, "apply", "--no-color", "replace.plan")
	if requests(s.em, "DELETE", opsACR, 0) != 1 || requests(s.em, "PUT", opsACR, 201) != 1 {
		t.Errorf("the requested replace sent %d DELETEs and %d creating PUTs, want 1 each", requests(s.em, "DELETE", opsACR, 0), requests(s.em, "PUT", opsACR, 201))
	}
	if _, ok := s.em.Resource(opsACR); !ok {
		t.Fatal("the registry is gone after its replace")
	}

	// The group moves: deleting it deletes the registry, so the plan
	// replaces that too (plan/containers.go), and says why.
	rgMoved := strings.Replace(readFile(t, filepath.Join(dir, "main.hcl")), `body        = { location = "westus" }`, `body        = { location = "eastus" }`, 1)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(rgMoved), 0o644); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "-/+ resource.rg", "# forces replacement: the location of a resource cannot change in place",
		"# resource.acr must be replaced: it is deleted with resource.rg, then created again", "Plan: 2 to add, 0 to change, 2 to destroy.")
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	if res, ok := s.em.Resource(stackRG); !ok || res.Body["location"] != "eastus" {
		t.Fatalf("the group after its replace: %v", res.Body)
	}
	if _, ok := s.em.Resource(opsACR); !ok {
		t.Fatal("the registry is gone after its group's replace")
	}
	mustRun(t, s, dir, exitOK, "plan", "--detailed-exitcode", "--no-color")

	s.em.ResetObservations()
	r = mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color", "--replace", "resource.nope")
	if !strings.Contains(r.stderr, "--replace resource.nope: no declared resource has this address") {
		t.Errorf("stderr lacks the refusal:\n%s", r.stderr)
	}
	for _, e := range s.em.RequestLog() {
		if e.Method != "GET" {
			t.Errorf("a refused --replace sent %s %s", e.Method, e.Path)
		}
	}
}

// TestLearnsImmutableProperty: ARM refuses an in-place change with
// PropertyChangeNotAllowed; apply fails with what to do and records the
// path in the state; the next plan replaces the resource with the reason
// and apply succeeds; update_in_place overrides what was learned.
func TestLearnsImmutableProperty(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
		Immutable: []emulator.ImmutableProperty{{Type: "Microsoft.ContainerRegistry/registries", Path: "properties.zoneRedundancy"}}})
	dir := t.TempDir()
	body := func(zr string) string {
		return fmt.Sprintf(`{ location = "westus", sku = { name = "Premium" }, properties = { zoneRedundancy = %q } }`, zr)
	}
	writeOpsStack(t, dir, s, body("Disabled"))
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")

	writeOpsStack(t, dir, s, body("Enabled"))
	mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color").mustContain(t, "~ resource.acr")
	r := mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	for _, w := range []string{"PropertyChangeNotAllowed", "The service does not change properties.zoneRedundancy of Microsoft.ContainerRegistry/registries in place", "update_in_place"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if got := parseState(t, dir).ImmutablePaths("Microsoft.ContainerRegistry/registries"); len(got) != 1 || got[0] != "properties.zoneRedundancy" {
		t.Fatalf("the state learned %v", got)
	}

	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "-/+ resource.acr", "# forces replacement: the service refused to change it in place at an earlier apply")
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	res, ok := s.em.Resource(opsACR)
	if !ok || res.Body["properties"].(map[string]any)["zoneRedundancy"] != "Enabled" {
		t.Fatalf("after the replace the registry is %v", res.Body)
	}

	// The configuration overrides: the change is planned in place (and the
	// service, which still refuses it, says so again).
	writeOpsStack(t, dir, s, body("Disabled"), `update_in_place = ["properties.zoneRedundancy"]`)
	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "~ resource.acr")
	if strings.Contains(r.stdout, "-/+") {
		t.Errorf("update_in_place still plans a replace:\n%s", r.stdout)
	}
}
