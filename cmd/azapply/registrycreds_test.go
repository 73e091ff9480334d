package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestExampleRegistryCredentials walks examples/registry-credentials on a
// served emulator, with AZAPPLY_LOG=debug: the registry is created, its
// password read with listCredentials (a data block, POSTed when planning)
// and given to a container group; a second plan is clean; a password
// rotated outside azapply is one planned change, applied, then clean
// again. Neither password appears in any byte printed (plans in every
// format, saved plans shown, apply, drift, state show and pull, output) or
// in any file under the stack.
func TestExampleRegistryCredentials(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations()})
	dir := example(t, "registry-credentials")
	main := filepath.Join(dir, "main.hcl")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	// The served emulator instead of the embedded one: the stack's
	// directory then holds only what azapply wrote.
	src = regexp.MustCompile(`(?s)provider \{.*?\n\}\n`).ReplaceAll(src, []byte(s.provider()))
	if err := os.WriteFile(main, src, 0o644); err != nil {
		t.Fatal(err)
	}
	l := &leakRun{t: t, s: s, dir: dir, env: []string{"AZAPPLY_VAR_subscription_id=" + stackSub}}
	rg := "/subscriptions/" + stackSub + "/resourceGroups/acr-credentials"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/azapplycreds"
	app := rg + "/providers/Microsoft.ContainerInstance/containerGroups/acr-app"

	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitChanges, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	l.run(exitOK, "plan", "--no-color", "--out", "first.plan")
	l.run(exitOK, "apply", "--no-color", "first.plan").mustContain(t,
		"data.credentials: Read complete", "resource.app: Creation complete", "Resources: 3 added")
	first := registryPasswords(t, s, acr)
	if got := appPassword(t, s, app); got != first[0] {
		t.Fatalf("the container group was given %q, not the registry's password", got)
	}

	// The second plan POSTs listCredentials again: same answer, no change.
	for _, f := range []string{"text", "markdown", "json"} {
		r := l.run(exitOK, "plan", "--detailed-exitcode", "--no-color", "--format", f)
		if f == "text" {
			r.mustContain(t, "data.credentials", "No changes.")
		}
	}
	l.run(exitOK, "plan", "--no-color", "--out", "clean.plan")
	l.run(exitOK, "show", "--no-color", "--format", "json", "clean.plan")
	l.run(exitOK, "drift", "--no-color")
	l.run(exitOK, "state", "show", "resource.app")
	l.run(exitOK, "state", "pull")
	l.run(exitOK, "output", "--json")

	// The password is rotated outside azapply: the next plan reads the new
	// one and changes the container group, showing neither.
	callEmulator(t, s, "POST", acr+"/regenerateCredential", "2023-07-01", map[string]any{"name": "password"}, nil)
	second := registryPasswords(t, s, acr)
	if second[0] == first[0] {
		t.Fatal("regenerateCredential did not change the password")
	}
	for _, f := range []string{"text", "markdown", "json"} {
		r := l.run(exitChanges, "plan", "--detailed-exitcode", "--no-color", "--format", f)
		if f == "text" {
			r.mustContain(t, "~ resource.app", "(sensitive)", "Plan: 0 to add, 1 to change, 0 to destroy.")
		}
	}
	l.run(exitOK, "plan", "--no-color", "--out", "rotate.plan")
	l.run(exitOK, "show", "--no-color", "rotate.plan")
	l.run(exitOK, "apply", "--no-color", "rotate.plan")
	if got := appPassword(t, s, app); got != second[0] {
		t.Errorf("after the rotation the container group has %q, not the new password", got)
	}
	l.run(exitOK, "plan", "--detailed-exitcode", "--no-color")

	needles := map[string]string{"client secret": knownClientSecret, "bearer token": knownToken}
	for i, pw := range append(first, second...) {
		needles["registry password "+string(rune('1'+i))] = pw
	}
	if files := l.search(needles); files < 4 {
		t.Errorf("searched %d files; expected the state, its backup and the plans", files)
	}
	if !strings.Contains(l.printed[len(l.printed)-1].stderr, "arm: response") {
		t.Error("no debug log was written: AZAPPLY_LOG=debug did nothing")
	}
}

// appPassword is the registry password the container group at id holds in
// the emulator.
func appPassword(t *testing.T, s *servedEmulator, id string) string {
	t.Helper()
	res, ok := s.em.Resource(id)
	if !ok {
		t.Fatalf("%s is not in the emulator", id)
	}
	creds, _ := res.Body["properties"].(map[string]any)["imageRegistryCredentials"].([]any)
	if len(creds) != 1 {
		t.Fatalf("imageRegistryCredentials = %v", creds)
	}
	pw, _ := creds[0].(map[string]any)["password"].(string)
	return pw
}
