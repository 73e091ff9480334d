package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/local"
)

const testConfig = `
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}

resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "other" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
`

const rgID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"

// result is what one command printed and returned.
type result struct {
	code     int
	out, err string
}

func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	s := &IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code := run(context.Background(), args, s)
	return result{code, out.String(), errb.String()}
}

// appliedDir is a configuration directory whose two resource groups were
// applied to its emulator.
func appliedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(testConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "apply", "--chdir", dir, "--auto-approve"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.out, r.err)
	}
	return dir
}

func readStateFile(t *testing.T, dir string) *state.State {
	t.Helper()
	s, err := local.New(filepath.Join(dir, defaultStatePath)).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStateCommands(t *testing.T) {
	dir := appliedDir(t)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
		// after checks the state file once the command ran.
		after func(t *testing.T, s *state.State)
	}{
		{name: "list", args: []string{"state", "list"}, wantOut: "resource.other\nresource.rg\n"},
		{name: "list takes no arguments", args: []string{"state", "list", "x"}, wantCode: 1, wantErr: "takes no arguments"},
		{name: "show", args: []string{"state", "show", "resource.rg"}, wantOut: "id          = " + rgID},
		{name: "show unknown", args: []string{"state", "show", "resource.nope"}, wantCode: 1, wantErr: "records no resource.nope"},
		{name: "mv", args: []string{"state", "mv", "resource.other", "resource.moved"}, wantOut: "Moved resource.other to resource.moved",
			after: func(t *testing.T, s *state.State) {
				if s.Get("resource.moved") == nil || s.Get("resource.other") != nil {
					t.Errorf("after mv: %v", addrs(s))
				}
			}},
		{name: "mv onto a recorded address", args: []string{"state", "mv", "resource.moved", "resource.rg"}, wantCode: 1, wantErr: "already records resource.rg"},
		{name: "mv from nothing", args: []string{"state", "mv", "resource.nope", "resource.x"}, wantCode: 1, wantErr: "records no resource.nope"},
		{name: "mv to a bad address", args: []string{"state", "mv", "resource.moved", "rg"}, wantCode: 1, wantErr: "not a resource address"},
		{name: "rm refuses when one address is unknown", args: []string{"state", "rm", "resource.moved", "resource.nope"}, wantCode: 1, wantErr: "nothing was removed",
			after: func(t *testing.T, s *state.State) {
				if s.Get("resource.moved") == nil {
					t.Error("a refused rm removed resource.moved")
				}
			}},
		{name: "rm", args: []string{"state", "rm", "resource.moved"}, wantOut: "still exists in Azure",
			after: func(t *testing.T, s *state.State) {
				if s.Get("resource.moved") != nil || len(s.Resources) != 1 {
					t.Errorf("after rm: %v", addrs(s))
				}
			}},
		{name: "show needs an address", args: []string{"state", "show"}, wantCode: 1, wantErr: "takes one address"},
		{name: "rm needs an address", args: []string{"state", "rm"}, wantCode: 1, wantErr: "at least one address"},
		{name: "mv needs two addresses", args: []string{"state", "mv", "resource.rg"}, wantCode: 1, wantErr: "takes two addresses"},
		{name: "pull takes no arguments", args: []string{"state", "pull", "x"}, wantCode: 1, wantErr: "takes no arguments"},
		{name: "push needs a file", args: []string{"state", "push"}, wantCode: 1, wantErr: "takes one file"},
		{name: "push of a missing file", args: []string{"state", "push", "/nonexistent/state.json"}, wantCode: 1, wantErr: "reading the state to push"},
		{name: "unknown state command", args: []string{"state", "frob"}, wantCode: 1, wantErr: "unknown command 'state frob'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := readStateFile(t, dir)
			args := append(append([]string{}, tt.args...), "--chdir", dir)
			r := runCmd(t, tt.stdin, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.out, r.err)
			}
			if !strings.Contains(r.out, tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", r.out, tt.wantOut)
			}
			if !strings.Contains(r.err, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.err, tt.wantErr)
			}
			after := readStateFile(t, dir)
			if tt.wantCode != 0 && after.Serial != before.Serial {
				t.Errorf("a refused command wrote the state (serial %d -> %d)", before.Serial, after.Serial)
			}
			if tt.after != nil {
				tt.after(t, after)
			}
		})
	}
}

