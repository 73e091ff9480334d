package views

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/azapply/azapply/state"
)

// Outputs is the view of azapply output: the output values the state
// recorded, as text lines ("name = value"), as JSON (--json), or one value
// as it is (--raw, for a shell variable). Errors go to standard error.
type Outputs struct {
	s      Streams
	format OutputsFormat
}

// OutputsFormat is how azapply output writes.
type OutputsFormat int

// The formats of azapply output.
const (
	OutputsText OutputsFormat = iota
	OutputsJSON
	OutputsRaw
)

// NewOutputs returns the view of azapply output in format.
func NewOutputs(format OutputsFormat, s Streams) *Outputs {
	return &Outputs{s: s, format: format}
}

// All writes every output the state records, sorted by name; sensitive
// ones as (sensitive), or in JSON without their value.
func (v *Outputs) All(outs map[string]*state.Output) error {
	names := make([]string, 0, len(outs))
	for n, out := range outs {
		if out != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if v.format == OutputsJSON {
		all := make(map[string]outputValue, len(names))
		for _, n := range names {
			e := outputValue{Sensitive: outs[n].Sensitive}
			if !e.Sensitive {
				e.Value = outs[n].Value
			}
			all[n] = e
		}
		return v.document(all)
	}
	if len(names) == 0 {
		fmt.Fprintln(v.s.Err, "Warning: no outputs found. The state records output values after an apply of a configuration with output blocks.")
		return nil
	}
	for _, n := range names {
		fmt.Fprintf(v.s.Out, "%s = %s\n", n, outputText(outs[n]))
	}
	return nil
}

// One writes the output name. The command refuses a sensitive one in JSON
// or raw before: the state holds only its hash.
func (v *Outputs) One(name string, out *state.Output) error {
	switch v.format {
	case OutputsJSON:
		return v.document(out.Value)
	case OutputsRaw:
		switch val := out.Value.(type) {
		case string:
			fmt.Fprint(v.s.Out, val)
		case bool:
			fmt.Fprint(v.s.Out, strconv.FormatBool(val))
		case json.Number:
			fmt.Fprint(v.s.Out, val.String())
		case float64:
			fmt.Fprint(v.s.Out, strconv.FormatFloat(val, 'g', -1, 64))
		default:
			return fmt.Errorf("output %q is not a string, number or boolean: --raw prints only those; use --json", name)
		}
		return nil
	}
	fmt.Fprintln(v.s.Out, outputText(out))
	return nil
}

// Error writes err for a person, on standard error.
func (v *Outputs) Error(err error) { _ = WriteError(v.s.Err, err, v.s.Color) }

func (v *Outputs) document(val any) error {
	b, err := json.MarshalIndent(val, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the outputs as JSON: %w", err)
	}
	fmt.Fprintln(v.s.Out, string(b))
	return nil
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
