package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// writes counts the requests in the emulator's log that change something.
func writes(em *emulator.Server) int {
	n := 0
	for _, e := range em.RequestLog() {
		switch {
		case e.Method == "PUT" || e.Method == "PATCH" || e.Method == "DELETE":
			n++
		case e.Method == "POST" && !strings.Contains(e.Path, "/oauth2/"):
			n++ // an action; a token request is no write
		}
	}
	return n
}

// groupsIn lists the resource groups in the emulator's world.
func groupsIn(em *emulator.Server) []string {
	var out []string
	for _, id := range em.IDs() {
		if regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+$`).MatchString(id) {
			out = append(out, id)
		}
	}
	return out
}

// adopt exports the groups of the served emulator into a new directory,
// as someone adopting them would, and checks that the first plan only
// imports, that apply sends no write and records every resource, that
// the next plan has no change and that fmt finds nothing to change. It
// returns the directory and what export printed.
func adopt(t *testing.T, s *servedEmulator, from string, groups []string) (string, binResult) {
	t.Helper()
	args := []string{}
	for _, g := range groups {
		args = append(args, "--resource-group", g)
	}
	out, exp, reason := adoptSteps(t, s, from, args)
	if reason != "" {
		t.Fatal(reason)
	}
	return out, exp
}

// adoptSteps is adopt with the selection flags given, saying why the
// adoption is not clean instead of failing ("" when it is). Writes to
// Azure and secrets in clear fail the test in any case.
func adoptSteps(t *testing.T, s *servedEmulator, from string, selection []string) (string, binResult, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "adopted")
	var env []string
	var printed strings.Builder
	run := func(dir string, args ...string) binResult {
		cmd, stdout, stderr := s.command(dir, args...)
		cmd.Env = append(cmd.Env, env...)
		err := cmd.Run()
		code := 0
		if ee, ok := err.(interface{ ExitCode() int }); ok && err != nil {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("running azapply %v: %v", args, err)
		}
		printed.WriteString(stdout.String() + stderr.String())
		return binResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
	}
	before := writes(s.em)
	exp := run(from, append([]string{"export", "--out", out}, selection...)...)
	if exp.code != exitOK {
		return out, exp, "export failed: " + errLine(exp.stderr)
	}
	secrets := secretValues(t, s.em, out)
	for name, v := range secrets {
		env = append(env, "AZAPPLY_VAR_"+name+"="+v)
	}
	defer func() {
		if n := writes(s.em) - before; n != 0 {
			t.Errorf("export, init, plan and apply sent %d writes, want none", n)
		}
		for _, v := range secrets {
			if len(v) < 8 {
				continue // too short to tell apart from other text ("value")
			}
			if strings.Contains(printed.String(), v) {
				t.Errorf("export, plan or apply printed a secret in clear")
			}
			if files := filesHolding(t, out, v); len(files) > 0 {
				t.Errorf("a secret is in clear in %q", files)
			}
		}
	}()
	if r := run(out, "init"); r.code != exitOK {
		return out, exp, "init failed: " + errLine(r.stderr)
	}
	r := run(out, "plan", "--detailed-exitcode", "--no-color")
	m := regexp.MustCompile(`Plan: (\d+) to import, 0 to add, 0 to change, 0 to destroy\.`).FindStringSubmatch(r.stdout)
	if r.code != exitChanges || m == nil {
		return out, exp, fmt.Sprintf("the first plan does more than import (exit %d): %s", r.code, planGist(r))
	}
	if r = run(out, "apply", "--auto-approve"); r.code != exitOK {
		return out, exp, "apply failed: " + errLine(r.stderr)
	}
	r = run(out, "state", "list")
	if got := strings.Count(r.stdout, "resource."); got != atoi(m[1]) {
		return out, exp, fmt.Sprintf("the state records %d resources, the plan imported %s", got, m[1])
	}
	if r = run(out, "plan", "--detailed-exitcode", "--no-color"); r.code != exitOK {
		return out, exp, fmt.Sprintf("the plan after the imports is not clean (exit %d): %s", r.code, planGist(r))
	}
	if r = run(out, "fmt", "--check"); r.code != exitOK {
		return out, exp, "fmt --check fails: " + errLine(r.stdout+r.stderr)
	}
	return out, exp, ""
}

// errLine is the error a run printed (its debug log left aside).
func errLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(l, "Error: "); ok {
			return rest
		}
	}
	return strings.TrimSpace(s)
}

// planGist is the lines of a plan that say what changes, or its error.
func planGist(r binResult) string {
	if r.code == exitError {
		return errLine(r.stderr)
	}
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		tl := strings.TrimSpace(l)
		if strings.HasPrefix(tl, "~ ") || strings.HasPrefix(tl, "+ ") || strings.HasPrefix(tl, "- ") || strings.HasPrefix(tl, "Plan:") || strings.HasPrefix(tl, "# ") && !strings.HasSuffix(tl, "will be imported") {
			lines = append(lines, tl)
		}
	}
	return strings.Join(lines, "; ")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// servedExample copies an example and points its provider at the served
// emulator instead of the embedded one.
func servedExample(t *testing.T, s *servedEmulator, name string) string {
	t.Helper()
	dir := example(t, name)
	path := filepath.Join(dir, "main.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^  endpoint\s*=\s*"emulator".*$`)
	if !re.Match(b) {
		t.Fatalf("%s has no endpoint = \"emulator\" line", name)
	}
	b = re.ReplaceAll(b, []byte(`  metadata_endpoint = "`+s.srv.URL+`/metadata/endpoints?api-version=2015-01-01"`))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestExportExamplesPlanClean: each example's resources, applied, then
// exported into a new directory: the first plan there only imports, apply
// sends no write, the next plan is clean.
func TestExportExamplesPlanClean(t *testing.T) {
	for _, name := range []string{"quickstart", "container-registry", "network", "web-app", "import", "language-tour"} {
		t.Run(name, func(t *testing.T) {
			s := serveLoopback(t, emulator.Options{})
			dir := servedExample(t, s, name)
			if name == "import" {
				// The group it adopts exists before it runs.
				putServed(t, s, sub+"/resourceGroups/legacy-rg", map[string]any{"location": "westus", "tags": map[string]any{"owner": "platform"}})
			}
			s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
			groups := groupsIn(s.em)
			if len(groups) == 0 {
				t.Fatalf("the example made no resource group")
			}
			adopt(t, s, dir, groups)
		})
	}
}

// putServed creates a resource in the served emulator directly, as someone
// in the portal would, and fails the test unless it was created.
func putServed(t *testing.T, s *servedEmulator, id string, body map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, "https://emulator.invalid"+id+"?api-version="+putVersion(id), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+knownToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: s.em.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT %s: %s %s", id, resp.Status, msg)
	}
}

