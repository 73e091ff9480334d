package apply

import (
	"log/slog"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// node is one operation of the walk.
type node struct {
	change *plan.Change
	op     Op
	// id is the resource the operation acts on (the prior ID for the delete
	// half of a replace to a new ID).
	id   string
	deps []*node
}

// phases builds the three walks of Run, drops from the state the resources
// the plan found already gone and records those imported with nothing to
// change; changed lists their addresses.
func (r *runner) phases() (phases [][]*node, changed []string) {
	var deletes, puts, late []*node
	byAddr := map[string]*node{}
	for _, c := range r.o.Plan.Changes {
		switch c.Action {
		case plan.Delete:
			if c.DeletedWith != "" {
				// Its resource group's delete removes it: no DELETE of its own.
				r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
				continue
			}
			deletes = append(deletes, &node{change: c, op: OpDelete, id: c.ID})
		case plan.Replace:
			if c.DeletedWith != "" {
				// Its resource group's delete removes it; it is created
				// again after the group.
				r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
			} else if c.PriorID != "" && !armid.Equal(c.PriorID, c.ID) {
				// A new ID: create the new one, then delete the old one.
				late = append(late, &node{change: c, op: OpDelete, id: c.PriorID})
			} else {
				deletes = append(deletes, &node{change: c, op: OpDelete, id: c.ID})
			}
			n := &node{change: c, op: OpCreate, id: c.ID}
			puts = append(puts, n)
			byAddr[c.Address] = n
		case plan.Create, plan.Update:
			op := OpCreate
			if c.Action == plan.Update {
				op = OpUpdate
			}
			n := &node{change: c, op: op, id: c.ID}
			puts = append(puts, n)
			byAddr[c.Address] = n
		case plan.Forget:
			r.o.State.Remove(c.Address)
			changed = append(changed, c.Address)
		case plan.NoOp:
			if c.Import && c.Live != nil && c.Desired != nil && !hasUnknown(c.Desired) {
				// Taken over with nothing to change: record it, its
				// sensitive values hashed as after any write.
				if err := r.o.State.RecordApplied(c.Address, liveID(c.Live, c.ID), c.APIVersion, c.Desired, c.Live, r.sensitive(c.Address)); err != nil {
					slog.Warn("recording an imported resource without its bodies", "address", c.Address, "error", err)
					r.o.State.Set(&state.Resource{Address: c.Address, ID: liveID(c.Live, c.ID), APIVersion: c.APIVersion})
				}
				r.outputs[c.Address] = c.Live
				changed = append(changed, c.Address)
			}
		}
	}
	for _, in := range r.o.Deferred {
		n := &node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpRead, id: in.ID}
		puts = append(puts, n)
		byAddr[in.Address] = n
	}
	for _, in := range r.o.Actions {
		n := &node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpPost, id: in.ID}
		puts = append(puts, n)
		byAddr[in.Address] = n
	}
	for _, n := range puts {
		for _, d := range n.change.DependsOn {
			if dn, ok := byAddr[d]; ok {
				n.deps = append(n.deps, dn)
			}
		}
	}
	linkDeletes(deletes)
	linkDeletes(late)
	return [][]*node{deletes, puts, late}, changed
}

// linkDeletes makes the delete of a resource wait for the deletes of
// everything inside it.
// Each ID's containers are found by looking up its ancestors, so the cost
// grows with the number of deletes times the depth of the IDs, not with
// the square of the number of deletes.
func linkDeletes(nodes []*node) {
	byID := make(map[string][]*node, len(nodes))
	for _, n := range nodes {
		k := armid.Key(n.id)
		byID[k] = append(byID[k], n)
	}
	for _, child := range nodes {
		id, err := armid.Parse(child.id)
		if err != nil {
			// Config checked every ID it declares: none is here.
			continue
		}
		for _, a := range id.Ancestors() {
			for _, parent := range byID[a.Key()] {
				parent.deps = append(parent.deps, child)
			}
		}
	}
}
