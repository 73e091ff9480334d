package export

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
)

const (
	vnetID   = rgID + "/providers/Microsoft.Network/virtualNetworks/net.work"
	nsgID    = rgID + "/providers/Microsoft.Network/networkSecurityGroups/rg"
	batchID  = rgID + "/providers/Microsoft.Batch/batchAccounts/batch1"
	vaultID  = rgID + "/providers/Microsoft.KeyVault/vaults/vault1"
	secretID = vaultID + "/secrets/db"
	clearPW  = "pw-Clear-Never-Written-42"
)

// seedGroup makes a group as people do by hand: a network with subnets
// that use an NSG with rules, a batch account holding a secret in clear
// and a masked value, and a key vault with a secret whose value the
// service never returns.
func seedGroup(t *testing.T, c *arm.Client) {
	t.Helper()
	put(t, c, rgID, "2021-04-01", map[string]any{"location": "westus", "tags": map[string]any{"team": "platform"}})
	put(t, c, nsgID, "2024-07-01", map[string]any{"location": "westus"})
	put(t, c, nsgID+"/securityRules/allow-https", "2024-07-01", map[string]any{"properties": map[string]any{
		"access": "Allow", "direction": "Inbound", "priority": 100, "protocol": "Tcp",
		"sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}})
	put(t, c, vnetID, "2024-07-01", map[string]any{"location": "westus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}})
	for _, s := range []string{"app", "data"} {
		put(t, c, vnetID+"/subnets/"+s, "2024-07-01", map[string]any{"properties": map[string]any{
			"addressPrefix":        map[string]string{"app": "10.0.1.0/24", "data": "10.0.2.0/24"}[s],
			"networkSecurityGroup": map[string]any{"id": nsgID}}})
	}
	put(t, c, batchID, "2024-07-01", map[string]any{"location": "westus", "properties": map[string]any{
		"adminPassword": clearPW, "masked": "********", "poolAllocationMode": "BatchService"}})
	put(t, c, vaultID, "2024-11-01", map[string]any{"location": "westus", "properties": map[string]any{"tenantId": sub, "sku": map[string]any{"name": "standard", "family": "A"}}})
	put(t, c, secretID, "2024-11-01", map[string]any{"properties": map[string]any{"value": "s3cret-value-never-returned"}})
}

func exportGroup(t *testing.T, c *arm.Client, o Options) *Result {
	t.Helper()
	o.Subscription = sub
	if len(o.ResourceGroups)+len(o.IDs)+len(o.Types) == 0 {
		o.ResourceGroups = []string{rgID}
	}
	o.Provider = []Attribute{{"subscription_id", sub}, {"endpoint", "emulator"}}
	res, err := Export(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestExportGroupWritesResourcesImportsAndProvider(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	res := exportGroup(t, c, Options{})

	var files []string
	for n := range res.Files {
		files = append(files, n)
	}
	for _, want := range []string{"rg.hcl", ProviderFile, VariablesFile} {
		if res.Files[want] == nil {
			t.Errorf("no %s among %q", want, files)
		}
	}
	if len(res.Resources) != 9 {
		t.Errorf("exported %d resources, want 9 (group, nsg, rule, vnet, 2 subnets, batch, vault, secret)", len(res.Resources))
	}
	text := string(res.Files["rg.hcl"])
	for _, want := range []string{
		"import {\n  to = resource.rg\n  id = \"" + rgID + "\"\n}",
		`resource "rg" {`,
		"import {\n  to = resource.net_work\n  id = \"" + vnetID + "\"\n}",
		`id          = "${resource.rg.id}/providers/Microsoft.Network/virtualNetworks/net.work"`,
		`resource "net_work" {`,
		`id          = "${resource.net_work.id}/subnets/app"`,
		`id          = "${resource.networkSecurityGroups_rg.id}/securityRules/allow-https"`,
		"networkSecurityGroup = {\n        id = resource.networkSecurityGroups_rg.id\n      }",
		`team = "platform"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rg.hcl lacks %q:\n%s", want, text)
		}
	}
	if got := string(res.Files[ProviderFile]); !strings.Contains(got, `subscription_id = "`+sub+`"`) || !strings.Contains(got, `endpoint        = "emulator"`) {
		t.Errorf("provider.hcl:\n%s", got)
	}
	for _, r := range res.Resources {
		switch r.ID {
		case vnetID:
			if _, ok := r.Body["properties"].(map[string]any)["subnets"]; ok {
				t.Errorf("the network's body keeps its subnets inline, which are exported on their own: %v", r.Body)
			}
		case nsgID:
			if p, ok := r.Body["properties"].(map[string]any); ok && (p["securityRules"] != nil || p["defaultSecurityRules"] != nil || p["subnets"] != nil) {
				t.Errorf("the NSG's body keeps rules or back-references: %v", p)
			}
		}
	}
	for _, owned := range []string{"provisioningState", "etag", "systemData", "resourceGuid"} {
		if strings.Contains(all(res), owned) {
			t.Errorf("the export writes %s, which the service owns", owned)
		}
	}
}

func TestExportedConfigurationLoads(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	res := exportGroup(t, c, Options{})
	dir := writeFiles(t, res)
	var env []string
	for _, s := range res.Secrets {
		env = append(env, "AZAPPLY_VAR_"+s.Variable+"=x")
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Env: env})
	if diags.HasErrors() {
		t.Fatalf("the exported configuration does not load: %s", diags.Error())
	}
	if n := len(cfg.Imports); n != len(res.Resources) {
		t.Errorf("%d import blocks, want one per resource (%d)", n, len(res.Resources))
	}
}

func TestSecretsNeverInClear(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	res := exportGroup(t, c, Options{})
	if strings.Contains(all(res), clearPW) {
		t.Fatalf("the export writes a secret in clear")
	}
	if len(res.Secrets) != 1 || res.Secrets[0].Path != "properties.adminPassword" || res.Secrets[0].Resource != "resource.batch1" {
		t.Fatalf("secrets %+v, want the batch account's properties.adminPassword", res.Secrets)
	}
	v := res.Secrets[0].Variable
	vars := string(res.Files[VariablesFile])
	if !strings.Contains(vars, `variable "`+v+`" {`) || !strings.Contains(vars, "sensitive   = true") || strings.Contains(vars, "default") {
		t.Errorf("variables.hcl does not declare %s sensitive without a default:\n%s", v, vars)
	}
	text := string(res.Files["rg.hcl"])
	for _, want := range []string{
		"adminPassword      = var." + v,
		"# properties.masked: the service masks it; set it here to manage it",
		"# properties.value: the service never returns it; set it here to manage it",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rg.hcl lacks %q:\n%s", want, text)
		}
	}
}

func TestExportSplitByTypeAndByID(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	res := exportGroup(t, c, Options{SplitByType: true})
	for _, want := range []string{"Microsoft_Network_virtualNetworks.hcl", "Microsoft_Network_networkSecurityGroups.hcl", "Microsoft_Resources_resourceGroups.hcl"} {
		if res.Files[want] == nil {
			t.Errorf("no %s", want)
		}
	}
	if !strings.Contains(string(res.Files["Microsoft_Network_virtualNetworks.hcl"]), `id          = "${resource.net_work.id}/subnets/data"`) {
		t.Errorf("the subnets are not in their network's file:\n%s", res.Files["Microsoft_Network_virtualNetworks.hcl"])
	}

	res = exportGroup(t, c, Options{IDs: []string{vnetID}})
	var ids []string
	for _, r := range res.Resources {
		ids = append(ids, r.ID)
	}
	if len(ids) != 3 {
		t.Fatalf("--id of the network exported %q, want it and its two subnets", ids)
	}
	// The group is not exported: the network's ID stays literal, the
	// subnets refer to the network, the NSG stays literal.
	text := string(res.Files["rg.hcl"])
	for _, want := range []string{`id          = "` + vnetID + `"`, `"${resource.net_work.id}/subnets/app"`, `id = "` + nsgID + `"`} {
		if !strings.Contains(text, want) {
			t.Errorf("rg.hcl lacks %q:\n%s", want, text)
		}
	}

	res = exportGroup(t, c, Options{IDs: []string{rgID}})
	if len(res.Resources) != 9 {
		t.Errorf("--id of the group exported %d resources, want all 9 it holds", len(res.Resources))
	}

	res = exportGroup(t, c, Options{Types: []string{"Microsoft.Network/networkSecurityGroups"}})
	if len(res.Resources) != 2 {
		t.Errorf("--type exported %d resources, want the NSG and its rule", len(res.Resources))
	}
}

func TestExportRefusesBadSelections(t *testing.T) {
	srv, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	srv.ResetObservations()
	for _, o := range []Options{
		{Subscription: sub},
		{Subscription: sub, ResourceGroups: []string{rgID, vnetID}},
		{Subscription: sub, ResourceGroups: []string{rgID}, Types: []string{"Microsoft.Network"}},
		{Subscription: sub, ResourceGroups: []string{rgID}, IDs: []string{"not/an/id"}},
	} {
		if _, err := Export(context.Background(), c, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if n := len(srv.RequestLog()); n != 0 {
		t.Errorf("bad selections sent %d requests, want none", n)
	}
	_, err := Export(context.Background(), c, Options{Subscription: sub, IDs: []string{rgID + "/providers/Microsoft.Network/virtualNetworks/missing"}})
	if err == nil || !strings.Contains(err.Error(), "virtualNetworks/missing") {
		t.Errorf("a missing resource: err = %v", err)
	}
}

// TestKnownSecretsNeverInClear: a value that is no secret by its name (a
// tag) but holds one the run knows is written as a sensitive variable.
func TestKnownSecretsNeverInClear(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	const known = "known-Secret-in-a-tag-81"
	put(t, c, nsgID, "2024-07-01", map[string]any{"location": "westus", "tags": map[string]any{"note": "prefix " + known}})
	res := exportGroup(t, c, Options{Known: func(s string) bool { return strings.Contains(s, known) }})
	if strings.Contains(all(res), known) {
		t.Fatalf("the export writes a known secret in clear:\n%s", all(res))
	}
	found := false
	for _, s := range res.Secrets {
		found = found || s.Path == "tags.note"
	}
	if !found || len(res.Secrets) != 2 {
		t.Errorf("secrets %+v, want the batch account's password and the NSG's tag", res.Secrets)
	}
}

// TestKnownSecretInAnArrayNeverInClear: a string element of an array (a
// container's args) that holds a known secret is written as a sensitive
// variable, as a member is.
func TestKnownSecretInAnArrayNeverInClear(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	const known = "known-Secret-in-an-array-82"
	put(t, c, vnetID, "2024-07-01", map[string]any{"location": "westus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}, "dhcpOptions": map[string]any{"dnsServers": []any{"10.0.0.4", known}}}})
	res := exportGroup(t, c, Options{Known: func(s string) bool { return strings.Contains(s, known) }})
	if strings.Contains(all(res), known) {
		t.Fatalf("the export writes a known secret in an array in clear:\n%s", all(res))
	}
	found := false
	for _, s := range res.Secrets {
		found = found || s.Path == "properties.dhcpOptions.dnsServers[1]"
	}
	if !found {
		t.Errorf("secrets %+v, want the array element properties.dhcpOptions.dnsServers[1]", res.Secrets)
	}
}