// putVersion is an api-version for a PUT made directly in the emulator.
func putVersion(id string) string {
	if regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+$`).MatchString(id) {
		return "2021-04-01"
	}
	return "2024-07-01"
}

// secretValues reads the variables export declared for secrets and finds
// each one's live value in the emulator, as the person adopting the
// resources would find it in the portal.
func secretValues(t *testing.T, em *emulator.Server, out string) map[string]string {
	t.Helper()
	vars, err := os.ReadFile(filepath.Join(out, "variables.hcl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(out, "*.hcl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`to = (resource\.\S+)\n\s*id = "([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = m[2]
		}
	}
	values := map[string]string{}
	for _, m := range regexp.MustCompile(`variable "([^"]+)" \{\n\s*description = "(\S+) of (resource\.\S+)"`).FindAllStringSubmatch(string(vars), -1) {
		res, ok := em.Resource(ids[m[3]])
		if !ok {
			t.Fatalf("variable %s names %s, which is not imported", m[1], m[3])
		}
		v, ok := digPath(res.Body, m[2]).(string)
		if !ok {
			t.Fatalf("variable %s: %s of %s is not a string in the emulator", m[1], m[2], ids[m[3]])
		}
		values[m[1]] = v
	}
	return values
}

// digPath is the value at a body path (members by dots, elements as [i]).
func digPath(v any, path string) any {
	for _, seg := range regexp.MustCompile(`[^.\[\]]+|\[\d+\]`).FindAllString(path, -1) {
		if strings.HasPrefix(seg, "[") {
			arr, _ := v.([]any)
			i := atoi(strings.Trim(seg, "[]"))
			if i >= len(arr) {
				return nil
			}
			v = arr[i]
			continue
		}
		m, _ := v.(map[string]any)
		v = m[seg]
	}
	return v
}

// filesHolding lists the files under dir that contain s.
func filesHolding(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), s) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestExportSecretsNeverInClear: a value that looks secret becomes a
// sensitive variable, a value the service never returns a comment; with
// the variable given, the adopted configuration plans only imports, and the
// secret is in no file, state or output.
func TestExportSecretsNeverInClear(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	rg := "/subscriptions/" + stackSub + "/resourceGroups/secrets"
	const clear = "pw-Adopted-In-Clear-7731"
	putServed(t, s, rg, map[string]any{"location": "westus"})
	putServed(t, s, rg+"/providers/Microsoft.Batch/batchAccounts/batch1", map[string]any{"location": "westus",
		"properties": map[string]any{"adminPassword": clear, "poolAllocationMode": "BatchService"}})
	vault := rg + "/providers/Microsoft.KeyVault/vaults/vault1"
	putServed(t, s, vault, map[string]any{"location": "westus", "properties": map[string]any{"tenantId": stackSub}})
	putServed(t, s, vault+"/secrets/db", map[string]any{"properties": map[string]any{"value": "never-returned-value-55"}})
	from := t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "main.hcl"), []byte(s.provider()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, exp := adopt(t, s, from, []string{rg})
	exp.mustContain(t, "resource.db: left out properties.value: the service never returns it",
		"1 values look secret and were not written; variables.hcl declares a sensitive variable for each",
		"batch1_adminPassword (properties.adminPassword of resource.batch1)")
	if files := filesHolding(t, out, clear); len(files) > 0 {
		t.Errorf("the secret is in clear in %q", files)
	}
	vars, _ := os.ReadFile(filepath.Join(out, "variables.hcl"))
	if !strings.Contains(string(vars), "sensitive   = true") {
		t.Errorf("variables.hcl:\n%s", vars)
	}
}
