package main

import (
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestRefreshByCollection runs the binary against a served emulator: plan
// and drift with --refresh collection (or the provider block's refresh)
// print what they print with a GET of each resource, with fewer GETs; the
// flag wins over the provider block; a bad value sends nothing.
func TestRefreshByCollection(t *testing.T) {
	s := serveLoopback(t, emulator.Options{PageSize: 3})
	dir := t.TempDir()
	// A group, then 4 registries, 4 public IPs and 4 storage accounts.
	writeStack(t, dir, s, 13)
	s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, exitOK)
	if err := s.em.ChangeOutOfBand(stackRG+"/providers/Microsoft.Network/publicIPAddresses/pip004", map[string]any{"tags": map[string]any{"owner": "portal"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.em.ChangeOutOfBand(stackRG+"/providers/Microsoft.ContainerRegistry/registries/acr003", map[string]any{"sku": map[string]any{"name": "Premium"}}); err != nil {
		t.Fatal(err)
	}
	type run struct {
		out, log string
		gets     int
	}
	plan := func(args ...string) run {
		t.Helper()
		s.em.ResetObservations()
		r := s.run(t, dir, append(args, "--detailed-exitcode", "--no-color")...)
		r.mustExit(t, 2)
		return run{out: r.stdout, log: r.stderr, gets: armGets(s.em)}
	}
	same := func(what string, a, b run, locks int) {
		t.Helper()
		if a.out != b.out {
			t.Errorf("%s: the output differs\nby resource:\n%s\nby collection:\n%s", what, a.out, b.out)
		}
		// 13 resources: the group and, per type, a list of 2 pages and
		// the GET that checks it; a plan with updates also lists the
		// management locks of their group once.
		if a.gets != 13+locks || b.gets != 10+locks {
			t.Errorf("%s: %d GETs by resource, %d by collection; want %d and %d", what, a.gets, b.gets, 13+locks, 10+locks)
		}
	}
	byResource := plan("plan")
	if !strings.Contains(byResource.out, `~ sku.name = "Premium" -> "Basic"`) || !strings.Contains(byResource.out, "owner") {
		t.Fatalf("the plan does not show the drift:\n%s", byResource.out)
	}
	byCollection := plan("plan", "--refresh", "collection")
	same("plan", byResource, byCollection, 1)
	// The debug log (AZAPPLY_LOG=debug) says what was listed.
	if !strings.Contains(byCollection.log, "refresh: listed") || strings.Contains(byResource.log, "refresh: listed") {
		t.Errorf("the debug log does not tell which refresh listed:\n%s", byCollection.log)
	}
	same("drift", plan("drift"), plan("drift", "--refresh=collection"), 0)

	// The provider block's refresh, and the flag that overrides it.
	editFile(t, dir+"/main.hcl", "  metadata_endpoint", "  refresh           = \"collection\"\n  metadata_endpoint")
	same("provider block", plan("plan", "--refresh", "resource"), plan("plan"), 1)

	s.em.ResetObservations()
	r := s.run(t, dir, "plan", "--refresh", "all")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, `--refresh "all": choose resource`) || s.em.Counters().Total != 0 {
		t.Errorf("a bad --refresh: %d requests sent, stderr:\n%s", s.em.Counters().Total, r.stderr)
	}
}

// armGets counts the GETs of resources and collections the emulator
// answered since its observations were reset (not those of sign-in and
// cloud discovery).
func armGets(em *emulator.Server) int {
	n := 0
	for _, e := range em.RequestLog() {
		if e.Method == "GET" && strings.HasPrefix(strings.ToLower(e.Path), "/subscriptions/") {
			n++
		}
	}
	return n
}
