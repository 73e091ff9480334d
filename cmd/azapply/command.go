package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// command is one azapply command, or a group of subcommands (state,
// emulator): its definition, from which --help is generated, its flags,
// bound to its options by its constructor, and its run. See the package
// documentation (doc.go) for the shape of a command file.
type command struct {
	// name is the word that calls it: "plan", or "list" under state.
	name string
	// path is every word that calls it: "plan", "state list".
	path string
	// args is what the usage line shows after [flags]: "[FILE]".
	args string
	// summary is the one line of the command lists.
	summary string
	// long is the description --help gives; example is one command line,
	// or several on lines of their own.
	long, example string
	// flags are the command's flags, bound to its options.
	flags *pflag.FlagSet
	// run runs the command with what is left after the flags.
	run func(ctx context.Context, args []string) error
	// subs are the subcommands of a group (state, emulator); a group has
	// no run of its own.
	subs []*command
	// err is where --help and usage go.
	err io.Writer
}

// newCommand starts the definition of the command path ("plan", "state
// rm") with an empty flag set, which the constructor fills.
func newCommand(f *Factory, path, args, summary, long, example string) *command {
	words := strings.Fields(path)
	c := &command{
		name: words[len(words)-1], path: path, args: args, summary: summary,
		long: long, example: example, err: f.IOStreams.Err,
		flags: pflag.NewFlagSet(path, pflag.ContinueOnError),
	}
	c.flags.SetOutput(f.IOStreams.Err)
	c.flags.Usage = func() { _ = c.writeUsage(c.err) }
	return c
}

// newGroup is a command that only holds subcommands.
func newGroup(f *Factory, name, summary, example string, subs ...*command) *command {
	c := newCommand(f, name, "", summary, "", example)
	c.subs = subs
	return c
}

// execute parses args into the command's flags and runs it, or hands the
// arguments to the subcommand they name.
func (c *command) execute(ctx context.Context, args []string) error {
	if len(c.subs) > 0 {
		return c.dispatch(ctx, args)
	}
	if err := c.flags.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil // pflag wrote the usage
		}
		return c.flagError(err)
	}
	return c.run(ctx, c.flags.Args())
}

// dispatch runs the subcommand args[0] names.
func (c *command) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if err := c.writeUsage(c.err); err != nil {
			return err
		}
		if len(args) == 0 {
			return errShown
		}
		return nil
	}
	names := make([]string, 0, len(c.subs))
	for _, sub := range c.subs {
		if sub.name == args[0] {
			return sub.execute(ctx, args[1:])
		}
		names = append(names, sub.name)
	}
	msg := fmt.Sprintf("azapply: unknown command '%s %s'.\n", c.path, args[0])
	if n := nearest(args[0], names); n != "" && !strings.HasPrefix(args[0], "-") {
		msg = fmt.Sprintf("azapply: unknown command '%s %s'. Did you mean '%s %s'?\n", c.path, args[0], c.path, n)
	}
	return &usageError{msg: msg, usage: c.writeUsage}
}

// flagError is the error of a flag pflag refused, with the nearest flag
// the command knows: pflag itself prints nothing under ContinueOnError.
func (c *command) flagError(err error) error {
	msg := err.Error()
	if name, ok := unknownFlagName(msg); ok {
		if n := nearestFlag(c.flags, name); n != "" {
			msg += fmt.Sprintf(". Did you mean --%s?", n)
		}
	}
	return &flagError{command: c.path, err: errors.New(msg)}
}

// usage is the command's --help: generated from its definition and its
// flags.
func (c *command) usage() string {
	var b strings.Builder
	line := "azapply " + c.path
	if len(c.subs) > 0 {
		line += " COMMAND [flags]"
	} else if c.flags.HasAvailableFlags() {
		line += " [flags]"
	}
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(&b, "Usage: %s\n\n", line)
	if c.long != "" {
		fmt.Fprintf(&b, "%s\n\n", c.long)
	}
	if len(c.subs) > 0 {
		b.WriteString("Commands:\n")
		for _, sub := range c.subs {
			args := sub.args
			if len(args) > 11 {
				args = "" // too long for the list: its --help shows it
			}
			fmt.Fprintf(&b, "  %-8s %-11s %s\n", sub.name, args, sub.summary)
		}
		b.WriteString("\n")
	}
	if strings.Contains(c.example, "\n") {
		fmt.Fprintf(&b, "Examples:\n  %s\n", strings.ReplaceAll(c.example, "\n", "\n  "))
	} else {
		fmt.Fprintf(&b, "Example: %s\n", c.example)
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(&b, "\nRun 'azapply %s COMMAND --help' for a command's flags.\n", c.path)
	} else if c.flags.HasAvailableFlags() {
		fmt.Fprintf(&b, "\nFlags:\n%s", c.flags.FlagUsages())
	}
	return b.String()
}

func (c *command) writeUsage(w io.Writer) error {
	_, err := io.WriteString(w, c.usage())
	return err
}

// find returns the command path names under c ("state list" is
// ["state", "list"]), or nil.
func (c *command) find(path []string) *command {
	if len(path) == 0 {
		return c
	}
	for _, sub := range c.subs {
		if sub.name == path[0] {
			return sub.find(path[1:])
		}
	}
	return nil
}

// visibleFlags are the flags --help lists.
func (c *command) visibleFlags() []*pflag.Flag {
	var flags []*pflag.Flag
	c.flags.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			flags = append(flags, f)
		}
	})
	return flags
}

// noArgs refuses arguments, for the commands that take none.
func noArgs(c *command, args []string, hint string) error {
	if len(args) > 0 {
		return flagErrorf(c.path, "%s takes no arguments (got %q)%s", c.path, args, hint)
	}
	return nil
}
