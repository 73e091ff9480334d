package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/state"
)

type outputOptions struct {
	common commonFlags
	json   bool
	raw    bool
}

// runOutput prints the output values the state records, as terraform
// output does: every one, or one by name; --json for machines, --raw for a
// shell variable. It reads the state only: nothing is sent to Azure.
func runOutput(ctx context.Context, args []string, s *IOStreams) int {
	var o outputOptions
	fs := pflag.NewFlagSet("output", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.json, "json", false, "print JSON: every output as {name: {sensitive, value}}, or one output's value")
	fs.BoolVar(&o.raw, "raw", false, "print one string, number or boolean output as it is, without quotes or a newline (for a shell variable)")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply output [NAME] [flags]\n\nPrint the output values the state recorded at the last apply. Nothing is sent to Azure.\nSensitive outputs print as (sensitive): the state keeps only a salted hash of them.\n\nExamples:\n  azapply output --chdir examples/quickstart\n  LOGIN=$(azapply output --raw login_server)\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fs.NArg() > 1 {
		return reportError(s, errors.New("output takes at most one name: azapply output [NAME]"))
	}
	if o.raw && o.json {
		return reportError(s, errors.New("--raw and --json exclude each other: choose one"))
	}
	if o.raw && fs.NArg() == 0 {
		return reportError(s, errors.New("--raw prints one output: name it, as in azapply output --raw login_server"))
	}
	format := views.OutputsText
	switch {
	case o.json:
		format = views.OutputsJSON
	case o.raw:
		format = views.OutputsRaw
	}
	v := views.NewOutputs(format, views.Streams{Out: s.Out, Err: s.Err, Color: s.OutTerminal && !o.common.noColor})
	st, err := readState(ctx, stateOptions{common: o.common}, s)
	if err != nil {
		v.Error(err)
		return exitError
	}
	if fs.NArg() == 0 {
		err = v.All(st.Outputs)
	} else {
		err = oneOutput(v, st, fs.Arg(0), o)
	}
	if err != nil {
		v.Error(err)
		return exitError
	}
	return exitOK
}

// oneOutput writes the output name, refusing one the state does not hold,
// and a sensitive one in JSON or raw: the state keeps only its hash.
func oneOutput(v *views.Outputs, st *state.State, name string, o outputOptions) error {
	out := st.Outputs[name]
	if out == nil {
		return fmt.Errorf("the state records no output %q; 'azapply output' lists those it records (an output is recorded by apply)", name)
	}
	if out.Sensitive && (o.raw || o.json) {
		return fmt.Errorf("output %q is sensitive: the state keeps only a salted hash of it, so it cannot be printed from the state", name)
	}
	return v.One(name, out)
}