func TestStatePullPush(t *testing.T) {
	dir := appliedDir(t)
	pulled := runCmd(t, "", "state", "pull", "--chdir", dir)
	if pulled.code != 0 {
		t.Fatalf("pull: %s", pulled.err)
	}
	old, err := state.Decode([]byte(pulled.out), "pulled")
	if err != nil {
		t.Fatalf("pull printed something that is not a state: %v", err)
	}
	// A change after the pull makes the pulled copy older than the store.
	if r := runCmd(t, "", "state", "rm", "resource.other", "--chdir", dir); r.code != 0 {
		t.Fatal(r.err)
	}
	file := filepath.Join(t.TempDir(), "pulled.json")
	write := func(s *state.State) {
		data, err := state.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(old)
	r := runCmd(t, "", "state", "push", file, "--chdir", dir)
	if r.code != 1 || !strings.Contains(r.err, "older than the state") {
		t.Fatalf("pushing an older state: exit %d, %s", r.code, r.err)
	}
	other := state.New()
	other.Serial = 100
	write(other)
	r = runCmd(t, "", "state", "push", file, "--chdir", dir)
	if r.code != 1 || !strings.Contains(r.err, "another stack") {
		t.Fatalf("pushing another lineage: exit %d, %s", r.code, r.err)
	}
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "state", "push", file, "--chdir", dir)
	if r.code != 1 || !strings.Contains(r.err, "cannot be parsed") {
		t.Fatalf("pushing garbage: exit %d, %s", r.code, r.err)
	}
	if got := readStateFile(t, dir); got.Get("resource.other") != nil || got.Serial != old.Serial+1 {
		t.Fatalf("refused pushes changed the state: serial %d, %v", got.Serial, addrs(got))
	}
	// The happy path: bring the old copy up to date and push it from stdin.
	old.Serial += 1
	data, _ := state.Encode(old)
	r = runCmd(t, string(data), "state", "push", "-", "--chdir", dir)
	if r.code != 0 {
		t.Fatalf("push: %s", r.err)
	}
	got := readStateFile(t, dir)
	if got.Get("resource.other") == nil || got.Serial != old.Serial+1 || got.Lineage != old.Lineage {
		t.Fatalf("after push: serial %d lineage %s %v", got.Serial, got.Lineage, addrs(got))
	}
}

func TestLockHeldForPlanAndApply(t *testing.T) {
	dir := appliedDir(t)
	holder := local.New(filepath.Join(dir, defaultStatePath))
	info, err := holder.Lock(context.Background(), state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan"}, {"apply", "--auto-approve"}, {"state", "rm", "resource.rg"}, {"import", "resource.rg", rgID}} {
		r := runCmd(t, "", append(args, "--chdir", dir)...)
		if r.code != 1 || !strings.Contains(r.err, "is locked: lock "+info.ID) || !strings.Contains(r.err, `"apply"`) {
			t.Errorf("%v while locked: exit %d, %s", args, r.code, r.err)
		}
	}
	r := runCmd(t, "", "plan", "--lock=false", "--chdir", dir)
	if r.code != 0 {
		t.Errorf("plan --lock=false while locked: exit %d, %s", r.code, r.err)
	}
	r = runCmd(t, "", "apply", "--auto-approve", "--lock=false", "--chdir", dir)
	if r.code != 1 || !strings.Contains(r.err, "--lock=false is only for plan and drift") {
		t.Errorf("apply --lock=false: exit %d, %s", r.code, r.err)
	}
	r = runCmd(t, "", "force-unlock", "--chdir", dir, info.ID)
	if r.code != 1 || !strings.Contains(r.err, "not a terminal: run it with --force") {
		t.Errorf("force-unlock without a terminal: exit %d, %s", r.code, r.err)
	}
	r = runCmd(t, "", "force-unlock", "--force", "--chdir", dir, info.ID)
	if r.code != 1 || !strings.Contains(r.err, "running process") {
		t.Errorf("force-unlock of a live local lock: exit %d, %s", r.code, r.err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = holder.Unlock(context.Background())
	}()
	r = runCmd(t, "", "plan", "--lock-timeout", "20s", "--chdir", dir)
	if r.code != 0 {
		t.Fatalf("plan --lock-timeout after the holder let go: exit %d, %s", r.code, r.err)
	}
	// The lock is released when the command ends.
	if _, err := holder.Lock(context.Background(), state.NewLockInfo("check")); err != nil {
		t.Fatalf("plan left the state locked: %v", err)
	}
	_ = holder.Unlock(context.Background())
}

func addrs(s *state.State) []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Address)
	}
	return out
}

