package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

type outputOptions struct {
	factory *Factory
	common  commonFlags
	json    bool
	raw     bool
	// name is the one output to print; "" prints every one.
	name string
}

// NewCmdOutput defines azapply output, which prints the output values the
// state records, as terraform output does: every one, or one by name;
// --json for machines, --raw for a shell variable. It reads the state
// only, except --raw of a sensitive output, which evaluates it afresh from
// Azure. runF, when a test gives it, runs instead of outputRun.
func NewCmdOutput(f *Factory, runF func(context.Context, *outputOptions) error) *command {
	o := &outputOptions{factory: f}
	c := newCommand(f, "output", "[NAME]", "Print the output values the state recorded",
		"Print the output values the state recorded at the last apply. Nothing is sent to Azure.\nSensitive outputs print as (sensitive): the state keeps only a salted hash of them;\n--raw NAME of a sensitive one evaluates it afresh from Azure.",
		"azapply output --chdir examples/quickstart\nLOGIN=$(azapply output --raw login_server)")
	o.common.register(c.flags) // no --lock: it reads the state without the lock
	c.flags.BoolVar(&o.json, "json", false, "print JSON: every output as {name: {sensitive, value}}, or one output's value")
	c.flags.BoolVar(&o.raw, "raw", false, "print one string, number or boolean output as it is, without quotes or a newline (for a shell variable)")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) > 1 {
			return errors.New("output takes at most one name: azapply output [NAME]")
		}
		if o.raw && o.json {
			return errors.New("--raw and --json exclude each other: choose one")
		}
		if o.raw && len(args) == 0 {
			return errors.New("--raw prints one output: name it, as in azapply output --raw login_server")
		}
		if len(args) == 1 {
			o.name = args[0]
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return outputRun(ctx, o)
	}
	return c
}

func outputRun(ctx context.Context, o *outputOptions) error {
	format := views.OutputsText
	switch {
	case o.json:
		format = views.OutputsJSON
	case o.raw:
		format = views.OutputsRaw
	}
	v := views.NewOutputs(format, viewStreams(o.factory.IOStreams, o.common.noColor))
	st, err := readState(ctx, o.factory, o.common)
	if err != nil {
		v.Error(err)
		return errShown
	}
	switch out := st.Outputs[o.name]; {
	case o.name == "":
		err = v.All(st.Outputs)
	case out != nil && out.Sensitive && o.raw:
		err = freshOutput(ctx, v, o.name, o)
	default:
		err = oneOutput(v, st, o.name, o)
	}
	if err != nil {
		v.Error(err)
		return errShown
	}
	return nil
}

// oneOutput writes the output name, refusing one the state does not hold,
// and a sensitive one in JSON or raw: the state keeps only its hash.
func oneOutput(v *views.Outputs, st *state.State, name string, o *outputOptions) error {
	out := st.Outputs[name]
	if out == nil {
		return fmt.Errorf("the state records no output %q; 'azapply output' lists those it records (an output is recorded by apply)", name)
	}
	if out.Sensitive && o.json {
		return fmt.Errorf("output %q is sensitive: the state keeps only a salted hash of it, so it cannot be printed from the state; azapply output --raw %s evaluates it afresh from Azure", name, name)
	}
	return v.One(name, out)
}

// freshOutput writes a sensitive output, which the state keeps only as a
// hash, the one way it can be: evaluated afresh, with the data sources read
// again and the resources it reads read from Azure, as a plan would. It is
// the user's explicit request for the clear value (--raw NAME).
func freshOutput(ctx context.Context, v *views.Outputs, name string, o *outputOptions) error {
	w, err := openWorkspace(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	defer closeWorkspace(w, v.Error)
	for _, out := range w.outputs {
		if out.Name != name {
			continue
		}
		val, _ := out.Value.UnmarkDeep()
		if !val.IsWhollyKnown() {
			return fmt.Errorf("output %q is not known until what it reads is applied: run azapply apply first", name)
		}
		return v.One(name, &state.Output{Value: config.ToJSONValue(val)})
	}
	return fmt.Errorf("the configuration declares no output %q any more", name)
}
