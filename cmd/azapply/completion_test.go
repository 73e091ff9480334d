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

func TestCompletionOptions(t *testing.T) {
	testOptions(t, NewCmdCompletion, []optionsCase[completionOptions]{
		{name: "bash", args: []string{"bash"}, want: func(f *Factory) completionOptions { return completionOptions{factory: f, shell: "bash"} }},
		{name: "fish", args: []string{"fish"}, want: func(f *Factory) completionOptions { return completionOptions{factory: f, shell: "fish"} }},
		{name: "no shell", wantErr: "completion takes the name of a shell"},
		{name: "unknown shell", args: []string{"bsh"}, wantErr: `no completion for the shell "bsh": choose bash, zsh or fish. Did you mean "bash"?`},
	})
}
