package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// secretsConfig holds a sensitive variable in a declared sensitive path, in
// an undeclared one (a tag: the variable's mark alone must hide it), and in
// a sensitive output, and an action whose answer carries passwords.
const secretsConfig = `
variable "admin_password" {
  type      = string
  sensitive = true
}

resource "rg" {
  id          = "` + stackRG + `"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/secretacr"
  api_version = "2023-07-01"
  body = {
    location   = "westus"
    sku        = { name = "Basic" }
    tags       = { note = var.admin_password }
    properties = { adminUserEnabled = true, adminPassword = var.admin_password }
  }
  sensitive = ["properties.adminPassword"]
}

action "regen" {
  id          = "${resource.acr.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password", reason = var.admin_password }
  when        = "create"
}

output "password" {
  value     = var.admin_password
  sensitive = true
}

output "login_server" {
  value = resource.acr.output.properties.loginServer
}
`

// TestSecretsNeverLeak runs every command that prints, in every format,
// with AZAPPLY_LOG=debug (and a variables file of the wrong type), on a configuration holding a sensitive value, and
// searches everything they wrote (stdout, stderr with the debug log, plan
// files, state files, its backup, every file in the directory) for the
// client secret, the bearer token, the sensitive value and the registry
// passwords the action answered with: zero hits.
func TestSecretsNeverLeak(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(s.provider()+secretsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var outputs []string
	run := func(want int, args ...string) binResult {
		t.Helper()
		cmd, out, errb := s.command(dir, args...)
		cmd.Env = append(cmd.Env, "AZAPPLY_VAR_admin_password="+knownPassword)
		err := cmd.Run()
		code := 0
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		r := binResult{stdout: out.String(), stderr: errb.String(), code: code}
		if code != want {
			t.Fatalf("azapply %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, r.stdout, tail(r.stderr, 3000))
		}
		outputs = append(outputs, "azapply "+strings.Join(args, " ")+"\x00"+r.stdout+"\x00"+r.stderr)
		return r
	}

	for _, f := range []string{"text", "markdown", "json"} {
		run(exitChanges, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	run(exitOK, "plan", "--no-color", "--out", "first.plan")
	for _, f := range []string{"text", "markdown", "json"} {
		run(exitOK, "show", "--no-color", "--format", f, "first.plan")
	}
	run(exitOK, "apply", "--no-color", "first.plan")
	// A second configuration change, applied with JSON progress.
	editFile(t, filepath.Join(dir, "main.hcl"), `sku        = { name = "Basic" }`, `sku        = { name = "Standard" }`)
	run(exitOK, "apply", "--auto-approve", "--format", "json")
	for _, f := range []string{"text", "markdown", "json"} {
		run(exitOK, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	run(exitOK, "plan", "--no-color", "--out", "second.plan")
	for _, f := range []string{"text", "markdown", "json"} {
		run(exitOK, "show", "--no-color", "--format", f, "second.plan")
	}
	run(exitOK, "drift", "--no-color")
	run(exitOK, "state", "list")
	run(exitOK, "state", "show", "resource.acr")
	run(exitOK, "state", "show", "resource.rg")
	run(exitOK, "state", "pull")
	// A failing command prints its error: the secret must not be in it.
	// (A location change is planned as a replace; update_in_place makes
	// apply send it in place, which ARM refuses.)
	editFile(t, filepath.Join(dir, "main.hcl"), `location   = "westus"`, `location   = "eastus"`)
	editFile(t, filepath.Join(dir, "main.hcl"), `api_version = "2023-07-01"`, `api_version = "2023-07-01"
  update_in_place = ["location"]`)
	run(exitError, "apply", "--auto-approve", "--no-color")

	// A variables file whose sensitive value has the wrong type: the
	// diagnostic gives the place, not the line.
	if err := os.WriteFile(filepath.Join(dir, "bad.vars"), []byte("admin_password = [\""+knownPassword+"\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(exitError, "plan", "--no-color", "--var-file", "bad.vars"); !strings.Contains(r.stderr, "bad.vars:1:") {
		t.Errorf("the diagnostic does not give the place:\n%s", r.stderr)
	}
	if err := os.Remove(filepath.Join(dir, "bad.vars")); err != nil {
		t.Fatal(err)
	}

	needles := map[string]string{
		"client secret":   knownClientSecret,
		"bearer token":    knownToken,
		"sensitive value": knownPassword,
	}
	for i, pw := range registryPasswords(t, s, stackRG+"/providers/Microsoft.ContainerRegistry/registries/secretacr") {
		needles["registry password "+string(rune('1'+i))] = pw
	}

	for _, o := range outputs {
		parts := strings.SplitN(o, "\x00", 3)
		for what, needle := range needles {
			if strings.Contains(parts[1], needle) {
				t.Errorf("%s printed the %s on stdout", parts[0], what)
			}
			if strings.Contains(parts[2], needle) {
				t.Errorf("%s printed the %s on stderr (the debug log goes there)", parts[0], what)
			}
		}
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "main.hcl" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if name := d.Name(); strings.HasSuffix(name, ".plan") || strings.HasPrefix(name, "azapply.state.json") {
			if info, err := d.Info(); err == nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v: plans and states are for their owner only (0600)", path, info.Mode().Perm())
			}
		}
		for what, needle := range needles {
			if bytes.Contains(data, []byte(needle)) {
				t.Errorf("%s holds the %s", path, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Errorf("searched %d files; expected at least the state, its backup and the plans", files)
	}
	// The search itself must be able to fail: the value did reach Azure,
	// and the debug log did run.
	if res, ok := s.em.Resource(stackRG + "/providers/Microsoft.ContainerRegistry/registries/secretacr"); !ok ||
		res.Body["tags"].(map[string]any)["note"] != knownPassword {
		t.Error("the sensitive value never reached the emulator: the search proves nothing")
	}
	if !strings.Contains(strings.Join(outputs, ""), "arm: response") {
		t.Error("no debug log was written: AZAPPLY_LOG=debug did nothing")
	}
}

// registryPasswords asks the emulator for the registry's current
// passwords, which the action's answer carried.
func registryPasswords(t *testing.T, s *servedEmulator, acr string) []string {
	t.Helper()
	pem, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequestWithContext(context.Background(), "POST", s.srv.URL+acr+"/listCredentials?api-version=2023-07-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+knownToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var creds struct {
		Passwords []struct{ Value string } `json:"passwords"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&creds); err != nil || len(creds.Passwords) == 0 {
		t.Fatalf("listCredentials: %v %v", resp.Status, err)
	}
	var out []string
	for _, p := range creds.Passwords {
		out = append(out, p.Value)
	}
	return out
}
