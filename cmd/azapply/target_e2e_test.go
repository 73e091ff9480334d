package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// armRequests lists the ARM requests (not sign-in or discovery) the
// emulator answered since its observations were reset, as "METHOD path".
func armRequests(em *emulator.Server) []string {
	var out []string
	for _, e := range em.RequestLog() {
		if strings.HasPrefix(strings.ToLower(e.Path), "/subscriptions/") {
			out = append(out, e.Method+" "+e.Path)
		}
	}
	return out
}

// TestTargetLimitsRequests runs plan, apply and destroy with --target on
// a served emulator and counts what each sends: only the targeted
// resource and what it depends on are read and written.
func TestTargetLimitsRequests(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	acr := func(n int) string {
		return stackRG + "/providers/Microsoft.ContainerRegistry/registries/targetacr" + string(rune('0'+n))
	}
	write := func(sku1, sku2 string) {
		writeConfigFile(t, filepath.Join(dir, "main.hcl"), s.provider()+`
resource "rg" {
  id          = "`+stackRG+`"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr1" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/targetacr1"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "`+sku1+`" } }
}

resource "acr2" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/targetacr2"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "`+sku2+`" } }
}
`)
	}
	write("Basic", "Basic")
	s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	write("Standard", "Standard")
	s.em.ResetObservations()
	r := s.run(t, dir, "plan", "--target", "resource.acr1", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "~ resource.acr1", "Plan: 0 to add, 1 to change, 0 to destroy.")
	r.mustNotContain(t, "resource.acr2")
	if !strings.Contains(r.stderr, "Warning: Resource targeting is in effect") {
		t.Errorf("no targeting warning:\n%s", r.stderr)
	}
	// acr1 and the group it depends on: two GETs of resources (and the
	// list of the locks above the update); nothing of acr2.
	var reads []string
	for _, r := range armRequests(s.em) {
		if strings.Contains(r, "targetacr2") {
			t.Errorf("plan --target read acr2: %s", r)
		}
		if !strings.HasSuffix(r, "/locks") {
			reads = append(reads, r)
		}
	}
	if len(reads) != 2 {
		t.Errorf("plan --target sent %v, want the GETs of rg and acr1", reads)
	}

	s.em.ResetObservations()
	r = s.run(t, dir, "apply", "--target", "resource.acr1", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Resources: 0 added, 1 changed, 0 destroyed.")
	if !strings.Contains(r.stderr, "Applied changes may be incomplete") {
		t.Errorf("no warning after apply:\n%s", r.stderr)
	}
	if w := armWrites(s.em); len(w) != 1 || !strings.HasPrefix(w[0], "PUT ") || !strings.HasSuffix(w[0], "targetacr1") {
		t.Errorf("apply --target wrote %v, want one PUT of targetacr1", w)
	}
	for n, want := range map[int]string{1: "Standard", 2: "Basic"} {
		res, _ := s.em.Resource(acr(n))
		if got := res.Body["sku"].(map[string]any)["name"]; got != want {
			t.Errorf("targetacr%d sku = %v, want %s", n, got, want)
		}
	}
	// The change left out is still pending.
	r = s.run(t, dir, "plan", "--no-color")
	r.mustContain(t, "~ resource.acr2", "Plan: 0 to add, 1 to change, 0 to destroy.")

	// destroy --target deletes the target only (nothing depends on it).
	s.em.ResetObservations()
	r = s.run(t, dir, "destroy", "--target", "resource.acr2", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Resources: 1 destroyed.")
	if w := armWrites(s.em); len(w) != 1 || !strings.HasPrefix(w[0], "DELETE ") || !strings.HasSuffix(w[0], "targetacr2") {
		t.Errorf("destroy --target wrote %v", w)
	}
	if _, ok := s.em.Resource(acr(1)); !ok {
		t.Error("destroy --target deleted targetacr1")
	}

	// A target that names nothing: an error, nothing sent.
	s.em.ResetObservations()
	r = s.run(t, dir, "plan", "--target", "resource.nope")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "--target resource.nope names nothing") || len(armRequests(s.em)) != 0 {
		t.Errorf("a bad target: %v\n%s", armRequests(s.em), r.stderr)
	}
	r = s.run(t, dir, "plan", "--target", "acr1")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "is not an address") {
		t.Errorf("a malformed target:\n%s", r.stderr)
	}
}
