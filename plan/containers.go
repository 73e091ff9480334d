package plan

// This file holds what a plan does about the resource groups it deletes
// (DESIGN.md, "The request"): deleting a group deletes everything in it, so
// the plan lists what it holds, names what azapply does not manage and
// refuses that unless the configuration allows it, and plans the managed
// resources inside as deleted with the group, prevent_destroy included.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
)

// ResourcesAPIVersion is the api-version of a resource group's list of
// resources (GET {group}/resources).
const ResourcesAPIVersion = "2021-04-01"

// IsResourceGroup reports whether id is a resource group's ID.
func IsResourceGroup(id string) bool {
	p, err := armid.Parse(id)
	return err == nil && strings.EqualFold(p.ResourceType(), "Microsoft.Resources/resourceGroups")
}

// ListContents lists what a resource group holds (GET {group}/resources,
// every page), outermost first: an item that lies inside another listed
// item goes with that one and is left out. A group that does not exist
// holds nothing.
func ListContents(ctx context.Context, l Lister, groupID string) ([]Contained, error) {
	var items []Contained
	var bad error
	err := l.List(ctx, strings.TrimSuffix(groupID, "/")+"/resources", ResourcesAPIVersion, func(p arm.Page) bool {
		for _, item := range p.Items {
			id, _ := item["id"].(string)
			if id == "" {
				bad = fmt.Errorf("listing what resource group %s holds: ARM listed a resource without an id, so azapply cannot tell what it is", groupID)
				return false
			}
			typ, _ := item["type"].(string)
			items = append(items, Contained{ID: id, Type: typ})
		}
		return true
	})
	if arm.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing what resource group %s holds: %w", groupID, err)
	}
	if bad != nil {
		return nil, bad
	}
	sortContained(items)
	seen := make(map[string]int, len(items))
	var out []Contained
	for _, it := range items {
		if _, dup := seen[armid.Key(it.ID)]; dup || withinAny(it.ID, seen) {
			continue
		}
		seen[armid.Key(it.ID)] = len(out)
		out = append(out, it)
	}
	return out, nil
}

func sortContained(cs []Contained) {
	sort.SliceStable(cs, func(i, j int) bool { return armid.Key(cs[i].ID) < armid.Key(cs[j].ID) })
}

// deletedID is the ID a change deletes: a delete's own, or for a replace
// the prior one (a replace to a new ID) or its own; "" when it deletes
// nothing.
func deletedID(c *Change) string {
	switch c.Action {
	case Delete:
		return c.ID
	case Replace:
		if c.PriorID != "" {
			return c.PriorID
		}
		return c.ID
	}
	return ""
}

// containers finds the resource groups among changes (every change of the
// plan) that the plan deletes, lists what each holds (the lists run
// concurrently, Parallelism at a time), and plans what goes with it.
func (b *builder) containers(ctx context.Context, changes []*Change) {
	var groups []*Change
	byKey := map[string]int{}
	for _, c := range changes {
		if id := deletedID(c); id != "" && IsResourceGroup(id) {
			if _, dup := byKey[armid.Key(id)]; !dup {
				byKey[armid.Key(id)] = len(groups)
				groups = append(groups, c)
			}
		}
	}
	if len(groups) == 0 {
		return
	}
	l, ok := b.o.Reader.(Lister)
	if !ok {
		b.fail(errors.New("this plan deletes a resource group, and azapply cannot list what it holds with this reader: nothing inside it can be checked, so the plan stops here"))
		return
	}
	// The changes inside each group, found by the group's ID among the
	// prefixes of theirs.
	members := make([][]*Change, len(groups))
	planned := make(map[string]bool, len(changes))
	for _, c := range changes {
		planned[c.Address] = true
	}
	for _, c := range changes {
		if c.Action == Read || c.Action == Forget {
			continue
		}
		id := deletedID(c)
		if id == "" {
			id = c.ID
		}
		if g, ok := byKey[containerKey(armid.Key(id), byKey)]; ok && groups[g] != c {
			members[g] = append(members[g], c)
		}
	}
	listed := make([][]Contained, len(groups))
	errs := make([]error, len(groups))
	parallelism := b.o.Parallelism
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			listed[i], errs[i] = ListContents(ctx, l, deletedID(g))
		}()
	}
	wg.Wait()
	for i, g := range groups {
		if errs[i] != nil {
			b.fail(fmt.Errorf("%s: %w", g.Address, errs[i]))
			continue
		}
		b.container(g, listed[i], append(members[i], b.untargetedInside(g, planned)...))
	}
}

