package views

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
)

// ConfigError is a configuration with errors: its diagnostics, and the
// files they point into, for the source lines a human view shows.
type ConfigError struct {
	Files map[string]*hcl.File
	Diags hcl.Diagnostics
	// NoColor is the user's --no-color, for the commands that print
	// through WriteError rather than a view.
	NoColor bool
}

func (e *ConfigError) Error() string { return e.Diags.Error() }

// WriteError writes err for a person: "Error: ..." with a hint under it
// for each ARM error azapply knows a remedy for (a lock, a policy, an
// unregistered provider...), or the diagnostics of a *ConfigError with
// their source lines, and never a variable's value.
// It returns the error of the write.
func WriteError(w io.Writer, err error, color bool) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return config.WriteDiagnostics(w, ce.Files, ce.Diags, 100, color && !ce.NoColor)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Error: %v\n", err)
	for _, h := range arm.Hints(err) {
		fmt.Fprintf(&b, "  Hint: %s\n", h)
	}
	_, werr := io.WriteString(w, b.String())
	return werr
}

// errorView is the Error method of the views that write for people.
type errorView struct{ s Streams }

// Error writes err for a person, on standard error.
func (v errorView) Error(err error) { _ = WriteError(v.s.Err, err, v.s.Color) }

// Diagnostic is a warning or an error as a JSON line.
type Diagnostic struct {
	Type string `json:"type"`
	// Severity is "error" or "warning".
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	// File, Line and Column are where in the configuration, when the
	// problem is in it.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Diagnostics turns err into the diagnostics a JSON view writes: one per
// diagnostic of a *ConfigError, else one error whose detail holds the
// hints.
func Diagnostics(err error) []Diagnostic {
	var ce *ConfigError
	if errors.As(err, &ce) {
		out := make([]Diagnostic, 0, len(ce.Diags))
		for _, d := range ce.Diags {
			j := Diagnostic{Type: "diagnostic", Severity: "error", Summary: d.Summary, Detail: d.Detail}
			if d.Severity == hcl.DiagWarning {
				j.Severity = "warning"
			}
			if d.Subject != nil {
				j.File, j.Line, j.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
			}
			out = append(out, j)
		}
		return out
	}
	var hints []string
	for _, h := range arm.Hints(err) {
		hints = append(hints, "Hint: "+h)
	}
	return []Diagnostic{{Type: "diagnostic", Severity: "error", Summary: err.Error(), Detail: strings.Join(hints, "\n")}}
}
