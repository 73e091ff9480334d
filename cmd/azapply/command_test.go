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