// untargetedInside plans, as deleted with the group g, the resources the
// state records inside it that the plan has no change for: those a
// --target run left out. They are managed here, so they are no unmanaged
// contents, and they go with the group, so their records must leave the
// state with it rather than stay behind, stale.
func (b *builder) untargetedInside(g *Change, planned map[string]bool) []*Change {
	gid := deletedID(g)
	var out []*Change
	for _, sr := range b.st.Resources {
		if planned[sr.Address] || !armid.IsUnder(sr.ID, gid) {
			continue
		}
		c := &Change{Address: sr.Address, ID: sr.ID, APIVersion: sr.APIVersion, Action: Delete, notTargeted: true}
		b.plan.Changes = append(b.plan.Changes, c)
		out = append(out, c)
	}
	return out
}

// containerKey is the longest proper prefix of key (on a segment boundary)
// that keys holds, or "".
func containerKey(key string, keys map[string]int) string {
	for j := strings.LastIndexByte(key, '/'); j > 0; j = strings.LastIndexByte(key[:j], '/') {
		if _, ok := keys[key[:j]]; ok {
			return key[:j]
		}
	}
	return ""
}

// container plans the group g from what it holds: listed, as ARM listed it,
// and inside, the plan's changes of resources inside it. Managed resources
// inside are deleted with it (an error for one the plan would create in a
// group it deletes); resources azapply does not manage are recorded in
// g.Contents, and are an error unless the configuration lets them go.
func (b *builder) container(g *Change, listed []Contained, inside []*Change) {
	gid := deletedID(g)
	contents := &Contents{DeleteUnmanaged: b.deleteUnmanaged(g.Address)}
	var managed []Contained
	for _, c := range inside {
		id := deletedID(c)
		if id == "" {
			id = c.ID
		}
		if c.Action == Create {
			if g.Action == Delete {
				b.fail(fmt.Errorf("%s would be created inside resource group %s, which this plan deletes (%s is no longer declared): declare the group again, or remove %s too", c.Address, gid, g.Address, c.Address))
			}
			continue // it does not exist yet: nothing of it goes with the group
		}
		managed = append(managed, Contained{ID: id, Type: typeOf(id), Managed: true, Address: c.Address, NotTargeted: c.notTargeted})
		deleteWith(c, g)
	}
	byID := make(map[string]int, len(managed))
	for i, m := range managed {
		byID[armid.Key(m.ID)] = i
	}
	for _, it := range listed {
		if i, ok := byID[armid.Key(it.ID)]; ok {
			if it.Type != "" {
				managed[i].Type = it.Type // ARM's spelling of the type
			}
			continue
		}
		if withinAny(it.ID, byID) {
			continue // it goes with the managed resource that holds it
		}
		contents.Resources = append(contents.Resources, it)
	}
	contents.Resources = append(contents.Resources, managed...)
	sortContained(contents.Resources)
	g.Contents = contents
	if contents.Unmanaged() > 0 && !contents.DeleteUnmanaged {
		b.fail(unmanagedError(g, gid, contents, b.settings[g.Address] != nil))
	}
}

// withinAny reports whether id lies inside one of the IDs keyed (by idKey)
// in ids.
func withinAny(id string, ids map[string]int) bool {
	k := armid.Key(id)
	for j := strings.LastIndexByte(k, '/'); j > 0; j = strings.LastIndexByte(k[:j], '/') {
		if _, ok := ids[k[:j]]; ok {
			return true
		}
	}
	return false
}

