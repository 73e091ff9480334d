package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// returnedSecretsConfig: an Application Insights component whose service
// computes an InstrumentationKey and a ConnectionString (secrets the
// configuration never declared), a resource group tagged key = "value" (a
// tag is never a secret by its name), and a second group whose tag reads
// the component's connection string.
const returnedSecretsConfig = `
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}

resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { key = "value", keyName = "key1" } }
}

resource "ai" {
  id          = "${resource.rg.id}/providers/Microsoft.Insights/components/demo-ai"
  api_version = "2020-02-02"
  body = {
    location   = "westus"
    kind       = "web"
    properties = { Application_Type = "web" }
  }
}

resource "site" {
  id          = "${resource.rg.id}/providers/Microsoft.Web/sites/demo-site"
  api_version = "2024-04-01"
  body = {
    location   = "westus"
    properties = { siteConfig = { connectionString = resource.ai.output.properties.ConnectionString } }
  }
}
`

// TestReturnedSecretsHidden: the secrets a service returns are hashed in the
// state and hidden by every command that prints (plan, drift, state show,
// state pull), while a tag named key prints in clear; a resource that reads
// the connection string gets the real one, and the second plan is clean.
func TestReturnedSecretsHidden(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(returnedSecretsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var printed []string
	run := func(want int, args ...string) result {
		t.Helper()
		r := runCmd(t, "", append(append([]string{}, args...), "--chdir", dir)...)
		if r.code != want {
			t.Fatalf("azapply %v: exit %d, want %d\n%s%s", args, r.code, want, r.out, r.err)
		}
		printed = append(printed, strings.Join(args, " ")+"\x00"+r.out+r.err)
		return r
	}
	first := run(exitChanges, "plan", "--detailed-exitcode", "--no-color")
	if !strings.Contains(first.out, `key     = "value"`) && !strings.Contains(first.out, `"value"`) {
		t.Errorf("the tag named key is not printed:\n%s", first.out)
	}
	if strings.Contains(first.out, "key = (sensitive)") || strings.Contains(first.out, "keyName = (sensitive)") {
		t.Errorf("a tag is hidden by its name:\n%s", first.out)
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")

	em := world(t, dir)
	ai, ok := em.Resource("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Insights/components/demo-ai")
	if !ok {
		t.Fatal("the component was not created")
	}
	props := ai.Body["properties"].(map[string]any)
	conn, _ := props["ConnectionString"].(string)
	ikey, _ := props["InstrumentationKey"].(string)
	if conn == "" || ikey == "" {
		t.Fatalf("the emulator computed no secrets: %v", props)
	}
	site, ok := em.Resource("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Web/sites/demo-site")
	if !ok {
		t.Fatal("the site was not created")
	}
	if got := site.Body["properties"].(map[string]any)["siteConfig"].(map[string]any)["connectionString"]; got != conn {
		t.Errorf("the site got connection string %v, want the component's", got)
	}

	run(exitOK, "plan", "--detailed-exitcode", "--no-color")
	for _, f := range []string{"markdown", "json"} {
		run(exitOK, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	// The hashes stand for the live secrets: no drift.
	run(exitOK, "drift", "--detailed-exitcode", "--no-color")
	show := run(exitOK, "state", "show", "resource.ai")
	if !strings.Contains(show.out, "InstrumentationKey") || !strings.Contains(show.out, "hmac-sha256:") {
		t.Errorf("state show does not show the key's hash:\n%s", show.out)
	}
	run(exitOK, "state", "show", "resource.site")
	pulled := run(exitOK, "state", "pull")
	// A state edited by hand and pushed keeps no secret in clear either.
	const handKey = "hand-written-key-0123456789"
	edited := strings.Replace(pulled.out, `"tags": {`, `"primaryKey": "`+handKey+`", "tags": {`, 1)
	if edited == pulled.out {
		t.Fatalf("no tags to edit in the pulled state:\n%s", pulled.out)
	}
	if err := os.WriteFile(filepath.Join(dir, "edited.json"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	run(exitOK, "state", "push", filepath.Join(dir, "edited.json"))
	if err := os.Remove(filepath.Join(dir, "edited.json")); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, defaultStatePath)); err != nil || bytes.Contains(data, []byte(handKey)) || !bytes.Contains(data, []byte(`"primaryKey"`)) {
		t.Errorf("state push stored a secret in clear (or lost it): %v", err)
	}
	rg := run(exitOK, "state", "show", "resource.rg")
	if !strings.Contains(rg.out, `"key": "value"`) {
		t.Errorf("state show hides a tag named key:\n%s", rg.out)
	}

	// A secret set outside azapply (a token the portal added) is drift,
	// shown hidden.
	const rotated = "tok-set-in-the-portal-0123456789"
	run(exitOK, "emulator", "change", "--id", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Insights/components/demo-ai",
		"--merge", `{"properties":{"HockeyAppToken":"`+rotated+`"}}`)
	d := run(exitChanges, "drift", "--detailed-exitcode", "--no-color")
	if !strings.Contains(d.out, "HockeyAppToken") || !strings.Contains(d.out, "(sensitive)") || strings.Contains(d.out, rotated) {
		t.Errorf("the drift of a secret set outside azapply:\n%s", d.out)
	}
	// Accepted into the state, it is kept as a hash, and drift is clean.
	run(exitOK, "apply", "--refresh-only", "--auto-approve", "--no-color")
	if data, err := os.ReadFile(filepath.Join(dir, defaultStatePath)); err != nil || bytes.Contains(data, []byte(rotated)) || !bytes.Contains(data, []byte("HockeyAppToken")) {
		t.Errorf("apply --refresh-only recorded the accepted secret in clear (or not at all): %v", err)
	}
	run(exitOK, "drift", "--detailed-exitcode", "--no-color")

	// A state file written before azapply hashed returned secrets (one in
	// clear, edited in by hand here): the next apply writes it hashed.
	statePath := filepath.Join(dir, defaultStatePath)
	data, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	const oldKey = "old-clear-key-0123456789"
	old := strings.Replace(string(data), `"tags":{`, `"primaryKey":"`+oldKey+`","tags":{`, 1)
	if old == string(data) {
		old = strings.Replace(string(data), `"tags": {`, `"primaryKey": "`+oldKey+`", "tags": {`, 1)
	}
	if old == string(data) {
		t.Fatalf("no tags in the state file to edit:\n%.2000s", data)
	}
	if err := os.WriteFile(statePath, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	editFile(t, filepath.Join(dir, "main.hcl"), `keyName = "key1"`, `keyName = "key2"`)
	run(exitOK, "apply", "--auto-approve", "--no-color")
	if data, err := os.ReadFile(statePath); err != nil || bytes.Contains(data, []byte(oldKey)) {
		t.Errorf("the next apply kept an old clear secret in the state: %v", err)
	}

	for _, p := range printed {
		for what, needle := range map[string]string{"connection string": conn, "instrumentation key": ikey} {
			if strings.Contains(p, needle) {
				cmd, _, _ := strings.Cut(p, "\x00")
				t.Errorf("azapply %s printed the %s", cmd, what)
			}
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, string(filepath.Separator)+".azapply"+string(filepath.Separator)) {
			return err // the emulator's own world holds what Azure holds
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(ikey)) {
			t.Errorf("%s holds the instrumentation key in clear", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
