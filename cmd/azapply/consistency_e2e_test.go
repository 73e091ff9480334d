package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// consistencyStack is a user-assigned identity, a role assignment for its
// principal (which the emulator does not find until it has replicated) and
// a public IP whose sku forces a replace at the same ID when it changes.
func consistencyStack(s *servedEmulator, sku string) string {
	return s.provider() + fmt.Sprintf(`
resource "rg" {
  id          = %[1]q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "uami" {
  id          = "${resource.rg.id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
  api_version = "2023-01-31"
  body        = { location = "westus" }
}

resource "reader" {
  id          = "${resource.rg.id}/providers/Microsoft.Authorization/roleAssignments/6b1f2c3d-0000-4000-8000-00000000a001"
  api_version = "2022-04-01"
  body = {
    properties = {
      principalId      = resource.uami.output.properties.principalId
      roleDefinitionId = "/subscriptions/%[2]s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    }
  }
}

resource "pip" {
  id                 = "${resource.rg.id}/providers/Microsoft.Network/publicIPAddresses/pip1"
  api_version        = "2023-09-01"
  body               = { location = "westus", sku = { name = %[3]q } }
  replace_on_changes = ["sku.name"]
}
`, stackRG, stackSub, sku)
}

// TestEventualConsistency applies against an emulator whose GET answers
// 404 for a while after a create, whose principals replicate late and
// whose deleted resources linger: apply waits each window out, says so in
// its progress output and its JSON events, and succeeds; then a replace
// at the same ID waits for the delete to show before it creates.
func TestEventualConsistency(t *testing.T) {
	s := serveLoopback(t, emulator.Options{
		Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
		Consistency: emulator.Consistency{ReadAfterCreate: 500 * time.Millisecond, PrincipalDelay: 4 * time.Second, LingeringDelete: 2 * time.Second},
	})
	dir := t.TempDir()
	write := func(sku string) {
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(consistencyStack(s, sku)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Basic")
	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, 0)
	r.mustContain(t, "resource.uami: Waiting: ARM does not show the new resource yet (its GET answers 404)",
		"resource.reader: Waiting: ARM answered PrincipalNotFound", "Apply complete! Resources: 4 added")
	ra := stackRG + "/providers/Microsoft.Authorization/roleAssignments/6b1f2c3d-0000-4000-8000-00000000a001"
	uami := stackRG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
	got, ok := s.em.Resource(ra)
	id, idOK := s.em.Resource(uami)
	if !ok || !idOK {
		t.Fatalf("the role assignment or the identity is missing from the emulator")
	}
	pid, _ := id.Body["properties"].(map[string]any)["principalId"].(string)
	if gp, _ := got.Body["properties"].(map[string]any)["principalId"].(string); pid == "" || gp != pid {
		t.Fatalf("the role assignment's principalId is %q, want the identity's %q", gp, pid)
	}
	if refused := countStatus(s.em, "PUT", ra, 400); refused == 0 {
		t.Errorf("the emulator never refused the role assignment: the test did not exercise the delay")
	}

	// A replace at the same ID: the delete lingers; the create must not
	// race it (a PUT during the window answers 409).
	s.em.ResetObservations()
	write("Standard")
	r = s.run(t, dir, "apply", "--auto-approve", "--no-color", "--format", "json")
	r.mustExit(t, 0)
	var waits []string
	for _, line := range strings.Split(r.stdout, "\n") {
		var e struct{ Event, Address, Message string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Event == "waiting" {
			waits = append(waits, e.Address+": "+e.Message)
		}
	}
	if !containsPrefix(waits, "resource.pip: ARM still shows the deleted resource") {
		t.Errorf("the JSON events show no wait for the lingering delete: %q", waits)
	}
	pip := stackRG + "/providers/Microsoft.Network/publicIPAddresses/pip1"
	if n := countStatus(s.em, "PUT", pip, 409); n != 0 {
		t.Errorf("the create raced the delete: %d PUTs answered 409", n)
	}
	res, ok := s.em.Resource(pip)
	if !ok || res.Body["sku"].(map[string]any)["name"] != "Standard" {
		t.Fatalf("after the replace the public IP is %v, want sku Standard", res)
	}
	r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
	r.mustExit(t, 0)
}

func countStatus(em *emulator.Server, method, path string, status int) int {
	n := 0
	for _, e := range em.RequestLog() {
		if e.Method == method && strings.EqualFold(e.Path, path) && e.Status == status {
			n++
		}
	}
	return n
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestOperationsEndByTime: as in ARM, an operation the emulator accepted
// ends when its time is up, whether or not anyone polls it. The binary
// gives up waiting on a create (its timeout is shorter than the operation);
// a client that only reads the resource then sees it finish, and the next
// apply resumes the operation instead of sending the PUT again.
func TestOperationsEndByTime(t *testing.T) {
	acr := stackRG + "/providers/Microsoft.ContainerRegistry/registries/timedacr"
	s := serveLoopback(t, emulator.Options{TimedOperations: true, RetryAfter: 10 * time.Millisecond,
		Operations: []emulator.OperationRule{{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
			Operation: emulator.Operation{Pattern: emulator.AsyncOperation, MinDuration: time.Second}}}})
	dir := t.TempDir()
	writeConfig(t, dir, s.provider()+`
resource "rg" {
  id          = "`+stackRG+`"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id          = "`+acr+`"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
  timeouts { create = "200ms" }
}
`)
	r := s.run(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "gave up waiting") {
		t.Fatalf("apply did not give up waiting:\n%s", r.stderr)
	}
	// It ends after its second, by time: only GETs of the resource from
	// here, none of the polls a long-running operation's client sends.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, ok := s.em.Resource(acr)
		if !ok {
			t.Fatal("the registry is not in the emulator")
		}
		state := dig(res.Body, "properties.provisioningState")
		if state == "Succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the operation never ended by time: provisioningState %v", state)
		}
		getAs(t, s, acr+"?api-version=2023-07-01")
		time.Sleep(100 * time.Millisecond)
	}
	s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	puts := 0
	for _, e := range s.em.RequestLog() {
		if e.Method == "PUT" && strings.EqualFold(e.Path, acr) {
			puts++
		}
	}
	if puts != 1 {
		t.Errorf("the registry was PUT %d times; the operation that ended by time must not be sent again", puts)
	}
}

// getAs reads path from the served emulator as a plain client would.
func getAs(t *testing.T, s *servedEmulator, path string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+knownToken)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
