package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

// fleetText writes a line per stack, the counts, then the details of each
// stack that is not clean: its plan as `plan` (or `drift`) prints it, or
// its error as the command would show it.
func fleetText(w io.Writer, r *fleet.Report, color bool) error {
	if len(r.Stacks) == 0 {
		_, err := fmt.Fprintln(w, emptyShard(r))
		return err
	}
	title := "azapply fleet " + string(r.Kind)
	if r.Shard.Count > 1 {
		title += fmt.Sprintf(" (shard %s: %d of the %d stacks given)", r.Shard, len(r.Stacks), len(r.Stacks)+r.Skipped)
	}
	fmt.Fprintln(w, title)
	fmt.Fprintln(w)
	width := 0
	for _, st := range r.Stacks {
		width = max(width, len(st.Dir))
	}
	for _, st := range r.Stacks {
		fmt.Fprintf(w, "  %-*s  %s\n", width, st.Dir, fleetStatus(st))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, fleetSummary(r))
	for _, st := range r.Stacks {
		if st.Status == fleet.Clean {
			continue
		}
		fmt.Fprintf(w, "\n%s %s %s\n\n", strings.Repeat("─", 3), st.Dir, strings.Repeat("─", max(3, 60-len(st.Dir))))
		if st.Status == fleet.Failed {
			if err := WriteError(w, st.Err, color); err != nil {
				return err
			}
			continue
		}
		if err := plan.RenderText(w, st.Plan, plan.TextOptions{Color: color}); err != nil {
			return err
		}
	}
	return nil
}
