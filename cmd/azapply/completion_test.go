package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// everyCommand is every command and subcommand, as the words that name it.
func everyCommand() [][]string {
	var all [][]string
	for _, c := range commands(testFactory()) {
		subs := subcommandsOf(c.name)
		if len(subs) == 0 || c.name == "completion" {
			all = append(all, []string{c.name})
			continue
		}
		for _, sub := range subs {
			all = append(all, []string{c.name, sub[0]})
		}
	}
	return all
}

// TestHelpListsEveryFlag checks that COMMAND --help exits 0 and shows an
// example and every flag the command parses, each with an explanation.
func TestHelpListsEveryFlag(t *testing.T) {
	for _, path := range everyCommand() {
		t.Run(strings.Join(path, "_"), func(t *testing.T) {
			r := runCmd(t, "", append(append([]string{}, path...), "--help")...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s%s", r.code, r.out, r.err)
			}
			help := r.out + r.err
			if !strings.Contains(help, "Usage: azapply "+strings.Join(path, " ")) {
				t.Errorf("no usage line:\n%s", help)
			}
			if !strings.Contains(help, "Example") {
				t.Errorf("no example:\n%s", help)
			}
			for _, f := range commandFlags(path) {
				if f.Usage == "" {
					t.Errorf("--%s has no explanation", f.Name)
				}
				if !strings.Contains(help, "--"+f.Name) {
					t.Errorf("--help does not list --%s:\n%s", f.Name, help)
				}
			}
		})
	}
	if r := runCmd(t, "", "help", "state", "rm"); r.code != exitOK || !strings.Contains(r.err, "Usage: azapply state rm") {
		t.Errorf("azapply help state rm: exit %d\n%s", r.code, r.err)
	}
	r := runCmd(t, "", "--help")
	if r.code != exitOK {
		t.Fatalf("azapply --help: exit %d", r.code)
	}
	for _, c := range commands(testFactory()) {
		if !strings.Contains(r.out, "  "+c.name+" ") {
			t.Errorf("azapply --help does not list %s", c.name)
		}
	}
	if !strings.Contains(r.out, "Examples:") {
		t.Errorf("azapply --help has no examples:\n%s", r.out)
	}
}

func TestUnknownFlagSuggests(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--detailed-exitcod"}, "Did you mean --detailed-exitcode?"},
		{[]string{"plan", "-detailed-exitcode"}, "Did you mean --detailed-exitcode?"},
		{[]string{"apply", "--auto-aprove"}, "Did you mean --auto-approve?"},
		{[]string{"apply", "--autoapprove"}, "Did you mean --auto-approve?"},
		{[]string{"drift", "--formt=json"}, "Did you mean --format?"},
		{[]string{"state", "list", "--chdri", "x"}, "Did you mean --chdir?"},
		{[]string{"emulator", "serve", "--adr", "127.0.0.1:0"}, "Did you mean --addr?"},
		{[]string{"init", "--migrate"}, "Did you mean --migrate-state?"},
		{[]string{"version", "--verbose"}, "unknown flag: --verbose"},
		{[]string{"state", "lst"}, "Did you mean 'state list'?"},
		{[]string{"emulator", "serv"}, "Did you mean 'emulator serve'?"},
		{[]string{"completion", "bsh"}, `Did you mean "bash"?`},
		{[]string{"destory"}, `Did you mean "destroy"?`},
		{[]string{"--versoin"}, "Did you mean --version?"},
		{[]string{"--chdir", "x", "plan"}, "Flags go after the command"},
	}
	for _, tc := range tests {
		r := runCmd(t, "", tc.args...)
		if r.code != exitError || !strings.Contains(r.err, tc.want) {
			t.Errorf("azapply %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(tc.args, " "), r.code, r.err, tc.want)
		}
	}
	// A flag far from every flag gets no wild guess, but still a pointer.
	r := runCmd(t, "", "plan", "--frobnicate-everything")
	if r.code != exitError || strings.Contains(r.err, "Did you mean") || !strings.Contains(r.err, "azapply plan --help") {
		t.Errorf("plan --frobnicate-everything: exit %d, stderr %q", r.code, r.err)
	}
}

