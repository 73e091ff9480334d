package config

import (
	"strings"
	"testing"
)

// TestSensitivityFollowsValues sends sensitive values (a variable, a
// secret by name in another resource's body, a data source's key read by
// name, a module's output) through expressions, functions, for, templates,
// locals and modules into bodies, and checks that every value computed
// from one is sensitive where it lands, and that nothing else is.
func TestSensitivityFollowsValues(t *testing.T) {
	const rg = sub + "/resourceGroups/demo"
	cfg := mustLoad(t, map[string]string{
		"main.hcl": `
variable "pw" {
  type      = string
  sensitive = true
}
locals {
  conn   = "Server=db;Password=${var.pw}"
  parts  = split(";", local.conn)
  upper  = { for p in local.parts : p => upper(p) if length(p) > 0 }
  hashed = sha256(var.pw)
}
data "keys" {
  id          = "` + rg + `/providers/Microsoft.Storage/storageAccounts/sa/listKeys"
  api_version = "2023-01-01"
  method      = "POST"
}
module "inner" {
  source = "./inner"
  secret = var.pw
}
resource "db" {
  id          = "` + rg + `/providers/Microsoft.Sql/servers/db"
  api_version = "2023-08-01-preview"
  body        = { properties = { administratorLoginPassword = "p-${var.pw}" }, tags = { note = var.pw } }
}
resource "app" {
  id          = "` + rg + `/providers/Microsoft.Web/sites/app"
  api_version = "2023-01-01"
  body = {
    properties = {
      template    = local.conn
      list        = local.parts
      mapped      = values(local.upper)
      digest      = local.hashed
      fromBody    = resource.db.body.properties.administratorLoginPassword
      fromKeys    = "k:${data.keys.output.keys[0].value}"
      encoded     = jsonencode({ p = var.pw })
      fromModule  = module.inner.echo
      fromOutput  = resource.db.output.tags.note
      conditional = length(var.pw) > 3 ? "long" : "short"
      plain       = "nothing secret"
    }
  }
}
`,
		"inner/main.hcl": `
variable "secret" {
  type = string
}
output "echo" {
  value     = "inner-${var.secret}"
  sensitive = true
}
`,
	}, LoadOptions{Vars: map[string]string{"pw": "Hunter2Secret"}})
	outputs := map[string]any{
		"data.keys":   map[string]any{"keys": []any{map[string]any{"keyName": "key1", "value": "a2V5LXZhbHVl"}}},
		"resource.db": map[string]any{"tags": map[string]any{"note": "Hunter2Secret"}},
	}
	ev := mustEval(t, cfg, outputs)
	app := byAddress(t, ev.Resources(), "resource.app")
	got := strings.Join(app.Sensitive, " ")
	for _, p := range []string{"template", "list", "mapped", "digest", "fromBody", "fromKeys", "encoded", "fromModule", "fromOutput", "conditional"} {
		if !strings.Contains(" "+got+" ", " properties."+p+" ") {
			t.Errorf("properties.%s is not sensitive; sensitive paths: %s", p, got)
		}
	}
	if strings.Contains(got, "plain") {
		t.Errorf("properties.plain is sensitive: %s", got)
	}
	// Every clear value the run must clean from errors is known.
	vals := strings.Join(cfg.SensitiveValues(app), "\n")
	for _, want := range []string{"Server=db;Password=Hunter2Secret", "k:a2V5LXZhbHVl", "inner-Hunter2Secret"} {
		if !strings.Contains(vals, want) {
			t.Errorf("SensitiveValues lacks %q", want)
		}
	}
}

// TestOutputOfSensitiveMustSaySo: an output whose value is computed from a
// sensitive value, by any path, is an error unless it says sensitive = true.
func TestOutputOfSensitiveMustSaySo(t *testing.T) {
	for name, value := range map[string]string{
		"variable":  `upper(var.pw)`,
		"for":       `[for c in split("", var.pw) : c]`,
		"data key":  `data.keys.output.keys[0].value`,
		"from body": `resource.db.body.properties.administratorLoginPassword`,
	} {
		t.Run(name, func(t *testing.T) {
			cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": `
variable "pw" {
  type      = string
  sensitive = true
}
data "keys" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Storage/storageAccounts/sa/listKeys"
  api_version = "2023-01-01"
  method      = "POST"
}
resource "db" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Sql/servers/db"
  api_version = "2023-08-01-preview"
  body        = { properties = { administratorLoginPassword = "x" } }
}
output "o" {
  value = ` + value + `
}
`}), LoadOptions{Vars: map[string]string{"pw": "Hunter2Secret"}})
			if !diags.HasErrors() {
				outputs := map[string]any{"data.keys": map[string]any{"keys": []any{map[string]any{"value": "a2V5LXZhbHVl"}}}}
				_, d := cfg.EvaluateAll(outputs)
				diags = append(diags, d...)
			}
			text := diagText(cfg, diags)
			if !diags.HasErrors() || !strings.Contains(text, "sensitive") {
				t.Errorf("no error asking for sensitive = true:\n%s", text)
			}
			if strings.Contains(text, "Hunter2Secret") || strings.Contains(text, "a2V5LXZhbHVl") {
				t.Errorf("the error shows the value:\n%s", text)
			}
		})
	}
}

// TestSensitiveBody: a body that is itself a sensitive value (jsondecode of
// a sensitive variable) has every attribute sensitive, not none.
func TestSensitiveBody(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
variable "body" {
  type      = string
  sensitive = true
}
resource "rg" {
  id          = "` + sub + `/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = jsondecode(var.body)
}
`}, LoadOptions{Vars: map[string]string{"body": `{"location":"westus","tags":{"x":"Hunter2Secret"}}`}})
	in := mustEval(t, cfg, nil).Resources()[0]
	if got := strings.Join(in.Sensitive, " "); got != "location tags" {
		t.Errorf("Sensitive = %q, want every attribute", got)
	}
}
