package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/cmd/azapply/views"
)

// exit codes, as Terraform uses them.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
)

// codeError ends a command with an exit code and nothing more printed:
// the code is the answer (exit 2 for changes with --detailed-exitcode, 3
// for fmt --check), or the command's view already showed what went wrong
// (exit 1).
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitWith is the error of exit code: nil for 0.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &codeError{code: code}
}

// errShown ends a command whose view already showed the error, or that the
// user cancelled: exit 1, nothing more printed.
var errShown error = &codeError{code: exitError}

// flagError is a mistake in a command's flags or arguments: printed with a
// pointer to the command's --help.
type flagError struct {
	// command is the words that name the command: "plan", "state rm".
	command string
	err     error
}

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// flagErrorf is a flagError of command.
func flagErrorf(command, format string, args ...any) error {
	return &flagError{command: command, err: fmt.Errorf(format, args...)}
}

// usageError is a command line azapply cannot place (an unknown command):
// its message, then the usage of where it went wrong.
type usageError struct {
	msg   string
	usage func(io.Writer) error
}

func (e *usageError) Error() string { return e.msg }

// exitCode maps what a command returned to its exit code, printing on s.Err
// what was not shown yet. It is the one place a command's error becomes an
// exit code.
func exitCode(s *IOStreams, err error) int {
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	var (
		ee *codeError
		fe *flagError
		ue *usageError
	)
	// A write that fails has nowhere left to be reported: the exit code
	// still tells.
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &fe):
		_, _ = fmt.Fprintf(s.Err, "Error: %s\nRun 'azapply %s --help' for the flags.\n", fe.err, fe.command)
	case errors.As(err, &ue):
		_, _ = fmt.Fprintln(s.Err, ue.msg)
		if ue.usage != nil {
			_ = ue.usage(s.Err)
		}
	default:
		_ = views.WriteError(s.Err, err, s.OutTerminal)
	}
	return exitError
}