// TestInitStarter runs init in an empty directory, then plans and applies
// the starter configuration on the emulator.
func TestInitStarter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-stack")
	r := runCmd(t, "", "init", "--chdir", dir)
	if r.code != exitOK || !strings.Contains(r.out, "Wrote a starter configuration") {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	for _, f := range []string{starterFile, ".gitignore", backendRecordFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	if r := runCmd(t, "", "fmt", "--check", dir); r.code != exitOK {
		t.Errorf("the starter configuration is not formatted: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "validate", "--chdir", dir); r.code != exitOK {
		t.Errorf("validate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = runCmd(t, "", "plan", "--chdir", dir, "--detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan of the starter: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "apply", "--chdir", dir, "--auto-approve"); r.code != exitOK {
		t.Fatalf("apply of the starter: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "plan", "--chdir", dir, "--detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after apply: exit %d\n%s%s", r.code, r.out, r.err)
	}

	// A second init keeps the configuration as it is.
	edited := []byte("# mine\n" + starterConfig)
	if err := os.WriteFile(filepath.Join(dir, starterFile), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "init", "--chdir", dir)
	if r.code != exitOK || strings.Contains(r.out, "Wrote") {
		t.Fatalf("second init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, starterFile)); string(got) != string(edited) {
		t.Fatal("a second init changed main.hcl")
	}
}

// TestInitStarterKeepsOtherFiles: a directory with no .hcl file but with
// a .gitignore of its own gets main.hcl, and its .gitignore is left alone.
func TestInitStarterKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "init", "--chdir", dir); r.code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(got) != "mine\n" {
		t.Errorf(".gitignore was changed to %q", got)
	}
	// A configuration in JSON syntax is a configuration too.
	jsonDir := t.TempDir()
	cfg := `{"provider": {"subscription_id": "00000000-0000-0000-0000-000000000000", "endpoint": "emulator"}}`
	if err := os.WriteFile(filepath.Join(jsonDir, "main.hcl.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "init", "--chdir", jsonDir); r.code != exitOK || strings.Contains(r.out, "Wrote") {
		t.Errorf("init beside main.hcl.json: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if _, err := os.Stat(filepath.Join(jsonDir, starterFile)); err == nil {
		t.Error("init wrote main.hcl beside a main.hcl.json configuration")
	}
	// --migrate-state never writes a starter: there is nothing to migrate.
	empty := t.TempDir()
	if r := runCmd(t, "", "init", "--migrate-state", "--chdir", empty); r.code != exitError {
		t.Errorf("init --migrate-state in an empty directory: exit %d", r.code)
	}
	if _, err := os.Stat(filepath.Join(empty, starterFile)); err == nil {
		t.Error("init --migrate-state wrote a starter configuration")
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range completionShells {
		r := runCmd(t, "", "completion", shell)
		if r.code != exitOK {
			t.Fatalf("completion %s: exit %d\n%s", shell, r.code, r.err)
		}
		for _, path := range everyCommand() {
			if !strings.Contains(r.out, path[len(path)-1]) {
				t.Errorf("the %s script lacks the command %v", shell, path)
			}
			for _, f := range commandFlags(path) {
				if !strings.Contains(r.out, f.Name) {
					t.Errorf("the %s script lacks --%s of %v", shell, f.Name, path)
				}
			}
		}
		if _, err := exec.LookPath(shell); err == nil {
			check := exec.Command(shell, "-n", "/dev/stdin")
			check.Stdin = strings.NewReader(r.out)
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("%s -n rejects the script: %v\n%s", shell, err, out)
			}
		}
	}
}

// TestBashCompletionCompletes runs the bash script's function on command
// lines and checks what it offers.
func TestBashCompletionCompletes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	script := runCmd(t, "", "completion", "bash").out
	tests := []struct {
		line string // the words, the last one being completed
		want []string
		not  []string
	}{
		{"azapply pl", []string{"plan"}, []string{"apply"}},
		{"azapply plan --det", []string{"--detailed-exitcode"}, nil},
		{"azapply plan --chdir x --f", []string{"--format"}, nil},
		{"azapply apply --auto", []string{"--auto-approve"}, nil},
		{"azapply state ", []string{"list", "show", "rm", "mv", "pull", "push"}, []string{"plan"}},
		{"azapply state rm --ch", []string{"--chdir"}, nil},
		{"azapply emulator serve --thr", []string{"--throttle"}, nil},
		{"azapply completion ", []string{"bash", "zsh", "fish"}, nil},
	}
	for _, tc := range tests {
		words := strings.Split(tc.line, " ")
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shellQuote(w)
		}
		prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_azapply\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		got := strings.Fields(string(out))
		checkCompletions(t, tc.line, got, tc.want, tc.not)
	}
}

// TestFishCompletionCompletes asks fish itself what the script completes.
func TestFishCompletionCompletes(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed")
	}
	script := filepath.Join(t.TempDir(), "azapply.fish")
	if err := os.WriteFile(script, []byte(runCmd(t, "", "completion", "fish").out), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want []string
		not  []string
	}{
		{"azapply pl", []string{"plan"}, []string{"apply"}},
		{"azapply plan --det", []string{"--detailed-exitcode"}, nil},
		{"azapply state ", []string{"list", "rm", "push"}, []string{"plan"}},
		{"azapply state rm --ch", []string{"--chdir"}, nil},
		{"azapply emulator serve --thr", []string{"--throttle"}, nil},
		{"azapply plan --", []string{"--out", "--var"}, []string{"--auto-approve"}},
	}
	for _, tc := range tests {
		cmd := exec.Command("fish", "--no-config", "-c", "source "+shellQuote(script)+"; complete -C "+shellQuote(tc.line))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			w, _, _ := strings.Cut(l, "\t")
			got = append(got, w)
		}
		checkCompletions(t, tc.line, got, tc.want, tc.not)
	}
}

// TestZshCompletionCompletes runs the zsh script's function with zsh's
// completion helpers (_describe, _files) replaced by ones that print what
// they are offered.
func TestZshCompletionCompletes(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed")
	}
	script := filepath.Join(t.TempDir(), "_azapply")
	if err := os.WriteFile(script, []byte(runCmd(t, "", "completion", "zsh").out), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words []string
		want  []string
		not   []string
	}{
		{[]string{"azapply", "pl"}, []string{"plan", "apply"}, nil},
		{[]string{"azapply", "plan", "--det"}, []string{"--detailed-exitcode", "--out"}, []string{"--auto-approve"}},
		{[]string{"azapply", "state", ""}, []string{"list", "rm", "push"}, []string{"plan"}},
		{[]string{"azapply", "state", "rm", "--"}, []string{"--chdir"}, []string{"--auto-approve"}},
		{[]string{"azapply", "emulator", "serve", "--"}, []string{"--throttle", "--addr"}, nil},
		{[]string{"azapply", "show", ""}, []string{"FILES"}, nil},
	}
	for _, tc := range tests {
		quoted := make([]string, len(tc.words))
		for i, w := range tc.words {
			quoted[i] = shellQuote(w)
		}
		prog := `compdef(){ :; }; _describe(){ print -l -- "${(@P)${@[-1]}}"; }; _files(){ print FILES; }; source ` + shellQuote(script) +
			"; words=(" + strings.Join(quoted, " ") + "); CURRENT=" + strconv.Itoa(len(tc.words)) +
			"; PREFIX=" + shellQuote(tc.words[len(tc.words)-1]) + "; _azapply"
		out, err := exec.Command("zsh", "-f", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.words, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			w, _, _ := strings.Cut(l, ":")
			got = append(got, w)
		}
		checkCompletions(t, strings.Join(tc.words, " "), got, tc.want, tc.not)
	}
}

// checkCompletions checks that what a shell offered for line holds every
// word of want and none of not.
func checkCompletions(t *testing.T, line string, got, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%q completes to %v, which lacks %s", line, got, w)
		}
	}
	for _, w := range not {
		if slices.Contains(got, w) {
			t.Errorf("%q completes to %v, which should not hold %s", line, got, w)
		}
	}
}
