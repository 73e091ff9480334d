package plan

import "github.com/azapply/azapply/body"

// Drift is what changed on one resource outside azapply since the last
// apply: the live body against the output recorded right after that apply.
type Drift struct {
	Address string `json:"address"`
	ID      string `json:"id"`
	// Deleted is true when the resource is gone from Azure.
	Deleted bool `json:"deleted,omitempty"`
	// Paths are the differences, Before from the output, After live. A path
	// whose Declared is true is also a planned change back.
	Paths []PathChange `json:"paths,omitempty"`
	// Live is the body read now (not saved in plan files).
	Live map[string]any `json:"-"`
}

// AcceptedOutput is the output to record when drift is accepted into the
// state (apply --refresh-only): see body.AcceptedOutput.
func AcceptedOutput(output map[string]any, d *Drift) map[string]any {
	return body.AcceptedOutput(output, d.Live, d.Paths)
}
