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

const (
	opsKV        = stackRG + "/providers/Microsoft.KeyVault/vaults/opskv"
	opsDeletedKV = "/subscriptions/" + stackSub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/opskv"
)

// writeKVStack writes a resource group and a Key Vault whose
// enabledForDeployment is deploy, with extra provider settings.
func writeKVStack(t *testing.T, dir string, s *servedEmulator, deploy bool, provider ...string) {
	t.Helper()
	p := s.provider()
	for _, line := range provider {
		p = strings.Replace(p, "provider {\n", "provider {\n  "+line+"\n", 1)
	}
	cfg := p + fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "kv" {
  id          = "${resource.rg.id}/providers/Microsoft.KeyVault/vaults/opskv"
  api_version = "2023-07-01"
  body = {
    location   = "westus"
    properties = { tenantId = "00000000-0000-0000-0000-0000000000bb", sku = { family = "A", name = "standard" }, enabledForDeployment = %v }
  }
}
`, stackRG, deploy)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

func kvDeploy(t *testing.T, s *servedEmulator) any {
	t.Helper()
	res, ok := s.em.Resource(opsKV)
	if !ok {
		t.Fatal("the vault does not exist")
	}
	return res.Body["properties"].(map[string]any)["enabledForDeployment"]
}

// TestSoftDeleteRecoverAndPurge: destroy says the vault is soft-deleted and
// leaves it so; the next plan says a deleted vault holds the name and apply
// recovers it, then sends the declared body; with purge_on_destroy the
// destroy purges it; with soft_deleted = "purge" a create purges the
// deleted vault and creates anew.
func TestSoftDeleteRecoverAndPurge(t *testing.T) {
	s := serveLoopback(t, emulator.Options{SoftDelete: true, Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	writeKVStack(t, dir, s, false)
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")

	r := mustRun(t, s, dir, exitOK, "destroy", "--auto-approve", "--no-color")
	r.mustContain(t, "# the Key Vault is soft-deleted: it keeps its name until purged (purge_on_destroy = true purges it)")
	if _, ok := s.em.Resource(opsKV); ok {
		t.Fatal("the vault is still there after destroy")
	}
	if st := send(t, s, "GET", opsDeletedKV, "2023-07-01", ""); st != 200 {
		t.Fatalf("the deleted vault: %d, want 200", st)
	}

	// Recover (the default), then the declared body.
	writeKVStack(t, dir, s, true)
	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "+ resource.kv", "# a soft-deleted Key Vault holds its name ("+opsDeletedKV+"): apply recovers it, then updates it to this body")
	r = mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	r.mustContain(t, "a soft-deleted Key Vault holds its name: recovering it")
	if got := kvDeploy(t, s); got != true {
		t.Fatalf("after the recovery, enabledForDeployment is %v, want the declared true", got)
	}
	if st := send(t, s, "GET", opsDeletedKV, "2023-07-01", ""); st != 404 {
		t.Fatalf("the deleted vault after its recovery: %d, want 404", st)
	}
	mustRun(t, s, dir, exitOK, "plan", "--detailed-exitcode", "--no-color")

	// purge_on_destroy: destroy deletes, then purges.
	writeKVStack(t, dir, s, true, "purge_on_destroy = true")
	r = mustRun(t, s, dir, exitOK, "destroy", "--auto-approve", "--no-color")
	r.mustContain(t, "# the Key Vault is deleted, then purged (purge_on_destroy = true)", "purging the soft-deleted Key Vault")
	if st := send(t, s, "GET", opsDeletedKV, "2023-07-01", ""); st != 404 {
		t.Fatalf("the deleted vault after a purging destroy: %d, want 404", st)
	}

	// soft_deleted = "purge": a create purges the deleted vault, then
	// creates anew (the old vault's settings do not come back).
	writeKVStack(t, dir, s, true, `soft_deleted = "purge"`)
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	if st := send(t, s, "PUT", opsKV, "2023-07-01", `{"location":"westus","properties":{"tenantId":"x","sku":{"family":"A","name":"standard"},"enableSoftDelete":true,"enabledForDiskEncryption":true}}`); st != 200 {
		t.Fatalf("changing the vault out of band: %d", st)
	}
	if err := s.em.DeleteOutOfBand(opsKV); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, s, dir, exitChanges, "plan", "--detailed-exitcode", "--no-color")
	r.mustContain(t, "apply purges it for good, then creates it anew (soft_deleted = \"purge\")")
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	res, _ := s.em.Resource(opsKV)
	if _, kept := res.Body["properties"].(map[string]any)["enabledForDiskEncryption"]; kept || kvDeploy(t, s) != true {
		t.Fatalf("after purge and create the vault is %v, want the declared body only", res.Body["properties"])
	}
}
