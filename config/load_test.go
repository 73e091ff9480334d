package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestProviderFillsEveryField(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
variable "secret" {
  type      = string
  sensitive = true
}
locals { tenant = "22222222-2222-2222-2222-222222222222" }
provider {
  subscription_id             = "00000000-0000-0000-0000-000000000000"
  endpoint                    = "https://management.local.azurestack.external"
  cloud                       = "public"
  audience                    = "https://management.core.windows.net/"
  authority_host              = "https://login.microsoftonline.com/"
  metadata_endpoint           = "https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01"
  auth                        = "client_secret"
  tenant_id                   = local.tenant
  client_id                   = "11111111-1111-1111-1111-111111111111"
  client_secret               = var.secret
  client_certificate_path     = "cert.pem"
  client_certificate_password = "certpass"
  federated_token_file        = "/var/run/token"
  username                    = "user@example.com"
  password                    = "pw"
  ignore_changes              = ["tags.policy"]
  adopt_existing              = true
  refresh                     = "collection"
}
`}, LoadOptions{Env: []string{"AZAPPLY_VAR_secret=s3cr3t"}})
	want := Provider{
		SubscriptionID:        "00000000-0000-0000-0000-000000000000",
		Endpoint:              "https://management.local.azurestack.external",
		Cloud:                 "public",
		Audience:              "https://management.core.windows.net/",
		AuthorityHost:         "https://login.microsoftonline.com/",
		MetadataEndpoint:      "https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01",
		Auth:                  "client_secret",
		TenantID:              "22222222-2222-2222-2222-222222222222",
		ClientID:              "11111111-1111-1111-1111-111111111111",
		ClientSecret:          "s3cr3t",
		ClientCertificatePath: "cert.pem",
		ClientCertificatePass: "certpass",
		FederatedTokenFile:    "/var/run/token",
		Username:              "user@example.com",
		Password:              "pw",
		IgnoreChanges:         []string{"tags.policy"},
		AdoptExisting:         true,
		Refresh:               "collection",
	}
	got := cfg.Provider
	got.DeclRange = want.DeclRange
	if !reflect.DeepEqual(got, want) {
		t.Errorf("provider:\n got %+v\nwant %+v", got, want)
	}
	if cfg.Provider.DeclRange.Start.Line != 7 {
		t.Errorf("DeclRange line = %d, want 7", cfg.Provider.DeclRange.Start.Line)
	}
}

func TestBackend(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *Backend
	}{
		{"none", ``, nil},
		{"local default path", "azapply {\n  backend \"local\" {}\n}", &Backend{Type: "local", Path: "azapply.state.json"}},
		{"local path", "azapply {\n  backend \"local\" { path = \"state/prod.json\" }\n}", &Backend{Type: "local", Path: "state/prod.json"}},
		{"azureblob", `azapply {
  backend "azureblob" {
    account_url = "https://acct.blob.core.windows.net"
    container   = "tfstate"
    key         = "prod/${var.env}.json"
  }
}`, &Backend{Type: "azureblob", AccountURL: "https://acct.blob.core.windows.net", Container: "tfstate", Key: "prod/app.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, map[string]string{"main.hcl": tt.src + "\nvariable \"env\" { default = \"app\" }\n"}, LoadOptions{})
			got := cfg.Backend
			if got != nil {
				c := *got
				c.DeclRange = tt.want.DeclRange
				got = &c
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Backend = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestImportAndRemoved(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "rg" {
  id          = "` + sub + `/resourceGroups/demo"
  api_version = "2021-04-01"
}
resource "subnet" {
  for_each    = toset(["app"])
  id          = "${resource.rg.id}/providers/Microsoft.Network/virtualNetworks/v/subnets/${each.key}"
  api_version = "2023-09-01"
}
import {
  to = resource.rg
  id = "` + sub + `/resourceGroups/demo"
}
import {
  to = resource.subnet["app"]
  id = "` + sub + `/resourceGroups/demo/providers/Microsoft.Network/virtualNetworks/v/subnets/app"
}
removed {
  from    = resource.old
  destroy = false
}
removed {
  from    = resource.gone[2]
  destroy = true
}
`}, LoadOptions{})
	var imports [][2]string
	for _, im := range cfg.Imports {
		imports = append(imports, [2]string{im.To, im.ID})
	}
	wantImports := [][2]string{
		{"resource.rg", sub + "/resourceGroups/demo"},
		{`resource.subnet["app"]`, sub + "/resourceGroups/demo/providers/Microsoft.Network/virtualNetworks/v/subnets/app"},
	}
	if !reflect.DeepEqual(imports, wantImports) {
		t.Errorf("imports = %v, want %v", imports, wantImports)
	}
	var removed []string
	for _, r := range cfg.Removed {
		removed = append(removed, r.From)
		if r.DeclRange.Start.Line == 0 {
			t.Errorf("removed %s has no DeclRange", r.From)
		}
	}
	if !reflect.DeepEqual(removed, []string{"resource.old", "resource.gone[2]"}) || cfg.Removed[0].Destroy || !cfg.Removed[1].Destroy {
		t.Errorf("removed = %v, destroy %v %v", removed, cfg.Removed[0].Destroy, cfg.Removed[1].Destroy)
	}
}

