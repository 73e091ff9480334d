package main

import (
	"context"
	"errors"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/plan"
)

type showOptions struct {
	factory *Factory
	format  string
	noColor bool
	// file is the plan file to render.
	file string
}

func (o *showOptions) view() views.Operation {
	return operationView("show", o.format, o.noColor, o.factory.IOStreams)
}

// NewCmdShow defines azapply show, which renders a saved plan file and
// reads nothing else. runF, when a test gives it, runs instead of showRun.
func NewCmdShow(f *Factory, runF func(context.Context, *showOptions) error) *command {
	o := &showOptions{factory: f}
	c := newCommand(f, "show", "FILE", "Render a plan saved with plan --out",
		"Render a plan saved with azapply plan --out FILE.",
		"azapply show tfplan --format markdown")
	c.flags.StringVar(&o.format, "format", "text", "output format: text, markdown (a pull-request comment) or json")
	c.flags.BoolVar(&o.noColor, "no-color", false, "never print colour codes")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return fail(o.view(), errors.New("show takes one plan file: azapply show FILE (write one with azapply plan --out FILE)"))
		}
		o.file = args[0]
		pf := planFlags{parallelism: 1, format: o.format}
		if err := pf.validate(); err != nil {
			return fail(o.view(), err)
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return showRun(ctx, o)
	}
	return c
}

func showRun(_ context.Context, o *showOptions) error {
	v := o.view()
	sp, err := plan.ReadFile(o.file)
	if err != nil {
		return fail(v, err)
	}
	if err := v.Plan(sp.Plan); err != nil {
		return fail(v, err)
	}
	return nil
}
