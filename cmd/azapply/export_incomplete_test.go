package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/export"
)

// TestExportWarnsOfCollectionsItMayNotList: when the credential may not
// list a child collection (403), export still writes what it could read
// and exits 0, but its summary says the export is incomplete, naming the
// collection and what to do.
func TestExportWarnsOfCollectionsItMayNotList(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Rules: map[string]*emulator.TypeRule{
		"Microsoft.Network/virtualNetworks/subnets": {ListError: &emulator.ErrorDetail{Code: "AuthorizationFailed", Message: "no list permission"}},
	}})
	rg := "/subscriptions/" + stackSub + "/resourceGroups/partial"
	vnet := rg + "/providers/Microsoft.Network/virtualNetworks/net1"
	putServed(t, s, rg, map[string]any{"location": "westus"})
	putServed(t, s, vnet, map[string]any{"location": "westus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}})
	from := t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "main.hcl"), []byte(s.provider()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "adopted")
	r := s.run(t, from, "export", "--id", vnet, "--out", out)
	r.mustExit(t, exitOK)
	r.mustContain(t, "Exported 1 resources into "+out,
		"Warning: the export is incomplete: the credential may not list 1 child collections",
		vnet+"/subnets (Microsoft.Network/virtualNetworks/subnets): 403 AuthorizationFailed",
		"Give the identity read access there")
	if _, err := os.Stat(filepath.Join(out, "partial.hcl")); err != nil {
		t.Errorf("what could be read was not written: %v", err)
	}
}

// TestExportChecksTheEmulatorWorldBeforeWriting: with the embedded
// emulator and no world file to copy beside the configuration, the export
// fails with nothing written.
func TestExportChecksTheEmulatorWorldBeforeWriting(t *testing.T) {
	out := filepath.Join(t.TempDir(), "adopted")
	o := exportOptions{out: out}
	o.common.chdir = t.TempDir() // no .azapply/emulator.json
	res := &export.Result{Files: map[string][]byte{"rg.hcl": []byte("# rg\n"), export.ProviderFile: []byte("# provider\n")}}
	err := writeExport(&o, config.Provider{SubscriptionID: stackSub, Endpoint: "emulator"}, res)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("writeExport without a world: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was created: %v", out, err)
	}
}
