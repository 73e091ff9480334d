package views

import (
	"io"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// Format is how a view writes.
type Format string

// The formats of a command's output.
const (
	// Text is for people: the plan as Terraform prints it, one line per
	// progress event.
	Text Format = "text"
	// Markdown is Text with the plan as a pull-request comment (plan and
	// drift only).
	Markdown Format = "markdown"
	// JSON is for bots: JSON only on standard output.
	JSON Format = "json"
)

// Streams are where a view writes.
type Streams struct {
	Out, Err io.Writer
	// Color allows colour codes: standard output is a terminal and the
	// user did not give --no-color.
	Color bool
}

// Operation is the view of a command that plans and may apply: plan, apply,
// destroy and drift. Its methods are called from the command's goroutine,
// except Report, which the engine calls from its operations concurrently.
type Operation interface {
	// Report shows one progress event of the engine.
	apply.Reporter
	// Plan shows the plan.
	Plan(p *plan.Plan) error
	// ApplyWork shows what apply does besides the planned changes (one
	// line each): operations left in flight, deferred data sources,
	// actions.
	ApplyWork(lines []string)
	// Preflight shows what deployment validation found.
	Preflight(p *plan.Plan)
	// Locked warns that management locks refuse planned changes.
	Locked(p *plan.Plan)
	// Saved says the plan was written to path.
	Saved(path string)
	// Targeted warns that --target makes the run partial; applied says the
	// changes were made.
	Targeted(applied bool)
	// Prompt asks whether to go on; the command reads the answer.
	Prompt()
	// Cancelled says the user did not confirm.
	Cancelled()
	// Section starts a new part of the output (the apply after the plan).
	Section()
	// Summary shows how an apply or destroy ended.
	Summary(s Summary)
	// Outputs shows the output values after an apply.
	Outputs(outs []*config.Output)
	// Error shows an error; a *ConfigError shows as its diagnostics.
	Error(err error)
}

// Summary is how an apply or a destroy ended.
type Summary struct {
	// Command is "apply" or "destroy".
	Command string
	// Failed says an operation failed: the counts are of those that
	// finished.
	Failed                             bool
	Added, Changed, Destroyed, Actions int
	// RefreshOnly says apply --refresh-only accepted Drifted changes made
	// outside azapply into the state, and sent nothing.
	RefreshOnly bool
	Drifted     int
}

// NewOperation returns the view of command (plan, apply, destroy, drift,
// or show of a saved plan) in format. A format other than JSON or Markdown
// is Text: the command checks its --format, and reports a wrong one
// through the view it gets.
func NewOperation(command string, format Format, s Streams) Operation {
	if format == JSON {
		// apply and destroy write lines as they go; the others, one plan.
		return &jsonView{s: s, command: command, document: command != "apply" && command != "destroy"}
	}
	return &human{s: s, command: command, markdown: format == Markdown}
}