// typeOf is the resource type an ID names, or "".
func typeOf(id string) string {
	p, err := armid.Parse(id)
	if err != nil {
		return ""
	}
	return p.ResourceType()
}

// deleteWith plans c, a managed resource inside the group g, as deleted by
// g's delete. When g is deleted for good, so is c, even if it is still
// declared (the next plan creates it again); when g is replaced, c is
// created again after it.
func deleteWith(c, g *Change) {
	c.DeletedWith = g.Address
	c.KeptDifferently = nil
	switch {
	case g.Action == Delete && c.Action != Delete:
		c.Action, c.Paths, c.Import = Delete, nil, false
	case g.Action == Replace && (c.Action == NoOp || c.Action == Update):
		c.Action, c.Paths, c.Import = Replace, nil, false
	}
}

// deleteUnmanaged is the delete_unmanaged_contents setting of the resource
// at address: its block's, or for a block no longer declared, its removed
// block's.
func (b *builder) deleteUnmanaged(address string) bool {
	if in := b.settings[address]; in != nil {
		return in.DeleteUnmanagedContents
	}
	for _, rm := range b.removed {
		if rm.From == address {
			return rm.Destroy && rm.DeleteUnmanagedContents
		}
	}
	return false
}

// unmanagedError is the error of a plan that would delete resources
// azapply does not manage with their group, saying how to allow it.
func unmanagedError(g *Change, gid string, c *Contents, declared bool) error {
	var lines []string
	for _, r := range c.Resources {
		if !r.Managed {
			lines = append(lines, fmt.Sprintf("    %s (%s)", r.ID, r.Type))
		}
	}
	verb := "deleting"
	if g.Action == Replace {
		verb = "replacing (deleting, then creating)"
	}
	allow := fmt.Sprintf("set delete_unmanaged_contents = true in the resource block of %s", g.Address)
	if !declared {
		allow = fmt.Sprintf("add\n\n  removed {\n    from                      = %s\n    destroy                   = true\n    delete_unmanaged_contents = true\n  }\n\nto the configuration", g.Address)
	}
	them := plural(len(lines), "it", "them")
	return fmt.Errorf("%s: %s resource group %s would also delete %s that azapply does not manage:\n%s\nMove or delete %s first, or keep the group. If %s meant to go with it, %s",
		g.Address, verb, gid, resources(len(lines)), strings.Join(lines, "\n"), them, plural(len(lines), "it is", "they are"), allow)
}

// checkPreventDestroy refuses a plan that deletes a resource declared with
// prevent_destroy = true: on its own (destroy) or with the resource group
// that holds it. A replace of the resource itself is refused in declared.
func (b *builder) checkPreventDestroy(changes []*Change) {
	for _, c := range changes {
		in := b.settings[c.Address]
		if in == nil || !in.PreventDestroy {
			continue
		}
		switch {
		case c.DeletedWith != "" && b.o.Destroy:
			b.fail(fmt.Errorf("%s has prevent_destroy set, and this plan deletes it with %s: deleting a resource group deletes everything in it. Remove prevent_destroy from the block if you mean it", c.Address, c.DeletedWith))
		case c.DeletedWith != "":
			b.fail(fmt.Errorf("%s has prevent_destroy set, and this plan deletes it with %s: deleting a resource group deletes everything in it. Remove prevent_destroy to allow it, or keep %s in the configuration", c.Address, c.DeletedWith, c.DeletedWith))
		case c.Action == Delete:
			b.fail(fmt.Errorf("%s has prevent_destroy set, and this plan would destroy it. Remove prevent_destroy from the block if you mean it, or change the configuration so that the resource is kept", c.Address))
		}
	}
}

// settingsOf indexes instances by address.
func settingsOf(insts []*config.Instance) map[string]*config.Instance {
	m := make(map[string]*config.Instance, len(insts))
	for _, in := range insts {
		m[in.Address] = in
	}
	return m
}
