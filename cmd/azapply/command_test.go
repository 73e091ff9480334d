package main

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// testFactory is the real factory, writing nowhere: for the tests that
// only look at the commands' definitions.
func testFactory() *Factory {
	return newFactory(&IOStreams{Out: io.Discard, Err: io.Discard})
}

// commandFlags returns the flags --help lists of the command path names
// (["plan"], ["state", "list"]).
func commandFlags(path []string) []*pflag.Flag {
	root := &command{subs: commands(testFactory())}
	c := root.find(path)
	if c == nil {
		return nil
	}
	return c.visibleFlags()
}

// subcommandsOf lists the subcommands (name and summary) of the command
// name, and the shells of completion.
func subcommandsOf(name string) [][2]string {
	if name == "completion" {
		return completionShellSummaries
	}
	var subs [][2]string
	for _, c := range commands(testFactory()) {
		if c.name != name {
			continue
		}
		for _, sub := range c.subs {
			subs = append(subs, [2]string{sub.name, sub.summary})
		}
	}
	return subs
}

// runEmulator runs azapply emulator with args.
func runEmulator(ctx context.Context, args []string, s *IOStreams) int {
	return run(ctx, append([]string{"emulator"}, args...), s)
}

// optionsCase is one command line of a command's table test: the options
// its flags and arguments make, or, for a bad one, the text of its error.
type optionsCase[O any] struct {
	name string
	args []string
	// want builds the options expected, with the factory the command was
	// given; nil for a command line that must be refused.
	want func(f *Factory) O
	// wantErr is in what a refused command line printed.
	wantErr string
}

// testOptions runs each case's command line through the command newCmd
// defines, with a runF that keeps the options instead of running: a good
// command line gives the options wanted and exit 0; a bad one never
// reaches runF, exits 1 and says wantErr.
func testOptions[O any](t *testing.T, newCmd func(*Factory, func(context.Context, *O) error) *command, cases []optionsCase[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			f := newFactory(&IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb})
			var got *O
			c := newCmd(f, func(_ context.Context, o *O) error { got = o; return nil })
			code := exitCode(f.IOStreams, c.execute(context.Background(), tc.args))
			printed := out.String() + errb.String()
			if tc.want == nil {
				if code != exitError || got != nil || !strings.Contains(printed, tc.wantErr) {
					t.Errorf("%q: exit %d, ran: %v, printed:\n%s\nwant exit 1, not run, and %q", tc.args, code, got != nil, printed, tc.wantErr)
				}
				return
			}
			if code != exitOK || got == nil {
				t.Fatalf("%q: exit %d, ran: %v\n%s", tc.args, code, got != nil, printed)
			}
			if want := tc.want(f); !reflect.DeepEqual(*got, want) {
				t.Errorf("%q:\n got %+v\nwant %+v", tc.args, *got, want)
			}
		})
	}
}

// defaultCommon are the common flags of command as they are with none
// given; lock tells whether the command has --lock.
func defaultCommon(command string, lock bool) commonFlags {
	c := commonFlags{chdir: ".", command: command}
	if lock {
		t := true
		c.lockFlag = &t
	}
	return c
}

func boolPtr(b bool) *bool { return &b }

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
