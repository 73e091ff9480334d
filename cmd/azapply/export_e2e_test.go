package main

import (
	"bytes"
	"encoding/json"
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
func adopt(t *testing.T, s *servedEmulator, from string, groups []string, env ...string) (string, binResult) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "adopted")
	args := []string{"export", "--out", out}
	for _, g := range groups {
		args = append(args, "--resource-group", g)
	}
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
	exp := run(from, args...)
	exp.mustExit(t, exitOK)
	secrets := secretValues(t, s.em, out)
	for name, v := range secrets {
		env = append(env, "AZAPPLY_VAR_"+name+"="+v)
	}
	defer func() {
		for _, v := range secrets {
			if len(v) < 4 {
				continue // too short to tell apart from anything else
			}
			if strings.Contains(exp.stdout+exp.stderr+printed.String(), v) {
				t.Errorf("export, plan or apply printed a secret in clear")
			}
			if files := filesHolding(t, out, v); len(files) > 0 {
				t.Errorf("a secret is in clear in %q", files)
			}
		}
	}()
	run(out, "init").mustExit(t, exitOK)
	r := run(out, "plan", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	m := regexp.MustCompile(`Plan: (\d+) to import, 0 to add, 0 to change, 0 to destroy\.`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("the first plan after export does more than import:\n%s\nexport said:\n%s", r.stdout, exp.stdout)
	}
	r = run(out, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	if n := writes(s.em) - before; n != 0 {
		t.Errorf("export, init, plan and apply sent %d writes, want none", n)
	}
	r = run(out, "state", "list")
	if got := len(strings.Fields(r.stdout)); got == 0 || r.stdout == "" {
		t.Errorf("the state records nothing after apply:\n%s%s", r.stdout, r.stderr)
	} else if m[1] != "" && strings.Count(r.stdout, "resource.") != atoi(m[1]) {
		t.Errorf("the state records %d resources, the plan imported %s:\n%s", strings.Count(r.stdout, "resource."), m[1], r.stdout)
	}
	r = run(out, "plan", "--detailed-exitcode")
	if r.code != exitOK {
		t.Errorf("the plan after the imports is not clean (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	run(out, "fmt", "--check").mustExit(t, exitOK)
	return out, exp
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
