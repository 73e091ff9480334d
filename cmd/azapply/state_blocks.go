package main

import (
	"context"
	"fmt"
	"io"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// stateBlocks applies the configuration's import and removed blocks to st,
// in memory: plan shows their effect, and apply stores it (savePending). It
// returns one line per change, for the person reading the plan.
//
// An import block whose address the state already records is done and
// skipped; one whose resource does not exist is an error. A removed block
// with destroy = false forgets the resource (nothing is sent to Azure);
// with destroy = true the resource stays in the state, so that the plan
// deletes it like any resource no longer declared.
func stateBlocks(ctx context.Context, client interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}, cfg *config.Config, insts []*config.Instance, st *state.State) ([]string, error) {
	var notes []string
	declared := map[string]bool{}
	for _, in := range insts {
		declared[in.Address] = true
	}
	for _, rm := range cfg.Removed {
		if declared[rm.From] {
			return nil, fmt.Errorf("%s: %s is both declared and in a removed block: delete its resource block, or the removed block", rm.DeclRange.String(), rm.From)
		}
		if rm.Destroy || st.Get(rm.From) == nil {
			continue
		}
		st.Remove(rm.From)
		notes = append(notes, fmt.Sprintf("%s will be removed from the state and left in Azure (removed block, destroy = false).", rm.From))
	}
	for _, im := range cfg.Imports {
		if st.Get(im.To) != nil {
			continue
		}
		r, err := importResource(ctx, client, insts, st, im.To, im.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: import block: %w", im.DeclRange.String(), err)
		}
		notes = append(notes, fmt.Sprintf("%s will be imported [id=%s] (import block).", im.To, r.ID))
	}
	return notes, nil
}

// printNotes writes the state blocks' changes above the plan.
func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
}

// savePending stores what the import and removed blocks changed in the state.
func (w *workspace) savePending(ctx context.Context) error {
	if len(w.notes) == 0 {
		return nil
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return fmt.Errorf("recording the import and removed blocks: %w", err)
	}
	w.notes = nil
	return nil
}
