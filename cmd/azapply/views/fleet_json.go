package views

import (
	"encoding/json"
	"io"

	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

// FleetJSONVersion is the version of the fleet's JSON document.
const FleetJSONVersion = "1.0"

// FleetDocument is `azapply fleet plan|drift --format json`: one document
// for the fleet, each stack's plan as `plan --format json` writes it.
type FleetDocument struct {
	FormatVersion string `json:"format_version"`
	// Command is "plan" or "drift".
	Command string `json:"command"`
	// Shard is "I/N"; "0/1" when the fleet is not sharded.
	Shard      string            `json:"shard"`
	Summary    FleetSummary      `json:"summary"`
	ExitStatus FleetExitStatus   `json:"exit_status"`
	Stacks     []FleetStackEntry `json:"stacks"`
}

// FleetSummary counts the stacks by status.
type FleetSummary struct {
	Stacks  int `json:"stacks"`
	Clean   int `json:"clean"`
	Changes int `json:"changes"`
	Drifted int `json:"drifted"`
	Failed  int `json:"failed"`
	// Skipped counts the stacks given that belong to other shards.
	Skipped int `json:"skipped"`
	// Throttled counts the 429 responses ARM sent the fleet.
	Throttled int `json:"throttled"`
}

// FleetExitStatus is the fleet's exit code with --detailed-exitcode.
type FleetExitStatus struct {
	DetailedExitCode int `json:"detailed_exit_code"`
}

// FleetStackEntry is one stack.
type FleetStackEntry struct {
	Dir string `json:"dir"`
	// Status is clean, changes, drifted or failed.
	Status string `json:"status"`
	// Count is the changes (plan) or drifted resources (drift).
	Count int `json:"count"`
	// Plan is the stack's plan, absent when it failed.
	Plan *plan.JSONPlan `json:"plan,omitempty"`
	// Diagnostics say why it failed.
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
}

// NewFleetDocument builds the JSON document of a report.
func NewFleetDocument(r *fleet.Report) FleetDocument {
	d := FleetDocument{
		FormatVersion: FleetJSONVersion,
		Command:       string(r.Kind),
		Shard:         r.Shard.String(),
		Summary: FleetSummary{Stacks: len(r.Stacks), Clean: r.Count(fleet.Clean), Changes: r.Count(fleet.Changes),
			Drifted: r.Count(fleet.Drifted), Failed: r.Count(fleet.Failed), Skipped: r.Skipped, Throttled: r.Throttled},
		ExitStatus: FleetExitStatus{DetailedExitCode: r.ExitCode(true)},
		Stacks:     []FleetStackEntry{},
	}
	for _, st := range r.Stacks {
		e := FleetStackEntry{Dir: st.Dir, Status: string(st.Status), Count: st.Count}
		if st.Plan != nil {
			jp := plan.ToJSON(st.Plan)
			e.Plan = &jp
		}
		if st.Err != nil {
			e.Diagnostics = Diagnostics(st.Err)
		}
		d.Stacks = append(d.Stacks, e)
	}
	return d
}

func fleetJSON(w io.Writer, r *fleet.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewFleetDocument(r))
}
