package views

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// jsonView writes JSON only on standard output, for bots: plan and drift
// the plan document, apply and destroy one object per line; diagnostics
// one object per line in both. The confirmation prompt, for a person at a
// terminal, goes to standard error.
type jsonView struct {
	// mu keeps concurrent lines whole.
	mu      sync.Mutex
	s       Streams
	command string
	// document writes the plan as the indented plan document (plan and
	// drift) instead of a "plan" line (apply and destroy).
	document bool
}

// progressLine is a progress event as a JSON line.
type progressLine struct {
	Type           string    `json:"type"`
	Time           time.Time `json:"time"`
	Event          string    `json:"event"`
	Operation      string    `json:"operation"`
	Address        string    `json:"address"`
	ID             string    `json:"id,omitempty"`
	Error          string    `json:"error,omitempty"`
	Message        string    `json:"message,omitempty"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
}

type planLine struct {
	Type string         `json:"type"`
	Plan *plan.JSONPlan `json:"plan"`
}

type summaryLine struct {
	Type      string `json:"type"`
	Command   string `json:"command"`
	Status    string `json:"status"`
	Added     int    `json:"added"`
	Changed   int    `json:"changed"`
	Destroyed int    `json:"destroyed"`
	Actions   int    `json:"actions"`
	// RefreshOnly and Drifted are apply --refresh-only's.
	RefreshOnly bool `json:"refresh_only,omitempty"`
	Drifted     int  `json:"drifted,omitempty"`
}

type outputValue struct {
	Sensitive bool `json:"sensitive"`
	Value     any  `json:"value,omitempty"`
}

type outputsLine struct {
	Type    string                 `json:"type"`
	Outputs map[string]outputValue `json:"outputs"`
}

// line writes v as one line of JSON.
func (j *jsonView) line(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value written here marshals; should one not, say so in
		// JSON rather than break the stream.
		b, _ = json.Marshal(Diagnostic{Type: "diagnostic", Severity: "error", Summary: fmt.Sprintf("writing JSON output: %v", err)})
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.s.Out.Write(append(b, '\n'))
}

func (j *jsonView) Report(e apply.Event) {
	j.line(progressLine{Type: "progress", Time: e.Time, Event: fmt.Sprint(e.Kind), Operation: fmt.Sprint(e.Op),
		Address: e.Address, ID: e.ID, Error: e.Error, Message: e.Message, ElapsedSeconds: e.Elapsed.Seconds()})
}

func (j *jsonView) Plan(p *plan.Plan) error {
	if j.document {
		j.mu.Lock()
		defer j.mu.Unlock()
		return plan.RenderJSON(j.s.Out, p)
	}
	jp := plan.ToJSON(p)
	j.line(planLine{Type: "plan", Plan: &jp})
	return nil
}

// ApplyWork, Preflight, Locked and Saved add nothing: the plan document
// holds what preflight found and which changes locks refuse.

func (j *jsonView) ApplyWork([]string)   {}
func (j *jsonView) Preflight(*plan.Plan) {}
func (j *jsonView) Locked(*plan.Plan)    {}
func (j *jsonView) Saved(string)         {}
func (j *jsonView) Section()             {}

func (j *jsonView) Targeted(applied bool) {
	d := Diagnostic{Type: "diagnostic", Severity: "warning", Summary: targetedSummary, Detail: targetedDetail}
	if applied {
		d.Summary, d.Detail = targetedAppliedSummary, targetedAppliedDetail
	}
	j.line(d)
}

func (j *jsonView) Prompt() {
	fmt.Fprint(j.s.Err, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
}

func (j *jsonView) Cancelled() {
	j.line(Diagnostic{Type: "diagnostic", Severity: "error", Summary: capitalized(j.command) + " cancelled."})
}

func (j *jsonView) Summary(s Summary) {
	status := "complete"
	if s.Failed {
		status = "failed"
	}
	j.line(summaryLine{Type: "summary", Command: s.Command, Status: status,
		Added: s.Added, Changed: s.Changed, Destroyed: s.Destroyed, Actions: s.Actions,
		RefreshOnly: s.RefreshOnly, Drifted: s.Drifted})
}

// Outputs writes every output as {sensitive, value}, a sensitive one
// without its value.
func (j *jsonView) Outputs(outs []*config.Output) {
	if len(outs) == 0 {
		return
	}
	all := make(map[string]outputValue, len(outs))
	for _, o := range outs {
		v := outputValue{Sensitive: sensitive(o)}
		if !v.Sensitive {
			v.Value = config.ToJSONValue(o.Value)
		}
		all[o.Name] = v
	}
	j.line(outputsLine{Type: "outputs", Outputs: all})
}

func (j *jsonView) Error(err error) {
	for _, d := range Diagnostics(err) {
		j.line(d)
	}
}
