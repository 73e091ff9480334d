package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestErrorHintUnderTheError changes a role assignment's principal, which
// ARM refuses in place (RoleAssignmentUpdateNotPermitted): apply fails at
// once, after one PUT, with ARM's code and message and, under them, the
// line that says what to do.
func TestErrorHintUnderTheError(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	ra := stackRG + "/providers/Microsoft.Authorization/roleAssignments/6b1f2c3d-0000-4000-8000-00000000b001"
	write := func(principal string) {
		cfg := s.provider() + fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "reader" {
  id          = "${resource.rg.id}/providers/Microsoft.Authorization/roleAssignments/6b1f2c3d-0000-4000-8000-00000000b001"
  api_version = "2022-04-01"
  body = {
    properties = {
      principalId      = %q
      roleDefinitionId = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    }
  }
}
`, stackRG, principal, stackSub)
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("11111111-0000-0000-0000-000000000001")
	s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)

	s.em.ResetObservations()
	write("11111111-0000-0000-0000-000000000002")
	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, 1)
	errLines := r.stderr
	i := strings.Index(errLines, "Error: ")
	if i < 0 {
		t.Fatalf("no error printed:\n%s", tail(r.stderr, 2000))
	}
	rest := errLines[i:]
	if !strings.Contains(rest, "RoleAssignmentUpdateNotPermitted (HTTP 409)") ||
		!strings.Contains(rest, "\n  Hint: The service cannot change this property in place: replace the resource (add the path to replace_on_changes, or apply with --replace ADDRESS)") {
		t.Errorf("the error or its hint is missing:\n%s", tail(rest, 2000))
	}
	if n := countStatus(s.em, "PUT", ra, 409); n != 1 {
		t.Errorf("%d PUTs were refused, want exactly 1 (a permanent error is not resent)", n)
	}
}

// TestNameTakenFailsAtOnce: a 409 Conflict that says the name is taken
// used to be resent as "the parent is busy" until the timeout; now apply
// fails after one PUT and says what to do.
func TestNameTakenFailsAtOnce(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Rules: map[string]*emulator.TypeRule{
		"Microsoft.Storage/storageAccounts": {Validate: func(*emulator.ComputeContext) *emulator.ErrorDetail {
			return &emulator.ErrorDetail{Code: "Conflict", Message: "The storage account named sa002 is already taken by another subscription."}
		}},
	}})
	dir := t.TempDir()
	writeStack(t, dir, s, 3)
	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, 1)
	if !strings.Contains(r.stderr, "Conflict (HTTP 409): The storage account named sa002 is already taken") ||
		!strings.Contains(r.stderr, "  Hint: The name is taken") {
		t.Errorf("the error or its hint is missing:\n%s", tail(r.stderr, 2000))
	}
	sa := stackRG + "/providers/Microsoft.Storage/storageAccounts/sa002"
	if n := countStatus(s.em, "PUT", sa, 409); n != 1 {
		t.Errorf("%d PUTs answered 409, want exactly 1", n)
	}
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.Network/publicIPAddresses/pip001"); !ok {
		t.Errorf("the other resource was not created")
	}
}