func TestVariablePrecedence(t *testing.T) {
	files := map[string]string{
		"main.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "list" {
  type    = list(string)
  default = []
}
`,
		"1.auto.hcl":      `c = "auto1"` + "\n" + `d = "auto1"` + "\n",
		"2.auto.hcl.json": `{"d": "auto2", "list": ["x", "y"]}`,
		"prod.vars":       `e = "file"` + "\n" + `f = "file"` + "\n",
	}
	dir := writeDir(t, files)
	cfg, diags := Load(dir, LoadOptions{
		Env: []string{"AZAPPLY_VAR_b=env", "AZAPPLY_VAR_c=env", "OTHER=1", "AZAPPLY_VAR_unknown=ignored"},
		Args: []VarArg{
			{Name: "e", Value: "flag-before-file"},
			{File: dir + "/prod.vars"},
			{Name: "f", Value: "flag-after-file"},
		},
	})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	want := map[string]string{"a": "default", "b": "env", "c": "auto1", "d": "auto2", "e": "file", "f": "flag-after-file"}
	for name, w := range want {
		if got := cfg.Variables[name].Value.AsString(); got != w {
			t.Errorf("var.%s = %q, want %q (source %s)", name, got, w, cfg.Variables[name].Source)
		}
	}
	if got := jsonOf(t, ToJSONValue(cfg.Variables["list"].Value)); got != `["x","y"]` {
		t.Errorf("var.list = %s", got)
	}
	if src := cfg.Variables["e"].Source; src != dir+"/prod.vars" {
		t.Errorf("var.e source = %q", src)
	}
}

func TestVariableTypesFromFlags(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
variable "n" { type = number }
variable "b" { type = bool }
variable "m" { type = map(string) }
variable "o" { type = object({ name = string, size = number }) }
variable "s" {}
`}, LoadOptions{Vars: map[string]string{"n": "3", "b": "true", "m": `{ a = "x" }`, "o": `{ name = "n", size = 2 }`, "s": "[not parsed]"}})
	got := map[string]string{}
	for name, v := range cfg.Variables {
		got[name] = jsonOf(t, ToJSONValue(v.Value))
	}
	want := map[string]string{"n": "3", "b": "true", "m": `{"a":"x"}`, "o": `{"name":"n","size":2}`, "s": `"[not parsed]"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestVariableValidationAndSensitive(t *testing.T) {
	src := `
variable "location" {
  type        = string
  description = "Where."
  sensitive   = true
  validation {
    condition     = contains(["westus", "eastus"], var.location)
    error_message = "location must be westus or eastus."
  }
}
`
	cfg := mustLoad(t, map[string]string{"main.hcl": src}, LoadOptions{Vars: map[string]string{"location": "eastus"}})
	v := cfg.Variables["location"]
	if !v.Sensitive || !v.Value.HasMark(SensitiveMark) || v.Description != "Where." {
		t.Errorf("variable = %+v", v)
	}
	_, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{Vars: map[string]string{"location": "mars"}})
	if !diags.HasErrors() || diags[0].Detail != "var.location (from --var): location must be westus or eastus." {
		t.Errorf("diags = %v", diags)
	}
}

func TestFilesOfADirectory(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"main.hcl": `variable "loc" { default = "westus" }`,
		"rg.hcl.json": `{"resource": {"rg": {
			"id": "` + sub + `/resourceGroups/json",
			"api_version": "2021-04-01",
			"body": {"location": "${var.loc}", "tags": {"from": "json"}}
		}}}`,
		"notes.txt":       `not read`,
		".hidden.hcl":     `this would not parse`,
		"values.auto.hcl": `loc = "eastus"`,
	}, LoadOptions{})
	insts := mustEval(t, cfg, nil).Resources()
	if len(insts) != 1 {
		t.Fatalf("instances %v", addresses(insts))
	}
	if got := jsonOf(t, ToJSONValue(insts[0].Body)); got != `{"location":"eastus","tags":{"from":"json"}}` {
		t.Errorf("body = %s", got)
	}
	// main.hcl and rg.hcl.json; values.auto.hcl is a variables file, whose
	// source diagnostics never show.
	if len(cfg.Files()) != 2 {
		t.Errorf("files = %d, want 2", len(cfg.Files()))
	}
}

func TestJSONSyntax(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"a.hcl.json": `{
  "resource": {
    "a": {"id": "` + sub + `/resourceGroups/a", "api_version": "2021-04-01", "depends_on": ["resource.b"]},
    "b": {"id": "` + sub + `/resourceGroups/${each.key}", "api_version": "2021-04-01", "for_each": {"k": "v"}, "body": {"tags": {"v": "${each.value}"}}}
  },
  "import": [{"to": "resource.a", "id": "` + sub + `/resourceGroups/a"}]
}`}, LoadOptions{})
	insts := mustEval(t, cfg, nil).Resources()
	if got := addresses(insts); !reflect.DeepEqual(got, []string{`resource.b["k"]`, "resource.a"}) {
		t.Errorf("order = %v", got)
	}
	if a := byAddress(t, insts, "resource.a"); !reflect.DeepEqual(a.DependsOn, []string{`resource.b["k"]`}) {
		t.Errorf("resource.a depends on %v", a.DependsOn)
	}
	if b := byAddress(t, insts, `resource.b["k"]`); jsonOf(t, ToJSONValue(b.Body)) != `{"tags":{"v":"v"}}` {
		t.Errorf("body = %s", jsonOf(t, ToJSONValue(b.Body)))
	}
	if len(cfg.Imports) != 1 || cfg.Imports[0].To != "resource.a" {
		t.Errorf("imports = %+v", cfg.Imports)
	}
}

func TestVariableSourceProblems(t *testing.T) {
	files := map[string]string{
		"main.hcl":  "variable \"n\" {\n  type    = number\n  default = 1\n}\n",
		"prod.vars": "n = 2\nunknown = \"x\"\n",
		"bad.json":  `{"n": "not a number"}`,
	}
	tests := []struct {
		name      string
		opts      func(dir string) LoadOptions
		wantError bool
		want      string
	}{
		{"undeclared in a var file is a warning", func(dir string) LoadOptions {
			return LoadOptions{Args: []VarArg{{File: dir + "/prod.vars"}}}
		}, false, `prod.vars sets "unknown", but no variable block declares it; the value is ignored.`},
		{"wrong type in a JSON var file", func(dir string) LoadOptions {
			return LoadOptions{Args: []VarArg{{File: dir + "/bad.json"}}}
		}, true, `Variable "n" is of type number: a number is required.`},
		{"wrong type in the environment", func(string) LoadOptions {
			return LoadOptions{Env: []string{"AZAPPLY_VAR_n=lots"}}
		}, true, "environment variable AZAPPLY_VAR_n: the variable is of type number: a number is required."},
		{"undeclared --var suggests a name", func(string) LoadOptions {
			return LoadOptions{Args: []VarArg{{Name: "N", Value: "1"}}}
		}, true, `(did you mean "n"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, files)
			cfg, diags := Load(dir, tt.opts(dir))
			if diags.HasErrors() != tt.wantError || len(diags) != 1 || !strings.Contains(diags[0].Detail, tt.want) {
				t.Errorf("diagnostics:\n%s", diagText(cfg, diags))
			}
		})
	}
}

