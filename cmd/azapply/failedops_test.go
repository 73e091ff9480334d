package main

import (
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// TestFailedCreateIsKeptAndSentAgain: a create whose long-running
// operation ends Failed leaves the resource in Azure (provisioningState
// Failed). Apply reports ARM's error and exits 1; the state records the
// resource (nothing orphaned), the next plan sends it again instead of
// refusing to adopt it or calling it unchanged, and once the service
// behaves, apply converges to a clean plan.
func TestFailedCreateIsKeptAndSentAgain(t *testing.T) {
	failing := []emulator.OperationRule{{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Outcome: emulator.Failed,
			Error: &emulator.ErrorDetail{Code: "QuotaExceeded", Message: "no more registries in this region"}}}}
	s := serveLoopback(t, emulator.Options{Operations: failing, RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	declared := writeStack(t, dir, s, 4)
	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	if r.code != exitError || !strings.Contains(r.stderr, "QuotaExceeded") || !strings.Contains(r.stderr, "no more registries") {
		t.Fatalf("apply: exit %d, want 1 and ARM's error\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
	}
	if o := orphans(s.em, parseState(t, dir), declared); len(o) > 0 {
		t.Fatalf("orphans after the failed create: %v", o)
	}
	r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
	if r.code != exitChanges || !strings.Contains(r.stdout, "~ resource.acr003") || !strings.Contains(r.stdout, `"Failed" -> "Succeeded`) {
		t.Fatalf("plan after the failed create: exit %d, want 2 and the registry sent again\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
	}

	// The same world, now on a service that succeeds.
	world, err := s.em.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}
	healthy := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond})
	if err := healthy.em.UnmarshalWorld(world); err != nil {
		t.Fatal(err)
	}
	writeStack(t, dir, healthy, 4)
	if r := healthy.run(t, dir, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("apply on the healthy service: exit %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
	}
	if r := healthy.run(t, dir, "plan", "--detailed-exitcode", "--no-color"); r.code != exitOK {
		t.Fatalf("plan after recovery: exit %d\n%s", r.code, r.stdout)
	}
	if res, _ := healthy.em.Resource(declared[3]); res.Body["properties"].(map[string]any)["provisioningState"] != "Succeeded" {
		t.Fatalf("the registry is %v", res.Body["properties"])
	}
}

// TestRefusedCreateIsNotRecorded: a create that ARM refuses outright (400,
// nothing created) leaves no trace in the state, though its intent was
// recorded before it was sent; the next plan creates it.
func TestRefusedCreateIsNotRecorded(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	writeStack(t, dir, s, 4, `resource "nowhere" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/nowhere"
  api_version = "2023-07-01"
  body        = { sku = { name = "Basic" } }
}
`)
	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	if r.code != exitError || !strings.Contains(r.stderr, "resource.nowhere") {
		t.Fatalf("apply: exit %d, want 1 and an error naming resource.nowhere\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
	}
	st := parseState(t, dir)
	if st.Get("resource.nowhere") != nil {
		t.Error("the state records a resource ARM refused to create")
	}
	if len(st.Resources) != 4 {
		t.Errorf("the state records %d resources, want the 4 created", len(st.Resources))
	}
	r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
	if r.code != exitChanges || !strings.Contains(r.stdout, "+ resource.nowhere") || !strings.Contains(r.stdout, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stdout)
	}
}
