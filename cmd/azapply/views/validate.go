package views

import "fmt"

// Validate is the view of azapply validate: every problem the
// configuration has, on standard error, and a line when it is valid.
type Validate struct{ s Streams }

// NewValidate returns the view of azapply validate.
func NewValidate(s Streams) *Validate { return &Validate{s: s} }

// Problems writes the diagnostics of a configuration, warnings included.
func (v *Validate) Problems(ce *ConfigError) {
	if len(ce.Diags) > 0 {
		_ = WriteError(v.s.Err, ce, v.s.Color)
	}
}

// Valid says the configuration is valid.
func (v *Validate) Valid() {
	fmt.Fprintln(v.s.Out, "Success! The configuration is valid.")
}

// Error writes err for a person, on standard error.
func (v *Validate) Error(err error) { _ = WriteError(v.s.Err, err, v.s.Color) }
