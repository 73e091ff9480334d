package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestAuxiliaryTenants: with auxiliary_tenant_ids in the provider block,
// the binary signs in to each of those tenants too, and every ARM request
// carries their tokens in x-ms-authorization-auxiliary.
func TestAuxiliaryTenants(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	aux := []string{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"}
	provider := strings.Replace(s.provider(), "provider {\n", fmt.Sprintf("provider {\n  auxiliary_tenant_ids = [%q, %q]\n", aux[0], aux[1]), 1)
	cfg := provider + fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
`, stackRG)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
	if _, ok := s.em.Resource(stackRG); !ok {
		t.Fatal("the resource group was not created")
	}
	arm, signIns := 0, map[string]bool{}
	for _, e := range s.em.RequestLog() {
		if strings.HasSuffix(e.Path, "/oauth2/v2.0/token") {
			signIns[strings.Split(strings.Trim(e.Path, "/"), "/")[0]] = true
			continue
		}
		if !strings.HasPrefix(e.Path, "/subscriptions/") {
			continue
		}
		arm++
		if e.AuxiliaryTokens != len(aux) {
			t.Errorf("%s %s carried %d auxiliary tokens, want %d", e.Method, e.Path, e.AuxiliaryTokens, len(aux))
		}
	}
	if arm == 0 {
		t.Fatal("no ARM request was logged")
	}
	for _, tenant := range append([]string{"tenant1"}, aux...) {
		if !signIns[tenant] {
			t.Errorf("no sign-in to tenant %s (signed in to %v)", tenant, signIns)
		}
	}

	// A bad tenant ID is refused before anything is sent.
	s.em.ResetObservations()
	bad := strings.Replace(cfg, aux[1], "not a tenant!", 1)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.run(t, dir, "plan", "--no-color")
	r.mustExit(t, 1)
	if !strings.Contains(r.stderr, "main.hcl:") || !strings.Contains(r.stderr, `"not a tenant!" is not a tenant ID`) {
		t.Errorf("the diagnostic does not name the file and the bad tenant:\n%s", tail(r.stderr, 2000))
	}
	if n := len(s.em.RequestLog()); n != 0 {
		t.Errorf("%d requests were sent for a bad configuration", n)
	}
}
