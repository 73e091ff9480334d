package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

type showOptions struct {
	format  string
	noColor bool
}

// runShow renders a saved plan file; it reads nothing else.
func runShow(ctx context.Context, args []string, s *IOStreams) int {
	var o showOptions
	fs := pflag.NewFlagSet("show", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	fs.StringVar(&o.format, "format", "text", "output format: text, markdown (a pull-request comment) or json")
	fs.BoolVar(&o.noColor, "no-color", false, "never print colour codes")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply show FILE [flags]\n\nRender a plan saved with azapply plan --out FILE.\n\nExample: azapply show tfplan --format markdown\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	v := operationView("show", o.format, o.noColor, s)
	if fs.NArg() != 1 {
		return fail(v, errors.New("show takes one plan file: azapply show FILE (write one with azapply plan --out FILE)"))
	}
	pf := planFlags{parallelism: 1, format: o.format}
	if err := pf.validate(); err != nil {
		return fail(v, err)
	}
	sp, err := readPlanFile(fs.Arg(0))
	if err != nil {
		return fail(v, err)
	}
	if err := v.Plan(sp.Plan); err != nil {
		return fail(v, err)
	}
	return exitOK
}
