package plan

import (
	"encoding/json"
	"io"
)

// JSONFormatVersion is the version of the machine-readable plan format
// (see json-format.md). A new field keeps the version; a change in the
// meaning or the removal of a field bumps it.
const JSONFormatVersion = "1.0"

// JSONPlan is the machine-readable plan, for policy tools and bots. Every
// sensitive value is "(sensitive)".
type JSONPlan struct {
	FormatVersion   string             `json:"format_version"`
	RefreshOnly     bool               `json:"refresh_only"`
	Summary         JSONSummary        `json:"summary"`
	ResourceChanges []JSONChange       `json:"resource_changes"`
	Drift           []JSONDrift        `json:"drift"`
	KeptDifferently []JSONKept         `json:"kept_differently"`
	OutputChanges   []JSONOutputChange `json:"output_changes"`
	ExitStatus      JSONExitStatus     `json:"exit_status"`
	State           JSONStateVersion   `json:"state"`
	// Preflight is what deployment validation found (plan --preflight).
	Preflight *PreflightReport `json:"preflight,omitempty"`
}

// JSONSummary counts the changes as the text summary line does.
type JSONSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Import  int `json:"import"`
	Drifted int `json:"drifted"`
	// Dropped counts the live values, not in the configuration, that the
	// updates' requests remove.
	Dropped int `json:"dropped"`
	// UnmanagedDeletes counts the resources azapply does not manage that
	// the plan deletes with their resource groups.
	UnmanagedDeletes int `json:"unmanaged_deletes"`
}

// JSONExitStatus is what --detailed-exitcode returns for this plan.
type JSONExitStatus struct {
	Changes bool `json:"changes"`
	Drift   bool `json:"drift"`
	// DetailedExitCode is 2 when there is something to do (drift, for a
	// refresh-only plan), else 0.
	DetailedExitCode int `json:"detailed_exit_code"`
}

// JSONStateVersion names the state the plan was made from.
type JSONStateVersion struct {
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
}

// JSONChange is one resource's planned action.
type JSONChange struct {
	Address    string `json:"address"`
	ID         string `json:"id"`
	APIVersion string `json:"api_version"`
	Action     Action `json:"action"`
	Import     bool   `json:"import,omitempty"`
	PriorID    string `json:"prior_id,omitempty"`
	MovedFrom  string `json:"moved_from,omitempty"`
	// CreateBeforeDestroy says a replace creates the new resource first.
	CreateBeforeDestroy bool     `json:"create_before_destroy,omitempty"`
	DeletedWith         string   `json:"deleted_with,omitempty"`
	DependsOn           []string `json:"depends_on,omitempty"`
	After               any      `json:"after,omitempty"`
	// Request is the exact request apply sends for a create, a replace's
	// create or an update, sensitive values "(sensitive)" and values known
	// only after apply "(known after apply)".
	Request *JSONRequest `json:"request,omitempty"`
	Paths   []JSONPath   `json:"paths"`
	// Contents is what a resource group the plan deletes holds.
	Contents *JSONContents `json:"contents,omitempty"`
	// ReplaceReason says why a replace that no path forces is one.
	ReplaceReason string `json:"replace_reason,omitempty"`
	// Locks are the management locks that refuse it.
	Locks []Lock `json:"locks,omitempty"`
	// SoftDelete says what its delete leaves and what its create recovers
	// or purges.
	SoftDelete *SoftDeleteNote `json:"soft_delete,omitempty"`
	// PreflightErrors are what deployment validation found wrong with it.
	PreflightErrors []PreflightError `json:"preflight_errors,omitempty"`
}

// JSONRequest is the method and body of a write.
type JSONRequest struct {
	Method string         `json:"method"`
	Body   map[string]any `json:"body"`
}

// JSONContents is what a resource group held when the plan listed it.
type JSONContents struct {
	DeleteUnmanaged bool            `json:"delete_unmanaged"`
	Resources       []JSONContained `json:"resources"`
}

// JSONContained is one resource inside a resource group the plan deletes.
type JSONContained struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Managed     bool   `json:"managed"`
	Address     string `json:"address,omitempty"`
	NotTargeted bool   `json:"not_targeted,omitempty"`
}

// JSONPath is one changed path. Action is "add" (no before), "remove" (no
// after) or "change" (both).
type JSONPath struct {
	Path          string `json:"path"`
	Action        string `json:"action"`
	Before        any    `json:"before,omitempty"`
	After         any    `json:"after,omitempty"`
	Sensitive     bool   `json:"sensitive,omitempty"`
	ForcesReplace bool   `json:"forces_replacement,omitempty"`
	ReplaceReason string `json:"replace_reason,omitempty"`
	Declared      *bool  `json:"declared,omitempty"`
	// NotReturned (kept_differently only): a declared value the service
	// did not return after the write.
	NotReturned bool `json:"not_returned,omitempty"`
	// Dropped: a live value not in the configuration that the update's
	// request removes.
	Dropped bool `json:"dropped,omitempty"`
}

