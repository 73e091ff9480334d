package config

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestReadActionBlocks checks the settings of a data block that POSTs: the
// errors name what to write instead.
func TestReadActionBlocks(t *testing.T) {
	const acr = sub + "/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr"
	tests := []struct {
		name, block, wantErr string
	}{
		{"list", `id = "` + acr + `/listCredentials"` + "\n method = \"POST\"", ""},
		{"get, lower-case method", `id = "` + acr + `/getSecrets"` + "\n method = \"post\"\n body = { x = 1 }", ""},
		{"declared read-only", `id = "` + acr + `/queryUsage"` + "\n method = \"POST\"\n read_only = true", ""},
		{"a write", `id = "` + acr + `/regenerateCredential"` + "\n method = \"POST\"", "Not a read-only action"},
		{"a body with GET", `id = "` + acr + `"` + "\n body = { x = 1 }", `write method = "POST"`},
		{"another method", `id = "` + acr + `"` + "\n method = \"DELETE\"", `not "DELETE"`},
		{"an action's id with GET", `id = "` + acr + `/listCredentials"`, "Invalid resource ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "data \"d\" {\n " + tt.block + "\n api_version = \"2023-07-01\"\n}\n"
			checkLoadAndEvaluate(t, "", src, tt.wantErr)
		})
	}
}

// TestReadActionOutput reads a listKeys answer through ReadData: the read
// is given the method and body, and the keys (by name) and a declared
// sensitive path of the answer are sensitive wherever they are used.
func TestReadActionOutput(t *testing.T) {
	const sa = sub + "/resourceGroups/demo/providers/Microsoft.Storage/storageAccounts/sa"
	cfg := mustLoad(t, map[string]string{"main.hcl": `
data "keys" {
  id          = "` + sa + `/listKeys"
  api_version = "2023-01-01"
  method      = "POST"
  body        = { expand = "kerb" }
  sensitive   = ["extra.note"]
}
resource "app" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Web/sites/app"
  api_version = "2023-01-01"
  body = {
    properties = {
      siteConfig = { appSettings = [{ name = "STORAGE", value = "key=${data.keys.output.keys[0].value}" }] }
      note       = data.keys.output.extra.note
      keyName    = data.keys.output.keys[0].keyName
    }
  }
}
`}, LoadOptions{})
	var method, body string
	_, ev, diags := cfg.ReadData(context.Background(), nil, func(_ context.Context, in *Instance) (map[string]any, error) {
		method, body = in.Method, jsonOf(t, ToJSONValue(in.Body))
		return map[string]any{
			"keys":  []any{map[string]any{"keyName": "key1", "value": "c2VjcmV0LWtleS0x", "permissions": "FULL"}},
			"extra": map[string]any{"note": "declared-secret"},
		}, nil
	})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if method != "POST" || body != `{"expand":"kerb"}` {
		t.Errorf("read with %s %s, want POST {\"expand\":\"kerb\"}", method, body)
	}
	app := ev.Resources()[0]
	props := app.Body.GetAttr("properties")
	if v := props.GetAttr("siteConfig").GetAttr("appSettings").Index(cty.NumberIntVal(0)).GetAttr("value"); !v.HasMark(SensitiveMark) {
		t.Error("a value built from a listed key is not sensitive")
	}
	if !props.GetAttr("note").HasMark(SensitiveMark) {
		t.Error("a value at the data block's declared sensitive path is not sensitive")
	}
	if props.GetAttr("keyName").IsMarked() {
		t.Error("keyName names a key without holding one, and is hidden")
	}
	got := strings.Join(cfg.SensitiveValues(app), ",")
	if !strings.Contains(got, "key=c2VjcmV0LWtleS0x") || !strings.Contains(got, "declared-secret") {
		t.Errorf("SensitiveValues = %q", got)
	}
}

// TestReadActionCheckedBeforeItsIDIsKnown: a POST whose ID is known only
// after apply (it reads a resource not created yet) is still checked by
// the action's name, the template's literal end, so that a write is
// refused at plan time and never POSTed at apply.
func TestReadActionCheckedBeforeItsIDIsKnown(t *testing.T) {
	const acr = sub + "/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr"
	for _, tc := range []struct{ action, wantErr string }{
		{"regenerateCredential", "Not a read-only action"},
		{"listCredentials", ""},
	} {
		src := `resource "acr" {
  id          = "` + acr + `"
  api_version = "2023-07-01"
  body        = { location = "westeurope" }
}
data "d" {
  id          = "${resource.acr.output.id}/` + tc.action + `"
  method      = "POST"
  api_version = "2023-07-01"
}
`
		checkLoadAndEvaluate(t, tc.action+": ", src, tc.wantErr)
	}
}

// checkLoadAndEvaluate loads src and, if that succeeds, evaluates it: with
// wantErr "", no error; else an error whose text holds wantErr.
func checkLoadAndEvaluate(t *testing.T, label, src, wantErr string) {
	t.Helper()
	cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{})
	if !diags.HasErrors() {
		_, d := cfg.EvaluateAll(nil)
		diags = append(diags, d...)
	}
	text := diagText(cfg, diags)
	switch {
	case wantErr == "" && diags.HasErrors():
		t.Errorf("%sunexpected error:\n%s", label, text)
	case wantErr != "" && !strings.Contains(text, wantErr):
		t.Errorf("%swant an error with %q, got:\n%s", label, wantErr, text)
	}
}
