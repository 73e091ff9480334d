package plan

import (
	"sort"
	"strings"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// OutputChange is a change to one output value of the stack: apply records
// it in the state, and sends nothing to Azure for it.
type OutputChange struct {
	Name string
	// Action is Create, Update or Delete.
	Action Action
	// Before is the value the state records (Absent{} for a create); After
	// the value the configuration gives now (config.Unknown{} when it is
	// known only after apply, Absent{} for a delete). A sensitive output's
	// values are never held: both are body.Sensitive{}.
	Before, After any
	Sensitive     bool
}

// HasOutputChanges reports whether applying the plan would change an output
// value in the state.
func (p *Plan) HasOutputChanges() bool { return len(p.OutputChanges) > 0 }

// PlanOutputs compares the outputs the configuration gives now with those
// the state records, and sets p.OutputChanges: an output whose value changed
// with no resource changing (a data source that reads something new, an
// edited expression) is a change that apply records, as Terraform's
// "Changes to Outputs". Sensitive outputs compare by the state's salted
// hash; a value not known yet is a change unless it is recorded and nothing
// it reads changes (it then shows as known after apply).
func PlanOutputs(p *Plan, outs []*config.Output, st *state.State) {
	p.OutputChanges = nil
	declared := map[string]bool{}
	for _, o := range outs {
		declared[o.Name] = true
		var rec *state.Output
		if st != nil {
			rec = st.Outputs[o.Name]
		}
		sensitive := o.Sensitive || o.Value.ContainsMarked() || (rec != nil && rec.Sensitive)
		c := OutputChange{Name: o.Name, Sensitive: sensitive, Before: Absent{}}
		if rec != nil {
			c.Before = rec.Value
		}
		if !o.Value.IsWhollyKnown() {
			if rec != nil && !p.HasChanges() {
				continue // nothing it reads changes: it stays as recorded
			}
			c.After = config.Unknown{}
		} else {
			v := config.ToJSONValue(o.Value)
			if rec != nil && st.OutputMatches(rec, v, sensitive) {
				continue
			}
			c.After = v
		}
		c.Action = Update
		if rec == nil {
			c.Action = Create
		}
		if sensitive {
			c.Before, c.After = hideOutput(c.Before), hideOutput(c.After)
		} else {
			c.Before, c.After = hideNamedOutput(c.Before), hideNamedOutput(c.After)
		}
		p.OutputChanges = append(p.OutputChanges, c)
	}
	if st != nil {
		names := make([]string, 0, len(st.Outputs))
		for n := range st.Outputs {
			if !declared[n] {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			rec := st.Outputs[n]
			c := OutputChange{Name: n, Action: Delete, Before: rec.Value, After: Absent{}, Sensitive: rec.Sensitive}
			if c.Sensitive {
				c.Before = hideOutput(c.Before)
			} else {
				// A state written before azapply hashed outputs may hold
				// a listKeys answer in clear.
				c.Before = hideNamedOutput(c.Before)
			}
			p.OutputChanges = append(p.OutputChanges, c)
		}
	}
}

// hideOutput replaces a sensitive output's value, keeping Absent and
// Unknown, which tell no secret.
func hideOutput(v any) any {
	switch v.(type) {
	case Absent, config.Unknown:
		return v
	}
	return body.Sensitive{}
}

// hideNamedOutput replaces the secrets by name inside an output's value (a
// whole listKeys answer) with the marker.
func hideNamedOutput(v any) any {
	if _, ok := v.(map[string]any); !ok {
		if _, ok := v.([]any); !ok {
			return v
		}
	}
	r := &body.Compiled{}
	return r.Redact(nil, v)
}

// JSONOutputChange is one output change in the JSON plan. Before is absent
// for a create, After for a delete; a sensitive output's values are
// "(sensitive)", one known only after apply "(known after apply)".
type JSONOutputChange struct {
	Name      string `json:"name"`
	Action    Action `json:"action"`
	Before    any    `json:"before,omitempty"`
	After     any    `json:"after,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

func jsonOutputChanges(p *Plan) []JSONOutputChange {
	out := make([]JSONOutputChange, 0, len(p.OutputChanges))
	for _, c := range p.OutputChanges {
		jc := JSONOutputChange{Name: c.Name, Action: c.Action, Sensitive: c.Sensitive}
		if _, absent := c.Before.(Absent); !absent {
			jc.Before = jsonValue(c.Before)
		}
		if _, absent := c.After.(Absent); !absent {
			jc.After = jsonValue(c.After)
		}
		out = append(out, jc)
	}
	return out
}

// markdownOutputs is the "Changes to Outputs" section of a pull-request
// comment.
func markdownOutputs(p *Plan) string {
	if !p.HasOutputChanges() {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Changes to Outputs\n\n")
	var lines []string
	for _, c := range p.OutputChanges {
		lines = append(lines, outputChangeLine(c, func(s string) string { return s }))
	}
	b.WriteString(codeBlock(lines))
	return b.String()
}
