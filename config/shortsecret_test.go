package config

import (
	"bytes"
	"strings"
	"testing"
)

// TestShortSecretsNeverInFunctionErrors: a sensitive value shorter than
// secret.MinLength is not searched for in text (it would hide every such
// letter pair of a message), so a function's error that may quote it is
// not shown at all; the diagnostic still names the call. A long secret is
// redacted as before, keeping the rest of the message.
func TestShortSecretsNeverInFunctionErrors(t *testing.T) {
	const rg = sub + "/resourceGroups/demo"
	resource := func(body string) string {
		return "resource \"r\" {\n  id = \"" + rg + "\"\n  api_version = \"2021-04-01\"\n  body = " + body + "\n}\n"
	}
	calls := map[string]string{
		"file":         `{ location = file(var.pw) }`,
		"tonumber":     `{ sku = { capacity = tonumber(var.pw) } }`,
		"templatefile": `{ location = templatefile(var.pw, {}) }`,
		"cidrsubnet":   `{ prefix = cidrsubnet(var.pw, 8, 1) }`,
	}
	// The subtests are not named for the secret: their temporary
	// directories, which diagnostics print, are.
	for _, pw := range []string{"Q7", "Q7z", "Q7zLongEnough"} {
		for name, body := range calls {
			t.Run(name+"/"+strings.Repeat("x", len(pw)), func(t *testing.T) {
				src := "variable \"pw\" {\n  type      = string\n  sensitive = true\n}\n" + resource(body)
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
					if strings.Contains(text, pw) {
						t.Errorf("%s shows the sensitive value %q:\n%s", what, pw, text)
					}
				}
				if len(pw) < 4 && !strings.Contains(ours.String(), "the function's error is not shown") {
					t.Errorf("the message of a call given a short secret is shown:\n%s", ours.String())
				}
				if !strings.Contains(ours.String(), name) {
					t.Errorf("the diagnostic does not name the call:\n%s", ours.String())
				}
			})
		}
	}
}
