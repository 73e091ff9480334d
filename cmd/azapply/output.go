package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

type outputOptions struct {
	common commonFlags
	json   bool
	raw    bool
}

// runOutput prints the output values the state records, as terraform
// output does: every one, or one by name; --json for machines, --raw for a
// shell variable. It reads the state only, nothing sent to Azure, except
// for --raw of a sensitive output (printFreshOutput).
func runOutput(ctx context.Context, args []string, s *IOStreams) int {
	var o outputOptions
	fs := pflag.NewFlagSet("output", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.json, "json", false, "print JSON: every output as {name: {sensitive, value}}, or one output's value")
	fs.BoolVar(&o.raw, "raw", false, "print one string, number or boolean output as it is, without quotes or a newline (for a shell variable)")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply output [NAME] [flags]\n\nPrint the output values the state recorded at the last apply. Nothing is sent to Azure.\nSensitive outputs print as (sensitive): the state keeps only a salted hash of them;\n--raw NAME of a sensitive output evaluates it afresh, reading from Azure.\n\nExamples:\n  azapply output --chdir examples/quickstart\n  LOGIN=$(azapply output --raw login_server)\n\nFlags:")
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
	st, err := readState(ctx, stateOptions{common: o.common}, s)
	if err != nil {
		return reportError(s, err)
	}
	if fs.NArg() == 1 {
		if out := st.Outputs[fs.Arg(0)]; out != nil && out.Sensitive && o.raw {
			return printFreshOutput(ctx, s, fs.Arg(0), o)
		}
		return printOneOutput(s, st, fs.Arg(0), o)
	}
	return printAllOutputs(s, st, o)
}

func printAllOutputs(s *IOStreams, st *state.State, o outputOptions) int {
	names := make([]string, 0, len(st.Outputs))
	for n, out := range st.Outputs {
		if out != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if o.json {
		type entry struct {
			Sensitive bool `json:"sensitive"`
			Value     any  `json:"value,omitempty"`
		}
		all := map[string]entry{}
		for _, n := range names {
			out := st.Outputs[n]
			e := entry{Sensitive: out.Sensitive}
			if !out.Sensitive {
				e.Value = out.Value
			}
			all[n] = e
		}
		return writeJSON(s, all)
	}
	if len(names) == 0 {
		fmt.Fprintln(s.Err, "Warning: no outputs found. The state records output values after an apply of a configuration with output blocks.")
		return exitOK
	}
	for _, n := range names {
		fmt.Fprintf(s.Out, "%s = %s\n", n, outputText(st.Outputs[n]))
	}
	return exitOK
}

func printOneOutput(s *IOStreams, st *state.State, name string, o outputOptions) int {
	out := st.Outputs[name]
	if out == nil {
		return reportError(s, fmt.Errorf("the state records no output %q; 'azapply output' lists those it records (an output is recorded by apply)", name))
	}
	if out.Sensitive && o.json {
		return reportError(s, fmt.Errorf("output %q is sensitive: the state keeps only a salted hash of it, so it cannot be printed from the state; azapply output --raw %s evaluates it afresh from Azure", name, name))
	}
	switch {
	case o.json:
		return writeJSON(s, out.Value)
	case o.raw:
		return printRaw(s, name, out.Value)
	}
	fmt.Fprintln(s.Out, outputText(out))
	return exitOK
}

// printRaw prints a string, number or boolean as it is, for a shell
// variable.
func printRaw(s *IOStreams, name string, value any) int {
	switch v := value.(type) {
	case string:
		fmt.Fprint(s.Out, v)
	case bool:
		fmt.Fprint(s.Out, strconv.FormatBool(v))
	case json.Number:
		fmt.Fprint(s.Out, v.String())
	case float64:
		fmt.Fprint(s.Out, strconv.FormatFloat(v, 'g', -1, 64))
	default:
		return reportError(s, fmt.Errorf("output %q is not a string, number or boolean: --raw prints only those; use --json", name))
	}
	return exitOK
}

// printFreshOutput prints a sensitive output, which the state keeps only
// as a hash, the one way it can be: evaluated afresh, with the data sources
// read again and the resources it reads read from Azure, as a plan would.
// It is the user's explicit request for the clear value (--raw NAME).
func printFreshOutput(ctx context.Context, s *IOStreams, name string, o outputOptions) int {
	w, err := openWorkspace(ctx, o.common, s)
	if err != nil {
		return reportError(s, err)
	}
	defer closeWorkspace(w, s)
	for _, out := range w.outputs {
		if out.Name != name {
			continue
		}
		v, _ := out.Value.UnmarkDeep()
		if !v.IsWhollyKnown() {
			return reportError(s, fmt.Errorf("output %q is not known until what it reads is applied: run azapply apply first", name))
		}
		return printRaw(s, name, config.ToJSONValue(v))
	}
	return reportError(s, fmt.Errorf("the configuration declares no output %q any more", name))
}

// outputText is an output's value as the apply summary prints it.
func outputText(out *state.Output) string {
	if out.Sensitive {
		return "(sensitive)"
	}
	b, err := json.Marshal(out.Value)
	if err != nil {
		return fmt.Sprint(out.Value)
	}
	return string(b)
}

func writeJSON(s *IOStreams, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return reportError(s, err)
	}
	fmt.Fprintln(s.Out, string(b))
	return exitOK
}
