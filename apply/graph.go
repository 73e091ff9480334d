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

// graph is the operations of a run in its three phases: the deletes, the
// creates and updates (with the deferred reads and the actions), and the
// deletes of resources replaced by one at a new ID.
type graph struct {
	deletes, puts, late []*node
	// byAddr is the put of each address, for its dependants to wait for.
	byAddr map[string]*node
}

func (g *graph) put(n *node) {
	g.puts = append(g.puts, n)
	g.byAddr[n.change.Address] = n
}

// phases builds the three walks of Run, drops from the state the resources
// the plan found already gone and records those imported with nothing to
// change; changed lists their addresses.
func (r *runner) phases() (phases [][]*node, changed []string) {
	g := &graph{byAddr: map[string]*node{}}
	for _, c := range r.o.Plan.Changes {
		switch c.Action {
		case plan.Delete:
			r.addDelete(g, c)
		case plan.Replace:
			r.addReplace(g, c)
		case plan.Create:
			g.put(&node{change: c, op: OpCreate, id: c.ID})
		case plan.Update:
			g.put(&node{change: c, op: OpUpdate, id: c.ID})
		case plan.Forget:
			r.o.State.Remove(c.Address)
			changed = append(changed, c.Address)
		case plan.NoOp:
			if r.recordImported(c) {
				changed = append(changed, c.Address)
			}
		}
	}
	for _, in := range r.o.Deferred {
		g.put(&node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpRead, id: in.ID})
	}
	for _, in := range r.o.Actions {
		g.put(&node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpPost, id: in.ID})
	}
	for _, n := range g.puts {
		for _, d := range n.change.DependsOn {
			if dn, ok := g.byAddr[d]; ok {
				n.deps = append(n.deps, dn)
			}
		}
	}
	linkDeletes(g.deletes)
	linkDeletes(g.late)
	return [][]*node{g.deletes, g.puts, g.late}, changed
}

func (r *runner) addDelete(g *graph, c *plan.Change) {
	if c.DeletedWith != "" {
		// Its resource group's delete removes it: no DELETE of its own.
		r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
		return
	}
	g.deletes = append(g.deletes, &node{change: c, op: OpDelete, id: c.ID})
}

func (r *runner) addReplace(g *graph, c *plan.Change) {
	switch {
	case c.DeletedWith != "":
		// Its resource group's delete removes it; it is created again
		// after the group.
		r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
	case c.PriorID != "" && !armid.Equal(c.PriorID, c.ID):
		// A new ID: create the new one, then delete the old one.
		g.late = append(g.late, &node{change: c, op: OpDelete, id: c.PriorID})
	default:
		g.deletes = append(g.deletes, &node{change: c, op: OpDelete, id: c.ID})
	}
	g.put(&node{change: c, op: OpCreate, id: c.ID})
}

// recordImported records a resource taken over with nothing to change,
// its sensitive values hashed as after any write; it reports whether it
// did.
func (r *runner) recordImported(c *plan.Change) bool {
	if !c.Import || c.Live == nil || c.Desired == nil || hasUnknown(c.Desired) {
		return false
	}
	if err := r.o.State.RecordApplied(c.Address, liveID(c.Live, c.ID), c.APIVersion, c.Desired, c.Live, r.sensitive(c.Address)); err != nil {
		slog.Warn("recording an imported resource without its bodies", "address", c.Address, "error", err)
		r.o.State.Set(&state.Resource{Address: c.Address, ID: liveID(c.Live, c.ID), APIVersion: c.APIVersion})
	}
	r.outputs[c.Address] = c.Live
	return true
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
