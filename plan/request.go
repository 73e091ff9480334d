package plan

import (
	"fmt"
	"sort"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/state"
)

// Request is the exact request apply sends for a create or an update.
type Request = body.Request

// UpdateBody is how an update's PUT body is built (body.UpdateMerge or
// body.UpdateDeclared).
type UpdateBody = body.UpdateBody

// RequestFor is the request apply sends for the change, with desired the
// declared body known in full (evaluated again after its dependencies were
// applied, or the planned one) and prior what the state records of the
// resource: built as the plan built it, from the live body it read.
func (c *Change) RequestFor(desired map[string]any, prior *state.Resource) (*Request, error) {
	switch c.Action {
	case Create, Replace:
		return &Request{Method: "PUT", Body: desired}, nil
	case Update:
		b := body.Bodies{Desired: desired, Live: c.Live, LastApplied: lastApplied(prior), Output: output(prior), Managed: prior != nil}
		req, err := body.BuildRequest(c.UpdateMethod, c.UpdateBody, b, c.rules)
		if err != nil {
			return nil, err
		}
		req.Body = body.WithoutElements(req.Body, c.leaveOut)
		return req, nil
	}
	return nil, fmt.Errorf("%s: a %s sends no body", c.Address, c.Action)
}

// leaveOutDeleted takes out of each update's request the inline children
// that the plan deletes, or replaces at the same ID (a subnet removed from
// the configuration, in the
// live body of its network): the deletes run first, and the network's PUT
// must not bring them back. The plan shows their deletes, which are the
// effect.
func leaveOutDeleted(changes []*Change) {
	deleted := map[string]bool{}
	for _, c := range changes {
		// A replace at the same ID deletes first too (its create comes
		// after the parent's update).
		sameID := c.Action == Replace && !c.CreateBeforeDestroy && (c.PriorID == "" || armid.Equal(c.PriorID, c.ID))
		if c.Action == Delete || sameID {
			deleted[armid.Key(c.ID)] = true
		}
	}
	if len(deleted) == 0 {
		return
	}
	for _, c := range changes {
		if c.Action != Update || c.Request == nil {
			continue
		}
		var out []string
		for id := range deleted {
			if armid.IsUnder(id, c.ID) {
				out = append(out, id)
			}
		}
		if len(out) == 0 {
			continue
		}
		sort.Strings(out)
		c.leaveOut = out
		c.Request.Body = body.WithoutElements(c.Request.Body, out)
	}
}
