package secret

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// parse turns a path written as the tests write it (keys[*].value) into
// steps.
func parse(t *testing.T, p string) []Step {
	t.Helper()
	var out []Step
	for _, part := range strings.Split(p, ".") {
		for strings.HasSuffix(part, "[*]") {
			part = strings.TrimSuffix(part, "[*]")
			if part != "" {
				out = append(out, Step{Key: part})
				part = ""
			}
			out = append(out, Step{Elem: true})
		}
		if part != "" {
			out = append(out, Step{Key: part})
		}
	}
	return out
}

// TestRealSecrets: every secret that real ARM bodies and action answers
// carry is caught by its name and place.
func TestRealSecrets(t *testing.T) {
	const kvSecret = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/secrets/s"
	tests := []struct{ id, path string }{
		{"", "properties.osProfile.adminPassword"},
		{"", "properties.administratorLoginPassword"},
		{"", "properties.adminPwd"}, {"", "properties.sqlpwd"},
		{"", "password"},
		{"", "properties.sslCertificates[*].properties.password"},
		{"", "primaryKey"}, {"", "secondaryKey"},
		{"", "primaryConnectionString"}, {"", "secondaryConnectionString"}, {"", "aliasPrimaryConnectionString"},
		{"", "connectionString"}, {"", "connectionStrings[*].connectionString"},
		{"", "properties.ConnectionString"}, {"", "properties.InstrumentationKey"}, {"", "properties.HockeyAppToken"},
		{"", "properties.publishingPassword"}, {"", "properties.scmUri"},
		{"", "apiKey"}, {"", "properties.servicePrincipalProfile.clientSecret"}, {"", "properties.servicePrincipalProfile.secret"},
		{"", "sasToken"}, {"", "SASToken"}, {"", "accountKey"}, {"", "properties.storageAccountKey"}, {"", "accessKey"},
		{"", "keys[*].value"}, {"", "passwords[*].value"}, {"", "properties.configuration.secrets[*].value"},
		{"", "primaryMasterKey"}, {"", "secondaryReadonlyMasterKey"},
		{"", "key1"}, {"", "key2"}, {"", "value[*].key"},
		{"", "masterKey"}, {"", "functionKeys.default"}, {"", "systemKeys.durabletask_extension"},
		{"", "properties.accessKeys.primaryKey"},
		{"", "properties.appLogsConfiguration.logAnalyticsConfiguration.sharedKey"},
		{"", "properties.customDomainConfiguration.certificatePassword"},
		{"", "properties.customDomainConfiguration.certificateValue"},
		{"", "properties.containers[*].properties.environmentVariables[*].secureValue"},
		{"", "properties.daprAIConnectionString"},
		{"", "properties.repositoryToken"},
		{"", "properties.sslCertificates[*].properties.data"},
		{"", "properties.osProfile.customData"},
		{"", "privateKey"}, {"", "sshPrivateKey"},
		{"", "admin_password"}, {"", "adminpassword"}, {"", "ADMINPASSWORD"},
		{"", "properties.parameters.adminPassword.value"},
		{kvSecret, "properties.value"},
	}
	for _, tt := range tests {
		if !Named(tt.id, parse(t, tt.path)) {
			t.Errorf("Named(%q) = false: a secret printed in clear", tt.path)
		}
	}
}

// TestNotSecrets: names that hold no secret are printed, above all tags.
func TestNotSecrets(t *testing.T) {
	tests := []string{
		"tags.key", "tags.password", "tags.adminPassword", "tags.key1",
		"properties.encryption.keySource", "properties.encryption.keyVaultProperties.keyName",
		"properties.encryption.keyVaultProperties.keyVaultUri", "keys[*].keyName", "keys[*].permissions",
		"properties.publicKey", "properties.osProfile.linuxConfiguration.ssh.publicKeys[*].keyData",
		"properties.osProfile.linuxConfiguration.ssh.publicKeys[*].path",
		"properties.nodeLabels.key1", "properties.metadata.key1", "properties.keyCreationTime.key1",
		"properties.actions[*].webhookProperties.key11", "properties.partitionKey.kind",
		"properties.secretName", "properties.authConfig.passwordAuth", "tokenName", "keyVaultSecretId",
		"properties.rewriteRuleSets[*].properties.rewriteRules[*].actionSet.urlConfiguration.modifiedQueryString",
		"properties.template.containers[*].probes[*].httpGet.httpHeaders[*].value",
		"properties.networkAcls.ipRules[*].value", "properties.parameters.prefix.value", "properties.value",
		"properties.accessPolicies[*].permissions.keys[*]", "properties.accessPolicies[*].permissions.secrets[*]",
		"passwords[*].name", "properties.trustedRootCertificates[*].properties.data",
		"properties.administratorLogin", "username", "location", "name",
	}
	for _, p := range tests {
		if Named("", parse(t, p)) {
			t.Errorf("Named(%q) = true: a value that is no secret would print as (sensitive)", p)
		}
	}
}