func TestUnknownMissingVars(t *testing.T) {
	cfg, diags := Load("testdata/diags/missing_variable", LoadOptions{UnknownMissingVars: true})
	if diags.HasErrors() {
		t.Fatalf("a missing variable was reported: %s", diagText(cfg, diags))
	}
	if v := cfg.Variables["subscription_id"]; v.Value.IsKnown() || v.Source != "not set" {
		t.Errorf("subscription_id = %#v from %q", v.Value, v.Source)
	}
	if _, diags := cfg.EvaluateAll(nil); !diags.HasErrors() {
		t.Error("a configuration loaded for checking only was evaluated for planning")
	}
	// Problems that do not depend on the variable are still found.
	_, diags = Load("testdata/diags/many_problems", LoadOptions{UnknownMissingVars: true})
	if len(diags) != 4 {
		t.Errorf("%d diagnostics, want the 4 of many_problems", len(diags))
	}
}

func TestOptionalObjectAttributes(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"main.hcl": `
variable "sku" {
  type = object({
    name     = string
    capacity = optional(number, 1)
    tier     = optional(string)
  })
  default = { name = "Standard" }
}
variable "from_flag" {
  type = object({ name = string, zones = optional(list(string), ["1"]) })
}
`}, LoadOptions{Vars: map[string]string{"from_flag": `{ name = "x" }`}})
	if got := jsonOf(t, ToJSONValue(cfg.Variables["sku"].Value)); got != `{"capacity":1,"name":"Standard","tier":null}` {
		t.Errorf("var.sku = %s", got)
	}
	if got := jsonOf(t, ToJSONValue(cfg.Variables["from_flag"].Value)); got != `{"name":"x","zones":["1"]}` {
		t.Errorf("var.from_flag = %s", got)
	}
}

