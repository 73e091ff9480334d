package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// send makes a request to the served emulator in-process, as someone using
// the portal or az would, and returns the status.
func send(t *testing.T, s *servedEmulator, method, id, apiVersion, body string) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "https://emulator.invalid"+id+"?api-version="+apiVersion, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+knownToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: s.em.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLocksSeenBeforeApply: a CanNotDelete lock on the resource group is
// read by the plan, which names it on the delete of the registry inside;
// apply and destroy start nothing (no DELETE reaches the emulator, the
// registry stays); once the lock is gone, apply deletes it.
func TestLocksSeenBeforeApply(t *testing.T) {
	// Lock writes are synchronous in ARM.
	ops := append([]emulator.OperationRule{{Type: "Microsoft.Authorization/locks"}}, emulator.RealisticOperations()...)
	s := serveLoopback(t, emulator.Options{Locks: true, Operations: ops, RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	writeOpsStack(t, dir, s, `{ location = "westus", sku = { name = "Basic" } }`)
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	lockID := stackRG + "/providers/Microsoft.Authorization/locks/keep"
	if st := send(t, s, "PUT", lockID, "2016-09-01", `{"properties":{"level":"CanNotDelete","notes":"production"}}`); st != 201 {
		t.Fatalf("creating the lock: %d", st)
	}

	// The registry is no longer declared: the plan deletes it, and says
	// the lock refuses that.
	writeStack(t, dir, s, 1)
	s.em.ResetObservations()
	r := mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "- resource.acr", `# LOCKED: the CanNotDelete lock "keep" on `+stackRG+" refuses this delete; apply will not start",
		"az lock delete --ids "+lockID, "Warning: management locks refuse 1 planned changes")
	if n := requests(s.em, "GET", opsACR+"/providers/Microsoft.Authorization/locks", 0); n != 1 {
		t.Errorf("plan listed the locks %d times, want once: %v", n, s.em.RequestLog())
	}

	s.em.ResetObservations()
	r = mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	if !strings.Contains(r.stderr, "management locks refuse changes that this plan makes, so nothing was changed") ||
		!strings.Contains(r.stderr, `resource.acr: the CanNotDelete lock "keep"`) {
		t.Errorf("apply's error:\n%s", r.stderr)
	}
	r = mustRun(t, s, dir, exitError, "destroy", "--auto-approve", "--no-color")
	if !strings.Contains(r.stderr, "resource.rg: the CanNotDelete lock") {
		t.Errorf("destroy's error:\n%s", r.stderr)
	}
	for _, e := range s.em.RequestLog() {
		if e.Method != "GET" && strings.HasPrefix(e.Path, "/subscriptions/") {
			t.Errorf("a locked apply sent %s %s", e.Method, e.Path)
		}
	}
	if _, ok := s.em.Resource(opsACR); !ok {
		t.Fatal("the locked registry is gone")
	}

	if st := send(t, s, "DELETE", lockID, "2016-09-01", ""); st != 200 {
		t.Fatalf("deleting the lock: %d", st)
	}
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	if _, ok := s.em.Resource(opsACR); ok {
		t.Fatal("the registry is still there after the lock was removed and apply ran")
	}

	// A ReadOnly lock on the registry refuses its update: the plan reads
	// the locks of the registry's group once and says so; apply sends no
	// write.
	writeOpsStack(t, dir, s, `{ location = "westus", sku = { name = "Basic" } }`)
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	frozen := opsACR + "/providers/Microsoft.Authorization/locks/frozen"
	if st := send(t, s, "PUT", frozen, "2016-09-01", `{"properties":{"level":"ReadOnly"}}`); st != 201 {
		t.Fatalf("creating the ReadOnly lock: %d", st)
	}
	writeOpsStack(t, dir, s, `{ location = "westus", sku = { name = "Premium" } }`)
	s.em.ResetObservations()
	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "~ resource.acr", `# LOCKED: the ReadOnly lock "frozen" on `+opsACR+" refuses this update")
	if n := requests(s.em, "GET", stackRG+"/providers/Microsoft.Authorization/locks", 0); n != 1 {
		t.Errorf("plan listed the group's locks %d times, want once", n)
	}
	s.em.ResetObservations()
	mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	for _, e := range s.em.RequestLog() {
		if e.Method != "GET" && strings.HasPrefix(e.Path, "/subscriptions/") {
			t.Errorf("an apply refused by a ReadOnly lock sent %s %s", e.Method, e.Path)
		}
	}
	if res, _ := s.em.Resource(opsACR); res.Body["sku"].(map[string]any)["name"] != "Basic" {
		t.Errorf("the locked registry changed: %v", res.Body["sku"])
	}
}
