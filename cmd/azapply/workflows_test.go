package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
)

// workflow is a GitHub Actions workflow file, parsed.
type workflow struct {
	file string
	doc  map[string]any
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	file := filepath.Join("..", "..", "examples", "github-actions", name)
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ctyyaml.Standard.Unmarshal(src, cty.DynamicPseudoType)
	if err != nil {
		t.Fatalf("%s is not valid YAML: %v", file, err)
	}
	raw, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct{ Value map[string]any }
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		t.Fatal(err)
	}
	return workflow{file: file, doc: wrapped.Value}
}

// triggers is the workflow's "on:" map. go-cty-yaml reads YAML 1.1, where a
// bare on is the boolean true; GitHub reads it as the key "on".
func (w workflow) triggers() map[string]any {
	for _, k := range []string{"on", "true"} {
		if m, ok := w.doc[k].(map[string]any); ok {
			return m
		}
	}
	return nil
}

// get walks keys down the document; "" when absent.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// steps are the steps of every job, with the job's env merged under each
// step's own and the workflow's.
type step struct {
	job  string
	name string
	uses string
	run  string
	with map[string]any
	env  map[string]string
	cond string
}

func (w workflow) steps() []step {
	var out []step
	jobs, _ := w.doc["jobs"].(map[string]any)
	for jobName, j := range jobs {
		env := map[string]string{}
		for _, src := range []any{w.doc["env"], get(j, "env")} {
			m, _ := src.(map[string]any)
			for k, v := range m {
				env[k] = fmt.Sprint(v)
			}
		}
		list, _ := get(j, "steps").([]any)
		for _, s := range list {
			st := step{job: jobName, name: str(get(s, "name")), uses: str(get(s, "uses")), run: str(get(s, "run")),
				cond: str(get(s, "if")), env: map[string]string{}}
			st.with, _ = get(s, "with").(map[string]any)
			for k, v := range env {
				st.env[k] = v
			}
			m, _ := get(s, "env").(map[string]any)
			for k, v := range m {
				st.env[k] = fmt.Sprint(v)
			}
			out = append(out, st)
		}
	}
	return out
}

// azapplyLines are the azapply command lines of every run script.
func (w workflow) azapplyLines() []step {
	var out []step
	for _, s := range w.steps() {
		for _, line := range strings.Split(s.run, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "azapply ") {
				c := s
				c.run = line
				out = append(out, c)
			}
		}
	}
	return out
}

// findRun is the step whose run script holds every one of want.
func (w workflow) findRun(t *testing.T, want ...string) step {
	t.Helper()
	for _, s := range w.azapplyLines() {
		ok := true
		for _, x := range want {
			ok = ok && strings.Contains(s.run, x)
		}
		if ok {
			return s
		}
	}
	t.Fatalf("%s runs no command with %q", w.file, want)
	return step{}
}

func (w workflow) hasScript(want ...string) bool {
	for _, s := range w.steps() {
		script := str(s.with["script"])
		ok := strings.HasPrefix(s.uses, "actions/github-script@")
		for _, x := range want {
			ok = ok && strings.Contains(script, x)
		}
		if ok {
			return true
		}
	}
	return false
}

// checkOnDrift checks what a drift job does when azapply exits 2: it
// keeps the report (an artifact at path), opens or updates an issue, and
// fails the job.
func (w workflow) checkOnDrift(t *testing.T, path string) {
	t.Helper()
	var artifact, issue, fail bool
	for _, st := range w.steps() {
		exit2 := strings.Contains(st.cond, "exitcode == '2'")
		artifact = artifact || (exit2 && strings.HasPrefix(st.uses, "actions/upload-artifact@") && str(st.with["path"]) == path)
		issue = issue || (exit2 && strings.Contains(str(st.with["script"]), "issues.create") && strings.Contains(str(st.with["script"]), "issues.update"))
		fail = fail || (exit2 && regexp.MustCompile(`(?m)^\s*exit 1\s*$`).MatchString(st.run))
	}
	if !artifact || !issue || !fail {
		t.Errorf("on exit 2: report artifact %v, issue opened or updated %v, job fails %v; want all three", artifact, issue, fail)
	}
}

