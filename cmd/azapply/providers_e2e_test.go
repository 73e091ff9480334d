package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// TestProviderRegistration: a create in a namespace the subscription is not
// registered for fails with the namespace and the command that registers
// it; with register_providers = true, apply registers it once, waits for
// Registered and creates the resource.
func TestProviderRegistration(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
		Unregistered: []string{"Microsoft.ContainerRegistry"}, RegistrationDelay: 300 * time.Millisecond})
	dir := t.TempDir()
	writeOpsStack(t, dir, s, `{ location = "westus", sku = { name = "Basic" } }`)
	r := mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	for _, w := range []string{"MissingSubscriptionRegistration", "not registered for the resource provider Microsoft.ContainerRegistry",
		"az provider register --namespace Microsoft.ContainerRegistry --subscription " + stackSub, "register_providers = true"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, tail(r.stderr, 2000))
		}
	}
	if _, ok := s.em.Resource(opsACR); ok {
		t.Fatal("the registry exists though its namespace is not registered")
	}
	if requests(s.em, "POST", "/subscriptions/"+stackSub+"/providers/Microsoft.ContainerRegistry/register", 0) != 0 {
		t.Fatal("apply registered the namespace without register_providers")
	}

	editFile(t, filepath.Join(dir, "main.hcl"), "provider {\n", "provider {\n  register_providers = true\n")
	r = mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	r.mustContain(t, "registering it (register_providers = true)", "Microsoft.ContainerRegistry is registered")
	if n := requests(s.em, "POST", "/subscriptions/"+stackSub+"/providers/Microsoft.ContainerRegistry/register", 0); n != 1 {
		t.Errorf("apply sent %d registrations, want 1", n)
	}
	if _, ok := s.em.Resource(opsACR); !ok {
		t.Fatal("the registry was not created once its namespace was registered")
	}
	mustRun(t, s, dir, exitOK, "plan", "--detailed-exitcode", "--no-color")
}
