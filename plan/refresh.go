package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// Reader reads live resources. *arm.Client is one.
type Reader interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}

// Make refreshes every declared and state-tracked resource and plans the
// changes that bring Azure to the configuration.
func Make(ctx context.Context, r Reader, insts []*config.Instance, st *state.State) (*Plan, error) {
	p := &Plan{}
	declared := map[string]bool{}
	for _, in := range insts {
		declared[in.Address] = true
		live, err := read(ctx, r, in.ID, in.APIVersion)
		if err != nil {
			return nil, err
		}
		desired, _ := config.ToJSONValue(in.Body).(map[string]any)
		c := &Change{
			Address: in.Address, ID: in.ID, APIVersion: in.APIVersion,
			Desired: desired, Live: live, DependsOn: in.DependsOn,
		}
		prior := st.Get(in.Address)
		switch {
		case prior != nil && !strings.EqualFold(prior.ID, in.ID):
			// The ID changed: the old resource goes, the new one comes.
			c.Action, c.PriorID = Replace, prior.ID
		case live == nil:
			c.Action = Create
		default:
			c.Paths = Diff(desired, live)
			c.Action = NoOp
			if len(c.Paths) > 0 {
				c.Action = Update
			}
		}
		p.Changes = append(p.Changes, c)
	}
	var gone []*Change
	for _, sr := range st.Resources {
		if declared[sr.Address] {
			continue
		}
		live, err := read(ctx, r, sr.ID, sr.APIVersion)
		if err != nil {
			return nil, err
		}
		c := &Change{Address: sr.Address, ID: sr.ID, APIVersion: sr.APIVersion, Live: live, Action: Delete}
		if live == nil {
			c.Action = Forget
		}
		gone = append(gone, c)
	}
	// Deletes go deepest ID first, so children go before their parents.
	sort.SliceStable(gone, func(i, j int) bool {
		return strings.Count(gone[i].ID, "/") > strings.Count(gone[j].ID, "/")
	})
	p.Changes = append(p.Changes, gone...)
	return p, nil
}

// read GETs a resource; absent (404) is a nil body, not an error.
func read(ctx context.Context, r Reader, id, apiVersion string) (map[string]any, error) {
	resp, err := r.Get(ctx, id, apiVersion)
	if arm.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", id, err)
	}
	if resp.Body == nil {
		return map[string]any{}, nil
	}
	return resp.Body, nil
}