// JSONDrift is what changed outside azapply on one resource.
type JSONDrift struct {
	Address string     `json:"address"`
	ID      string     `json:"id"`
	Deleted bool       `json:"deleted"`
	Paths   []JSONPath `json:"paths"`
}

// JSONKept lists one resource's values the service keeps differently.
type JSONKept struct {
	Address string     `json:"address"`
	Paths   []JSONPath `json:"paths"`
}

// ToJSON builds the machine-readable form of a plan.
func ToJSON(p *Plan) JSONPlan {
	add, change, destroy := p.Summary()
	out := JSONPlan{
		FormatVersion: JSONFormatVersion,
		RefreshOnly:   p.RefreshOnly,
		Summary: JSONSummary{Add: add, Change: change, Destroy: destroy, Import: p.Imports(), Drifted: len(p.Drift),
			Dropped: p.Dropped(), UnmanagedDeletes: p.UnmanagedDeletes()},
		ExitStatus:      JSONExitStatus{Changes: p.HasChanges() || p.HasOutputChanges(), Drift: p.HasDrift(), DetailedExitCode: DetailedExitCode(p)},
		OutputChanges:   jsonOutputChanges(p),
		State:           JSONStateVersion{Lineage: p.Lineage, Serial: p.Serial},
		ResourceChanges: []JSONChange{},
		Drift:           []JSONDrift{},
		KeptDifferently: []JSONKept{},
		Preflight:       p.Preflight,
	}
	for _, c := range p.Changes {
		jc := JSONChange{
			Address: c.Address, ID: c.ID, APIVersion: c.APIVersion, Action: c.Action,
			Import: c.Import, PriorID: c.PriorID, MovedFrom: c.MovedFrom, CreateBeforeDestroy: c.CreateBeforeDestroy, DeletedWith: c.DeletedWith, DependsOn: c.DependsOn,
			Paths: jsonPaths(c.Paths, false), ReplaceReason: c.ReplaceReason, Locks: c.Locks, SoftDelete: c.SoftDelete, PreflightErrors: c.PreflightErrors,
		}
		if c.Action == Create || c.Action == Replace {
			jc.After = redactedBody(c)
		}
		if c.Request != nil {
			jc.Request = &JSONRequest{Method: c.Request.Method, Body: redactedRequest(c)}
		}
		if c.Contents != nil {
			jc.Contents = &JSONContents{DeleteUnmanaged: c.Contents.DeleteUnmanaged, Resources: []JSONContained{}}
			for _, r := range c.Contents.Resources {
				jc.Contents.Resources = append(jc.Contents.Resources, JSONContained(r))
			}
		}
		out.ResourceChanges = append(out.ResourceChanges, jc)
		if len(c.KeptDifferently) > 0 {
			out.KeptDifferently = append(out.KeptDifferently, JSONKept{Address: c.Address, Paths: jsonPaths(c.KeptDifferently, false)})
		}
	}
	for _, d := range p.Drift {
		out.Drift = append(out.Drift, JSONDrift{Address: d.Address, ID: d.ID, Deleted: d.Deleted, Paths: jsonPaths(d.Paths, true)})
	}
	return out
}

// DetailedExitCode is the --detailed-exitcode status of a plan that was
// made: 2 when applying it would change something (for a refresh-only plan:
// when anything drifted), else 0.
func DetailedExitCode(p *Plan) int {
	if p.RefreshOnly {
		if p.HasDrift() {
			return 2
		}
		return 0
	}
	if p.HasChanges() || p.HasOutputChanges() {
		return 2
	}
	return 0
}

func jsonPaths(pcs []PathChange, drift bool) []JSONPath {
	out := make([]JSONPath, 0, len(pcs))
	for _, pc := range pcs {
		jp := JSONPath{Path: pc.Path, Sensitive: pc.Sensitive, ForcesReplace: pc.ForcesReplace, ReplaceReason: pc.ReplaceReason, NotReturned: pc.NotReturned, Dropped: pc.Dropped}
		if drift {
			declared := pc.Declared
			jp.Declared = &declared
		}
		switch {
		case isAbsent(pc.Before):
			jp.Action = "add"
		case isAbsent(pc.After):
			jp.Action = "remove"
		default:
			jp.Action = "change"
		}
		if !isAbsent(pc.Before) {
			jp.Before = jsonValue(shown(pc.Before, pc.Sensitive))
		}
		if !isAbsent(pc.After) {
			jp.After = jsonValue(shown(pc.After, pc.Sensitive))
		}
		out = append(out, jp)
	}
	return out
}

// jsonValue keeps a JSON null visible (omitempty would drop a nil).
func jsonValue(v any) any {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

// redactedBody is a change's declared body with its sensitive values
// replaced.
func redactedBody(c *Change) map[string]any {
	r := sensitivityOf(c)
	out, _ := r.Redact(nil, c.Desired).(map[string]any)
	return out
}

// redactedRequest is a change's request body with its sensitive values
// replaced.
func redactedRequest(c *Change) map[string]any {
	r := sensitivityOf(c)
	out, _ := r.Redact(nil, c.Request.Body).(map[string]any)
	return out
}

// RenderJSON writes the plan as indented JSON.
func RenderJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToJSON(p))
}