func (w workflow) uses(prefix string) []step {
	var out []step
	for _, s := range w.steps() {
		if strings.HasPrefix(s.uses, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// checkOIDC checks what signing in with GitHub's OIDC token needs: the
// id-token permission, and workload identity for every azapply command.
func checkOIDC(t *testing.T, w workflow) {
	t.Helper()
	if p := str(get(w.doc, "permissions", "id-token")); p != "write" {
		t.Errorf("%s: permissions.id-token is %q, want write (for the OIDC token)", w.file, p)
	}
	for _, s := range w.azapplyLines() {
		if got := s.env["AZAPPLY_AUTH"]; got != arm.AuthWorkloadIdentity {
			t.Errorf("%s: %q runs with AZAPPLY_AUTH=%q, want %q", w.file, s.run, got, arm.AuthWorkloadIdentity)
		}
		// The variables are the ones azapply reads: what the step's
		// environment gives armSettings is a complete workload identity.
		got := armSettings(config.Provider{}, func(k string) string { return s.env[k] })
		if got.Auth != arm.AuthWorkloadIdentity || got.ClientID == "" || got.TenantID == "" || got.FederatedTokenFile == "" {
			t.Errorf("%s: %q: its environment gives azapply %v; want workload identity with a client, a tenant and a token file", w.file, s.run, got)
		}
	}
	if !w.hasScript("core.getIDToken(", "AZURE_FEDERATED_TOKEN_FILE") && !w.hasScript("core.getIDToken(", "azure-oidc-token") {
		t.Errorf("%s: no step writes the GitHub OIDC token to the federated token file", w.file)
	}
}

func TestWorkflowPlanOnPullRequest(t *testing.T) {
	w := readWorkflow(t, "plan-on-pull-request.yml")
	if get(w.triggers(), "pull_request") == nil {
		t.Errorf("%s does not run on pull_request", w.file)
	}
	checkOIDC(t, w)
	if p := str(get(w.doc, "permissions", "pull-requests")); p != "write" {
		t.Errorf("permissions.pull-requests is %q, want write (to comment)", p)
	}
	s := w.findRun(t, "azapply plan", "--format markdown", "--out plan.bin", "--detailed-exitcode")
	if !strings.Contains(s.run, "> plan.md") {
		t.Errorf("the plan's markdown is not kept for the comment: %q", s.run)
	}
	if len(w.uses("actions/upload-artifact@")) == 0 {
		t.Error("the saved plan is not uploaded for the apply-on-merge workflow")
	}
	if !w.hasScript("updateComment", "createComment", "plan.md") {
		t.Error("no step posts the plan as one comment, updated on later pushes")
	}
}

func TestWorkflowApplyOnMerge(t *testing.T) {
	w := readWorkflow(t, "apply-on-merge.yml")
	checkOIDC(t, w)
	types, _ := get(w.triggers(), "pull_request", "types").([]any)
	if len(types) != 1 || types[0] != "closed" {
		t.Errorf("on.pull_request.types = %v, want [closed]", types)
	}
	job := false
	for _, j := range get(w.doc, "jobs").(map[string]any) {
		job = job || strings.Contains(str(get(j, "if")), "github.event.pull_request.merged == true")
	}
	if !job {
		t.Error("the apply job does not run only for merged pull requests")
	}
	if co := w.uses("actions/checkout@"); len(co) != 1 || str(co[0].with["ref"]) != "${{ github.event.pull_request.merge_commit_sha }}" {
		t.Error("the apply job does not check out the merged commit")
	}
	if len(w.uses("actions/download-artifact@")) == 0 {
		t.Error("the reviewed plan is not downloaded")
	}
	s := w.findRun(t, "azapply apply", "plan.bin")
	if strings.Contains(s.run, "--auto-approve") {
		t.Errorf("%q: a saved plan needs no --auto-approve; with it the command reads as if it planned anew", s.run)
	}
	if get(w.doc, "concurrency") == nil {
		t.Error("applies of one stack may run at once: no concurrency group")
	}
}

func TestWorkflowDriftSchedule(t *testing.T) {
	w := readWorkflow(t, "drift-schedule.yml")
	checkOIDC(t, w)
	if crons, _ := get(w.triggers(), "schedule").([]any); len(crons) == 0 {
		t.Error("the drift workflow has no schedule")
	}
	var stacks []any
	for _, j := range get(w.doc, "jobs").(map[string]any) {
		if s, ok := get(j, "strategy", "matrix", "stack").([]any); ok {
			stacks = s
		}
	}
	if len(stacks) < 2 {
		t.Errorf("the drift job runs over %d stacks, want several (a matrix)", len(stacks))
	}
	s := w.findRun(t, "azapply drift", "--format json", "--detailed-exitcode")
	if !strings.Contains(s.run, "> drift.json") {
		t.Errorf("the JSON report is not kept: %q", s.run)
	}
	w.checkOnDrift(t, "drift.json")
}

// TestWorkflowCommandLines checks that every azapply command line in the
// workflows names a command and flags that exist.
func TestWorkflowCommandLines(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "github-actions", "*.yml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	n := 0
	for _, f := range files {
		w := readWorkflow(t, filepath.Base(f))
		for _, s := range w.azapplyLines() {
			n++
			if err := checkCommandLine(s.run); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	if n < 3 {
		t.Errorf("found %d azapply command lines in the workflows, want at least 3", n)
	}
}

// checkCommandLine checks that line (azapply COMMAND [SUB] ARGS...) names a
// command and only flags that command has.
func checkCommandLine(line string) error {
	words := shellWords(line)
	if len(words) < 2 || words[0] != "azapply" {
		return fmt.Errorf("%q is not an azapply command line", line)
	}
	path := []string{words[1]}
	if subs := subcommandsOf(words[1]); len(subs) > 0 && len(words) > 2 {
		path = append(path, words[2])
	}
	found := false
	for _, c := range commands(testFactory()) {
		found = found || c.name == path[0]
	}
	if !found {
		return fmt.Errorf("%q: no command %q", line, path[0])
	}
	flags := map[string]bool{"help": true}
	for _, f := range commandFlags(path) {
		flags[f.Name] = true
	}
	for _, w := range words[1:] {
		if w == ">" || strings.HasPrefix(w, ">") || w == "|" {
			break
		}
		if !strings.HasPrefix(w, "--") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		if !flags[name] {
			return fmt.Errorf("%q: 'azapply %s' has no flag --%s", line, strings.Join(path, " "), name)
		}
	}
	return nil
}

// shellWords splits a command line into words the way a POSIX shell would
// for the simple lines of the docs: single and double quotes, no
// expansions, and a trailing "\" joining lines.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\':
			// a line continuation (or an escape): dropped
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`azapply plan --chdir "$STACK" --out plan.bin`, []string{"azapply", "plan", "--chdir", "$STACK", "--out", "plan.bin"}},
		{`azapply plan --var 'tiers=["a","b"]'  # comment`, []string{"azapply", "plan", "--var", `tiers=["a","b"]`}},
		{`azapply apply \`, []string{"azapply", "apply"}},
		{`azapply plan --var x="a b"`, []string{"azapply", "plan", "--var", "x=a b"}},
	}
	for _, tc := range tests {
		got := shellWords(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("shellWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckCommandLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{"azapply plan --format markdown --out plan.bin --detailed-exitcode > plan.md", true},
		{"azapply plan --detailed-exitcodes", false},
		{"azapply state list --chdir x", true},
		{"azapply state list --auto-approve", false},
		{"azapply deploy", false},
	} {
		if err := checkCommandLine(tc.line); (err == nil) != tc.ok {
			t.Errorf("checkCommandLine(%q) = %v, want ok %v", tc.line, err, tc.ok)
		}
	}
}

// TestWorkflowCommandsRun runs the workflows' own azapply command lines, as
// written, on a stack on the emulator: the pull request's plan, the apply of
// that saved plan on merge, and the drift check after a change in the
// portal, reading their outputs as the workflows' scripts do.
func TestWorkflowCommandsRun(t *testing.T) {
	root := t.TempDir()
	if err := os.Rename(example(t, "quickstart"), filepath.Join(root, "infra")); err != nil {
		t.Fatal(err)
	}
	subst := strings.NewReplacer(`"$STACK"`, "infra", `"${{ matrix.stack }}"`, "infra")
	runLine := func(s step) (binResult, string) {
		t.Helper()
		words := shellWords(subst.Replace(s.run))
		var redirect string
		for i, w := range words {
			if w == ">" && i+1 < len(words) {
				redirect, words = words[i+1], words[:i]
				break
			}
		}
		r := azapply(t, root, words[1:]...)
		if redirect != "" {
			if err := os.WriteFile(filepath.Join(root, redirect), []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return r, redirect
	}

	planStep := readWorkflow(t, "plan-on-pull-request.yml").findRun(t, "azapply plan")
	r, out := runLine(planStep)
	r.mustExit(t, exitChanges)
	md, _ := os.ReadFile(filepath.Join(root, out))
	if !strings.Contains(string(md), "Plan:** 2 to add") || !strings.Contains(string(md), "<details>") {
		t.Errorf("%s is not the markdown plan:\n%s", out, md)
	}
	if _, err := os.Stat(filepath.Join(root, "plan.bin")); err != nil {
		t.Fatalf("the plan step wrote no plan.bin: %v", err)
	}

	applyStep := readWorkflow(t, "apply-on-merge.yml").findRun(t, "azapply apply")
	r, _ = runLine(applyStep)
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 2 added")

	azapply(t, root, "emulator", "change", "--chdir", "infra", "--id", quickstartACR,
		"--merge", `{"properties":{"publicNetworkAccess":"Disabled"}}`).mustExit(t, exitOK)
	driftStep := readWorkflow(t, "drift-schedule.yml").findRun(t, "azapply drift")
	r, out = runLine(driftStep)
	r.mustExit(t, exitChanges)
	raw, _ := os.ReadFile(filepath.Join(root, out))
	var report struct {
		Drift []struct {
			Address string `json:"address"`
		} `json:"drift"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", out, err, raw)
	}
	if len(report.Drift) != 1 || report.Drift[0].Address != "resource.registry" {
		t.Errorf("the drift report the issue is made from lists %+v, want resource.registry", report.Drift)
	}
}