// TestDeleteUnmanagedContents: the setting is read from a resource block
// and from a removed block, where it needs destroy = true.
func TestDeleteUnmanagedContents(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "rg" {
  id                        = "` + sub + `/resourceGroups/demo"
  api_version               = "2021-04-01"
  delete_unmanaged_contents = true
}
resource "other" {
  id          = "` + sub + `/resourceGroups/other"
  api_version = "2021-04-01"
}
removed {
  from                      = resource.old
  destroy                   = true
  delete_unmanaged_contents = true
}
`}, LoadOptions{})
	ev := mustEval(t, cfg, nil)
	got := map[string]bool{}
	for _, in := range ev.Instances {
		got[in.Address] = in.DeleteUnmanagedContents
	}
	if !got["resource.rg"] || got["resource.other"] {
		t.Errorf("delete_unmanaged_contents = %v", got)
	}
	if len(cfg.Removed) != 1 || !cfg.Removed[0].DeleteUnmanagedContents {
		t.Errorf("removed = %+v", cfg.Removed)
	}

	_, diags := Load(writeDir(t, map[string]string{"main.hcl": `
removed {
  from                      = resource.old
  destroy                   = false
  delete_unmanaged_contents = true
}
`}), LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Set destroy = true") {
		t.Fatalf("diagnostics = %v, want delete_unmanaged_contents without destroy refused", diags)
	}
}