func TestWords(t *testing.T) {
	tests := map[string][]string{
		"adminPassword": {"admin", "password"}, "SASToken": {"sas", "token"}, "key1": {"key"},
		"daprAIConnectionString": {"dapr", "ai", "connection", "string"}, "admin_password": {"admin", "password"},
		"ConnectionString": {"connection", "string"}, "keyVaultUri": {"key", "vault", "uri"}, "123": {},
	}
	for in, want := range tests {
		if got := Words(in); !(len(got) == 0 && len(want) == 0) && !reflect.DeepEqual(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

// armExampleSecrets are, by case file and body, every path the heuristic
// finds in the real ARM bodies of testdata/arm-examples, each checked by
// hand: all are secrets (a password, a key, a token, a connection string
// or a certificate with its private key). A path that appears here without
// being a secret is a false redaction; a new one found fails the test.
var armExampleSecrets = map[string][]string{
	"Microsoft.App__managedEnvironments__2025-01-01.json": {
		"properties.appLogsConfiguration.logAnalyticsConfiguration.sharedKey",
		"properties.customDomainConfiguration.certificatePassword",
		"properties.customDomainConfiguration.certificateValue",
		"properties.daprAIConnectionString",
	},
	"Microsoft.Cache__redis__2024-11-01.json": {
		"properties.accessKeys.primaryKey",
		"properties.accessKeys.secondaryKey",
	},
	"Microsoft.Compute__virtualMachineScaleSets__2024-11-01.json": {
		"properties.virtualMachineProfile.osProfile.adminPassword",
	},
	"Microsoft.ContainerService__managedClusters__2025-01-01.json": {
		"properties.servicePrincipalProfile.secret",
		"properties.windowsProfile.adminPassword",
	},
	"Microsoft.DBforPostgreSQL__flexibleServers__2024-08-01.json": {
		"properties.administratorLoginPassword",
	},
	"Microsoft.Insights__components__2020-02-02.json": {
		"properties.ConnectionString",
		"properties.HockeyAppToken",
		"properties.InstrumentationKey",
	},
	"Microsoft.KeyVault__vaults.secrets__2024-11-01.json": {
		"properties.value",
	},
	"Microsoft.Network__applicationGateways__2024-07-01.json": {
		"properties.sslCertificates[*].properties.data",
		"properties.sslCertificates[*].properties.password",
	},
	"Microsoft.Sql__servers__2023-08-01.json": {
		"properties.administratorLoginPassword",
	},
	"Microsoft.Web__staticSites__2024-04-01.json": {
		"properties.repositoryToken",
	},
}

// TestArmExamples walks every body of every case (the PUT request, each PUT
// response, the GET response) and compares what it finds with the list
// checked by hand.
func TestArmExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("the ARM examples are missing: %d files, %v", len(files), err)
	}
	seen := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Type string                     `json:"resource_type"`
			Req  any                        `json:"put_request_body"`
			Resp map[string]json.RawMessage `json:"put_responses"`
			Get  any                        `json:"get_response"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := exampleID(c.Type)
		bodies := []any{c.Req, c.Get}
		for _, raw := range c.Resp {
			var b any
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, b)
		}
		set := map[string]bool{}
		for _, b := range bodies {
			for _, p := range Paths(id, b) {
				set[p] = true
			}
			// Redact finds exactly what Paths lists.
			out, changed := Redact(id, b, func(any) any { return "(sensitive)" })
			if got := len(Paths(id, out)); got != len(Paths(id, b)) || changed != (got > 0) {
				t.Errorf("%s: Redact and Paths disagree", filepath.Base(f))
			}
		}
		got := make([]string, 0, len(set))
		for p := range set {
			got = append(got, p)
		}
		sort.Strings(got)
		want := armExampleSecrets[filepath.Base(f)]
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		seen++
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%s): found\n  %s\nwant (checked by hand)\n  %s", filepath.Base(f), c.Type, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
	if seen != len(armExampleSecrets) {
		t.Errorf("%d cases have secrets, the list names %d", seen, len(armExampleSecrets))
	}
}

// exampleID makes an ARM ID of the resource type t.
func exampleID(t string) string {
	segs := strings.Split(t, "/")
	id := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/" + segs[0]
	for _, s := range segs[1:] {
		id += "/" + s + "/x"
	}
	return id
}

func TestRedactCopiesOnWrite(t *testing.T) {
	body := map[string]any{
		"tags":       map[string]any{"key": "value"},
		"properties": map[string]any{"adminPassword": "hunter2", "sku": map[string]any{"name": "S1"}},
		"keys":       []any{map[string]any{"keyName": "key1", "value": "abc"}},
	}
	out, changed := Redact("", body, func(any) any { return "(sensitive)" })
	if !changed {
		t.Fatal("nothing redacted")
	}
	m := out.(map[string]any)
	if m["properties"].(map[string]any)["adminPassword"] != "(sensitive)" || m["keys"].([]any)[0].(map[string]any)["value"] != "(sensitive)" {
		t.Errorf("redacted body: %v", out)
	}
	if m["keys"].([]any)[0].(map[string]any)["keyName"] != "key1" || m["tags"].(map[string]any)["key"] != "value" {
		t.Errorf("a name that is no secret was redacted: %v", out)
	}
	if body["properties"].(map[string]any)["adminPassword"] != "hunter2" {
		t.Error("Redact changed its input")
	}
	if reflect.ValueOf(m["tags"]).Pointer() != reflect.ValueOf(body["tags"]).Pointer() {
		t.Error("a subtree without secrets was copied")
	}
}

func TestResourceType(t *testing.T) {
	for id, want := range map[string]string{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/secrets/s": "Microsoft.KeyVault/vaults/secrets",
		"/subscriptions/s/resourceGroups/rg":                                                 "",
		"":                                                                                   "",
	} {
		if got := ResourceType(id); got != want {
			t.Errorf("ResourceType(%q) = %q, want %q", id, got, want)
		}
	}
}