func TestUnreadableStateStopsEveryCommand(t *testing.T) {
	dir := appliedDir(t)
	path := filepath.Join(dir, defaultStatePath)
	tests := []struct {
		name, content, wantErr string
	}{
		{"corrupt", `{"version": 2, "lineage": "x", "resources": [`, "restore it from the backup (" + path + ".backup"},
		{"newer format", `{"version": 99, "lineage": "x", "serial": 1, "resources": []}`, "newer than this azapply understands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"plan"}, {"apply", "--auto-approve"}, {"state", "list"}, {"state", "rm", "resource.rg"}, {"import", "resource.rg", rgID}} {
				r := runCmd(t, "", append(args, "--chdir", dir)...)
				if r.code != 1 || !strings.Contains(strings.ToLower(r.err), strings.ToLower(tt.wantErr)) {
					t.Errorf("%v: exit %d, stderr %q; want 1 and %q", args, r.code, r.err, tt.wantErr)
				}
				if data, _ := os.ReadFile(path); string(data) != tt.content {
					t.Fatalf("%v changed the unreadable state file", args)
				}
			}
		})
	}
}

func TestStateOptions(t *testing.T) {
	// Each subcommand's arguments, a good and a bad count.
	args := map[string][2][]string{
		"list": {{}, {"x"}},
		"show": {{"resource.rg"}, {}},
		"rm":   {{"resource.a", "resource.b"}, {}},
		"mv":   {{"resource.a", "resource.b"}, {"resource.a"}},
		"pull": {{}, {"x"}},
		"push": {{"backup.json"}, {"a", "b"}},
	}
	// The subcommands that change the state, and so take its lock.
	locks := map[string]bool{"rm": true, "mv": true, "push": true}
	for _, sc := range stateSubcommands {
		t.Run(sc.name, func(t *testing.T) {
			newCmd := func(f *Factory, runF func(context.Context, *stateOptions) error) *command {
				return NewCmdStateSub(f, sc, runF)
			}
			good, bad := args[sc.name][0], args[sc.name][1]
			help := "Run 'azapply state " + sc.name + " --help' for the flags."
			cases := []optionsCase[stateOptions]{
				{name: "wrong number of arguments", args: bad, wantErr: sc.argsErr},
				{name: "unknown flag", args: []string{"--force"}, wantErr: help},
			}
			if locks[sc.name] {
				cases = append(cases, optionsCase[stateOptions]{name: "arguments", args: append([]string{"--chdir", "prod", "--lock-timeout", "2s"}, good...), want: func(f *Factory) stateOptions {
					c := defaultCommon("state "+sc.name, true)
					c.chdir, c.lockTimeout = "prod", 2*time.Second
					return stateOptions{factory: f, common: c, args: good}
				}})
			} else {
				cases = append(cases,
					optionsCase[stateOptions]{name: "arguments", args: append([]string{"--chdir", "prod"}, good...), want: func(f *Factory) stateOptions {
						c := defaultCommon("state "+sc.name, false)
						c.chdir = "prod"
						return stateOptions{factory: f, common: c, args: good}
					}},
					// It reads the state without the lock: a flag that
					// promised to skip or wait for it would lie.
					optionsCase[stateOptions]{name: "it takes no lock", args: append([]string{"--lock=false"}, good...), wantErr: "unknown flag: --lock"},
					optionsCase[stateOptions]{name: "it waits for no lock", args: append([]string{"--lock-timeout", "2s"}, good...), wantErr: "unknown flag: --lock-timeout"},
					optionsCase[stateOptions]{name: "the error points at --help", args: append([]string{"--lock=false"}, good...), wantErr: help},
				)
			}
			testOptions(t, newCmd, cases)
		})
	}
}
