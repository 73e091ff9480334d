package main

import (
	"io"
	"os"
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

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
