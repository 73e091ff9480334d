package config

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestBadBodyPathsAreDiagnosed: a malformed body path in any setting that
// takes paths is an error that names the setting, says what is wrong, and
// points at the file and line of the attribute.
func TestBadBodyPathsAreDiagnosed(t *testing.T) {
	tests := []struct {
		setting, value, summary, detail string
	}{
		{"ignore_changes", `["properties..x"]`, "Invalid path in ignore_changes", `"properties..x": empty name at offset 11`},
		{"sensitive", `["properties.users[x]"]`, "Invalid path in sensitive", "[x] is not an array index"},
		{"replace_on_changes", `["sku."]`, "Invalid path in replace_on_changes", "ends with a dot"},
		{"unordered", `["properties.subnets[-1]"]`, "Invalid path in unordered", "[-1] is not an array index"},
		{"update_in_place", `["properties.subnets[=app]"]`, "Invalid path in update_in_place", "[=app] is not an array index"},
		{"array_keys", `{ "properties.rules[" = "name" }`, "Invalid path in array_keys", "is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": `
resource "vnet" {
  id          = "` + sub + `/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
  api_version = "2024-07-01"
  body        = { location = "westus" }
  ` + tt.setting + ` = ` + tt.value + `
}
`}), LoadOptions{})
			if !diags.HasErrors() {
				_, diags = cfg.EvaluateAll(nil)
			}
			if !diags.HasErrors() {
				t.Fatalf("%s = %s: no error", tt.setting, tt.value)
			}
			d := diags[0]
			if d.Summary != tt.summary || !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("diagnostic %q: %q; want %q containing %q", d.Summary, d.Detail, tt.summary, tt.detail)
			}
			if d.Subject == nil || !strings.HasSuffix(d.Subject.Filename, "main.hcl") || d.Subject.Start.Line != 6 {
				t.Errorf("diagnostic at %v, want main.hcl line 6", d.Subject)
			}
		})
	}
}

// TestBadProviderIgnoreChangesIsDiagnosed: the provider's ignore_changes
// paths are checked the same way.
func TestBadProviderIgnoreChangesIsDiagnosed(t *testing.T) {
	cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": `
provider {
  ignore_changes = ["tags.a b"]
}
`}), LoadOptions{})
	if !diags.HasErrors() {
		_, diags = cfg.EvaluateAll(nil)
	}
	if !diags.HasErrors() || diags[0].Summary != "Invalid path in ignore_changes" || !strings.Contains(diags[0].Detail, "quote keys with unusual characters") ||
		diags[0].Subject == nil || diags[0].Subject.Start.Line != 3 {
		t.Fatalf("diagnostics: %v", diags)
	}
}

// TestSensitiveSelectorMarksThatElement: a sensitive path may name an
// element by a field, as plans print it; only that element's value is
// marked.
func TestSensitiveSelectorMarksThatElement(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "site" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Web/sites/s"
  api_version = "2024-04-01"
  sensitive   = ["properties.siteConfig.appSettings[name=DB].value"]
  body = {
    properties = {
      siteConfig = {
        appSettings = [
          { name = "MODE", value = "prod" },
          { name = "db", value = "Server=x;Password=y" },
        ]
      }
    }
  }
}
`}, LoadOptions{})
	in := mustEval(t, cfg, nil).Resources()[0]
	settings := in.Body.GetAttr("properties").GetAttr("siteConfig").GetAttr("appSettings")
	if settings.Index(cty.NumberIntVal(0)).GetAttr("value").HasMark(SensitiveMark) {
		t.Error("MODE's value is marked; only DB's should be")
	}
	if !settings.Index(cty.NumberIntVal(1)).GetAttr("value").HasMark(SensitiveMark) {
		t.Error("db's value is not marked")
	}
}

// TestSensitivePathMatchesKeysInAnyCase: a sensitive path spelled in
// another case than the body's key marks that key, as the plan hides it
// and the state hashes it (ARM reads keys case-insensitively).
func TestSensitivePathMatchesKeysInAnyCase(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "site" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Web/sites/s"
  api_version = "2024-04-01"
  sensitive   = ["properties.customsetting"]
  body = {
    properties = { customSetting = "not-a-name-the-rules-know", other = "plain" }
  }
}
`}, LoadOptions{})
	in := mustEval(t, cfg, nil).Resources()[0]
	props := in.Body.GetAttr("properties")
	if !props.GetAttr("customSetting").HasMark(SensitiveMark) {
		t.Error("customSetting is not marked by the path properties.customsetting")
	}
	if props.GetAttr("other").HasMark(SensitiveMark) {
		t.Error("other is marked")
	}
}
