package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of a command, so that tests can capture
// output and a pipe never gets colour codes.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTerminal and OutTerminal tell whether stdin and stdout are terminals.
	InTerminal, OutTerminal bool
}

func systemStreams() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTerminal:  isTerminal(os.Stdin),
		OutTerminal: isTerminal(os.Stdout),
	}
}

// isTerminal asks the terminal driver, not the file mode: /dev/null is a
// character device too, and must count as no terminal.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
