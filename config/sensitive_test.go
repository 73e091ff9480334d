package config

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestSensitivePaths(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
variable "admin_login" {
  type      = string
  sensitive = true
}
resource "sql" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Sql/servers/sql"
  api_version = "2023-08-01-preview"
  sensitive   = ["properties.administrators.login", "properties.notInBody"]
  body = {
    location = "westus"
    properties = {
      administratorLogin         = "label-${var.admin_login}"
      administratorLoginPassword = "p@ss"
      administrators             = { login = "someone" }
      primaryKey                 = "k"
      partitionKey               = { paths = ["/id"] }
      keyVaultUri                = "https://kv.vault.azure.net"
      apps = [
        { name = "a", settings = { StorageConnectionString = "cs", token = "t" } },
      ]
      tags = { "api-Secret" = "s", "my.Secret" = "t", key = "value" } # tags are never secrets by name
      keyName = "key1"
    }
  }
}
`}, LoadOptions{Vars: map[string]string{"admin_login": "root"}})
	in := mustEval(t, cfg, nil).Resources()[0]
	want := []string{
		"properties.administratorLogin",         // from a sensitive variable
		"properties.administratorLoginPassword", // by name
		"properties.administrators.login",       // declared
		"properties.apps[*].settings.StorageConnectionString",
		"properties.apps[*].settings.token",
		"properties.notInBody", // declared, kept though absent (write-only values)
		"properties.primaryKey",
	}
	if !reflect.DeepEqual(in.Sensitive, want) {
		t.Errorf("Sensitive =\n%s\nwant\n%s", strings.Join(in.Sensitive, "\n"), strings.Join(want, "\n"))
	}
	// The marks are on the values themselves, so a renderer working on the
	// cty value cannot print them; SensitivePaths reads them back.
	if got := SensitivePaths(in.Body); !reflect.DeepEqual(got, without(want, "properties.notInBody")) {
		t.Errorf("marked paths = %v", got)
	}
	pw := in.Body.GetAttr("properties").GetAttr("administratorLoginPassword")
	if !pw.HasMark(SensitiveMark) {
		t.Error("the password is not marked")
	}
	// The clear value is still what apply sends.
	if got := jsonOf(t, ToJSONValue(in.Body)); !strings.Contains(got, `"administratorLoginPassword":"p@ss"`) || !strings.Contains(got, `"administratorLogin":"label-root"`) {
		t.Errorf("ToJSONValue lost the values: %s", got)
	}
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

func TestSensitiveVariableNeverInDiagnostics(t *testing.T) {
	dir := writeDir(t, map[string]string{"main.hcl": `
variable "pw" {
  sensitive = true
}
resource "x" {
  id          = "` + sub + `/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { properties = { count = 1 + var.pw } }
}
`})
	cfg, diags := Load(dir, LoadOptions{Env: []string{"AZAPPLY_VAR_pw=hunter2"}})
	text := diagText(cfg, diags)
	if !diags.HasErrors() || strings.Contains(text, "hunter2") {
		t.Errorf("diagnostics:\n%s", text)
	}
}

func TestMarkPathIntoUnknown(t *testing.T) {
	body := cty.ObjectVal(map[string]cty.Value{"properties": cty.DynamicVal})
	marked, paths := markSensitive("", body, []string{"properties.secret"})
	if !marked.GetAttr("properties").HasMark(SensitiveMark) || !reflect.DeepEqual(paths, []string{"properties", "properties.secret"}) {
		t.Errorf("marked %#v, paths %v", marked, paths)
	}
}

// TestVariablesFileSourceNeverShown: a variables file is where secrets are
// kept, so its diagnostics (a wrong type, a literal that is not one, a
// syntax error) give the place but never print its lines.
func TestVariablesFileSourceNeverShown(t *testing.T) {
	for name, vars := range map[string]string{
		"wrong type":    "pw = \"hunter2-wrong-type\"\n",
		"not a literal": "pw = upper(\"hunter2-not-literal\")\n",
		"syntax error":  "pw = \"hunter2-unterminated\n",
		"auto file":     "",
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{"main.hcl": "variable \"pw\" {\n  type      = number\n  sensitive = true\n}\n"}
			var opts LoadOptions
			if vars == "" {
				files["secret.auto.hcl"] = "pw = \"hunter2-auto\"\n"
			} else {
				files["prod.vars"] = vars
			}
			dir := writeDir(t, files)
			if vars != "" {
				opts.Args = []VarArg{{File: filepath.Join(dir, "prod.vars")}}
			}
			cfg, diags := Load(dir, opts)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			var out bytes.Buffer
			if err := WriteDiagnostics(&out, cfg.Files(), diags, 100, false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "hunter2") {
				t.Errorf("the diagnostics print the variables file's source:\n%s", out.String())
			}
			if !strings.Contains(out.String(), ".vars:1:") && !strings.Contains(out.String(), ".auto.hcl:1:") {
				t.Errorf("the diagnostics do not give the place:\n%s", out.String())
			}
		})
	}
}
