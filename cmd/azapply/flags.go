package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// parseFlags parses a command's flags. --help prints the command's usage and
// returns pflag.ErrHelp; any other mistake is printed here, with the nearest
// flag the command knows, and returned, so that callers only pick the exit
// code. pflag itself prints nothing for an unknown flag under
// ContinueOnError, which left the user with a bare exit 1.
//
// When ctx carries a flagCollector (azapply completion, and the tests that
// check every command's help), the flag set is handed to it instead of being
// parsed, and errCollected is returned. So every command must build its flag
// set and call parseFlags before it does anything else.
func parseFlags(ctx context.Context, fs *pflag.FlagSet, args []string, s *IOStreams) error {
	if c, ok := ctx.Value(flagCollectorKey{}).(*flagCollector); ok {
		c.sets = append(c.sets, fs)
		return errCollected
	}
	err := fs.Parse(args)
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return err
	}
	msg := err.Error()
	if name, ok := unknownFlagName(msg); ok {
		if n := nearestFlag(fs, name); n != "" {
			msg += fmt.Sprintf(". Did you mean --%s?", n)
		}
	}
	fmt.Fprintf(s.Err, "Error: %s\nRun 'azapply %s --help' for the flags.\n", msg, fs.Name())
	return err
}

// parseExit is a command's exit code when parseFlags failed: 0 after
// --help, 1 after a bad flag (already reported).
func parseExit(err error) int {
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	return exitError
}

// unknownFlagName takes the flag's name out of pflag's "unknown flag: --name"
// and "unknown shorthand flag: 'x' in -x".
func unknownFlagName(msg string) (string, bool) {
	if rest, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		return rest, true
	}
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: '"); ok {
		// A user who typed -detailed-exitcode meant the long flag.
		if _, after, found := strings.Cut(rest, " in -"); found {
			return after, true
		}
	}
	return "", false
}

// nearestFlag is the name of fs's flag closest to name, or "". A name that
// starts a flag's name (--detailed for --detailed-exitcode) counts as close.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	name, _, _ = strings.Cut(name, "=")
	var names []string
	prefixed := ""
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		names = append(names, f.Name)
		if len(name) >= 3 && strings.HasPrefix(f.Name, name) && prefixed == "" {
			prefixed = f.Name
		}
	})
	if n := nearest(name, names); n != "" {
		return n
	}
	return prefixed
}

// flagCollectorKey is the context key of a flagCollector.
type flagCollectorKey struct{}

// flagCollector gathers the flag sets of commands that are run only to
// learn their flags, for shell completion.
type flagCollector struct {
	sets []*pflag.FlagSet
}

// errCollected ends a command run only to collect its flag set.
var errCollected = errors.New("flags collected")

// commandFlags returns the flags of the command given by args (such as
// ["plan"] or ["state", "list"]), without running it.
func commandFlags(ctx context.Context, args []string) []*pflag.Flag {
	c := &flagCollector{}
	discard := &IOStreams{Out: &strings.Builder{}, Err: &strings.Builder{}}
	ctx = context.WithValue(ctx, flagCollectorKey{}, c)
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			cmd.run(ctx, args[1:], discard)
		}
	}
	var flags []*pflag.Flag
	for _, fs := range c.sets {
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				flags = append(flags, f)
			}
		})
	}
	return flags
}
