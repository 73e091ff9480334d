package config

import (
	"bytes"
	"strings"
	"testing"
)

// TestDiagnosticsHideSensitiveValues gives a sensitive variable to every
// place a diagnostic could quote it and checks that no diagnostic, as
// azapply prints it or as HCL's own writer prints it (with the values of
// the variables an expression uses), holds the value, and that each says
// "(sensitive value)" or that its message is not shown.
func TestDiagnosticsHideSensitiveValues(t *testing.T) {
	const pw = "Hunter2Secret"
	const rg = sub + "/resourceGroups/demo"
	resource := func(id, apiVersion, body string) string {
		return "resource \"r\" {\n  id = " + id + "\n  api_version = " + apiVersion + "\n  body = " + body + "\n}\n"
	}
	tests := []struct {
		name, hcl, want string
	}{
		{"validation message", `
validation {
  condition     = length(var.pw) > 30
  error_message = "too short: ${var.pw}"
}`, sensitiveMessage},
		{"validation message from a function", `
validation {
  condition     = length(var.pw) > 30
  error_message = format("%s is too short", upper(var.pw))
}`, sensitiveMessage},
		{"file", "}\n" + resource(`"`+rg+`"`, `"2021-04-01"`, `{ location = file(var.pw) }`), "(sensitive value)"},
		{"tonumber", "}\n" + resource(`"`+rg+`"`, `"2021-04-01"`, `{ sku = { capacity = tonumber(var.pw) } }`), "(sensitive value)"},
		{"tonumber of a value computed from it", "}\n" + resource(`"`+rg+`"`, `"2021-04-01"`, `{ sku = { capacity = tonumber(lower(var.pw)) } }`), "(sensitive value)"},
		{"templatefile", "}\n" + resource(`"`+rg+`"`, `"2021-04-01"`, `{ location = templatefile(var.pw, {}) }`), "(sensitive value)"},
		{"cidrsubnet", "}\n" + resource(`"`+rg+`"`, `"2021-04-01"`, `{ prefix = cidrsubnet(var.pw, 8, 1) }`), "(sensitive value)"},
		{"api_version", "}\n" + resource(`"`+rg+`"`, `var.pw`, `{ location = "westus" }`), "(sensitive value)"},
		{"api_version from a local", "}\nlocals { v = \"2021-${var.pw}\" }\n" + resource(`"`+rg+`"`, `local.v`, `{ location = "westus" }`), "(sensitive value)"},
		{"id", "}\n" + resource(`"`+rg+`/providers/Microsoft.Storage/storageAccounts/${var.pw}"`, `"2023-01-01"`, `{ location = "westus" }`), "(sensitive value)"},
		{"invalid id", "}\n" + resource(`"not-an-id/${var.pw}"`, `"2023-01-01"`, `{ location = "westus" }`), "(sensitive value)"},
		{"action id", "}\naction \"a\" {\n  id = \"" + rg + "/${var.pw}/listKeys\"\n  api_version = \"2023-01-01\"\n}\n", "(sensitive value)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "variable \"pw\" {\n  type      = string\n  sensitive = true\n" + tt.hcl
			if !strings.HasPrefix(tt.hcl, "}") {
				src += "\n}\n"
			}
			cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{Vars: map[string]string{"pw": pw}})
			if !diags.HasErrors() {
				_, d := cfg.EvaluateAll(nil)
				diags = append(diags, d...)
			}
			if !diags.HasErrors() {
				t.Fatalf("no error for:\n%s", src)
			}
			var ours bytes.Buffer
			if err := WriteDiagnostics(&ours, cfg.Files(), diags, 100, false); err != nil {
				t.Fatal(err)
			}
			for what, text := range map[string]string{"azapply's printer": ours.String(), "HCL's printer": diagText(cfg, diags)} {
				if strings.Contains(text, pw) || strings.Contains(strings.ToUpper(text), strings.ToUpper(pw)) {
					t.Errorf("%s shows the sensitive value:\n%s", what, text)
				}
			}
			if !strings.Contains(ours.String(), tt.want) {
				t.Errorf("the diagnostic does not say %q:\n%s", tt.want, ours.String())
			}
		})
	}
}

// TestNonsensitive: nonsensitive() lets a value computed from a secret
// that is none name a resource.
func TestNonsensitive(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
variable "name" {
  type      = string
  sensitive = true
}
resource "r" {
  id          = nonsensitive("` + sub + `/resourceGroups/${var.name}")
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { n = var.name } }
}
`}, LoadOptions{Vars: map[string]string{"name": "demo"}})
	in := mustEval(t, cfg, nil).Resources()[0]
	if in.ID != sub+"/resourceGroups/demo" {
		t.Errorf("ID = %q", in.ID)
	}
	if !in.Body.GetAttr("tags").GetAttr("n").HasMark(SensitiveMark) {
		t.Error("the variable is no longer sensitive in the body")
	}
}
