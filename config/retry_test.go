package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRetryBlock(t *testing.T) {
	tests := []struct {
		name, block string
		want        *Retry
		diag        string
	}{
		{"none", "", nil, ""},
		{"codes and window", `retry {
    codes  = ["PrincipalNotFound", "ResourceNotFound"]
    within = "10m"
  }`, &Retry{Codes: []string{"PrincipalNotFound", "ResourceNotFound"}, Within: 10 * time.Minute}, ""},
		{"from a variable", `retry { within = var.window }`, &Retry{Within: 90 * time.Second}, ""},
		{"bad window", `retry { within = "soon" }`, nil, `within = "soon" is not a duration`},
		{"too long", `retry { within = "5h" }`, nil, "between 1s and 2h0m0s"},
		{"bad code", `retry { codes = ["not a code"] }`, nil, `"not a code" is not an ARM error code`},
		{"not a list", `retry { codes = 3 }`, nil, "codes is a list of ARM error codes"},
		{"unknown attribute", `retry { attempts = 3 }`, nil, `"attempts" is not expected here`},
		{"twice", "retry {}\n  retry {}", nil, "Duplicate retry block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := `variable "window" {
  default = "90s"
}

resource "ra" {
  id          = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/a"
  api_version = "2022-04-01"
  body        = { properties = { principalId = "p" } }
  ` + tt.block + `
}
`
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() {
				var insts []*Instance
				insts, diags = cfg.Evaluate(nil)
				if !diags.HasErrors() {
					got := insts[0].Retry
					if tt.diag != "" {
						t.Fatalf("no diagnostic, want %q", tt.diag)
					}
					if (got == nil) != (tt.want == nil) || (got != nil && (strings.Join(got.Codes, ",") != strings.Join(tt.want.Codes, ",") || got.Within != tt.want.Within)) {
						t.Fatalf("Retry = %+v, want %+v", got, tt.want)
					}
					return
				}
			}
			if tt.diag == "" || !strings.Contains(diags.Error(), tt.diag) {
				t.Fatalf("diagnostics %v, want %q", diags, tt.diag)
			}
			if !strings.Contains(diags.Error(), "main.hcl:") {
				t.Errorf("diagnostics %v name no file and line", diags)
			}
		})
	}
}
