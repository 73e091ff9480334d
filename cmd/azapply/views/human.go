package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// human is the view for people: the plan as Terraform prints it (or as
// markdown), a plain line per progress event, errors on standard error.
type human struct {
	// mu keeps the lines of concurrent operations whole.
	mu       sync.Mutex
	s        Streams
	command  string
	markdown bool
}

func (h *human) Report(e apply.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	writeEvent(h.s.Out, e)
}

func (h *human) Plan(p *plan.Plan) error {
	if h.markdown {
		return plan.RenderMarkdown(h.s.Out, p, plan.MarkdownOptions{})
	}
	return plan.RenderText(h.s.Out, p, plan.TextOptions{Color: h.s.Color})
}

// ApplyWork, Preflight, Locked and Saved follow a text plan; a markdown
// one is a comment to paste, and leaves them out.

func (h *human) ApplyWork(lines []string) {
	if h.markdown || len(lines) == 0 {
		return
	}
	fmt.Fprintln(h.s.Out)
	for _, l := range lines {
		fmt.Fprintln(h.s.Out, l)
	}
}

func (h *human) Preflight(p *plan.Plan) {
	if h.markdown {
		return
	}
	h.ApplyWork(plan.PreflightLines(p))
}

func (h *human) Locked(p *plan.Plan) {
	if h.markdown {
		return
	}
	if locked := plan.LockedChanges(p); len(locked) > 0 {
		fmt.Fprintf(h.s.Out, "\nWarning: management locks refuse %d planned changes (marked LOCKED above): apply will start nothing until they are removed or the changes are dropped.\n", len(locked))
	}
}

func (h *human) Saved(path string) {
	if h.markdown {
		return
	}
	fmt.Fprintf(h.s.Out, "\nSaved the plan to %s. To apply exactly these changes, run: azapply apply %s\n", path, path)
}

func (h *human) Targeted(applied bool) {
	if applied {
		fmt.Fprintf(h.s.Err, "\nWarning: %s\n\n%s\n", targetedAppliedSummary, targetedAppliedDetail)
		return
	}
	fmt.Fprintf(h.s.Err, "Warning: %s\n\n%s\n\n", targetedSummary, targetedDetail)
}

func (h *human) Prompt() {
	fmt.Fprint(h.s.Out, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
}

func (h *human) Cancelled() {
	fmt.Fprintf(h.s.Err, "%s cancelled.\n", capitalized(h.command))
}

func (h *human) Section() { fmt.Fprintln(h.s.Out) }

func (h *human) Summary(s Summary) {
	switch {
	case s.RefreshOnly:
		fmt.Fprintf(h.s.Out, "\nApply complete! The state now records what changed outside azapply (%d drifted); nothing was sent to Azure.\n", s.Drifted)
	case s.Command == "destroy" && s.Failed:
		fmt.Fprintf(h.s.Out, "\nDestroy failed. Resources: %d destroyed. The state records what finished; run destroy again to continue.\n", s.Destroyed)
	case s.Command == "destroy":
		fmt.Fprintf(h.s.Out, "\nDestroy complete! Resources: %d destroyed.\n", s.Destroyed)
	case s.Failed:
		fmt.Fprintf(h.s.Out, "\nApply failed. Resources: %d added, %d changed, %d destroyed. The state records what finished; run apply again to continue.\n", s.Added, s.Changed, s.Destroyed)
	default:
		fmt.Fprintf(h.s.Out, "\nApply complete! Resources: %d added, %d changed, %d destroyed.", s.Added, s.Changed, s.Destroyed)
		if s.Actions > 0 {
			fmt.Fprintf(h.s.Out, " Actions: %d run.", s.Actions)
		}
		fmt.Fprintln(h.s.Out)
	}
}

// Outputs lists the output values as Terraform does; sensitive ones print
// as (sensitive).
func (h *human) Outputs(outs []*config.Output) {
	if len(outs) == 0 {
		return
	}
	fmt.Fprint(h.s.Out, "\nOutputs:\n\n")
	for _, o := range outs {
		text := "(sensitive)"
		if !sensitive(o) {
			b, err := json.Marshal(config.ToJSONValue(o.Value))
			if err != nil {
				continue
			}
			text = string(b)
		}
		fmt.Fprintf(h.s.Out, "%s = %s\n", o.Name, text)
	}
}

func (h *human) Error(err error) { _ = WriteError(h.s.Err, err, h.s.Color) }

// sensitive says an output's value must not be shown: declared so, or
// made of a sensitive value.
func sensitive(o *config.Output) bool {
	return o.Sensitive || o.Value.ContainsMarked()
}

func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
