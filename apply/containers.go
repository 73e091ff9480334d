package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/plan"
)

// checkGroup lists what a resource group holds right before apply deletes
// it, and refuses the delete when the plan did not list the group, or when
// it now holds a resource the plan did not list: deleting a group deletes
// everything in it, and apply deletes only what the plan showed.
func (r *runner) checkGroup(ctx context.Context, n *node) error {
	c := n.change
	if c.Contents == nil {
		return fmt.Errorf("the plan did not list what resource group %s holds, and deleting it deletes everything in it, so azapply did not delete it: run plan again", n.id)
	}
	if u := c.Contents.Unmanaged(); u > 0 && !c.Contents.DeleteUnmanaged {
		return fmt.Errorf("resource group %s holds resources azapply does not manage, and delete_unmanaged_contents is not set, so azapply did not delete it", n.id)
	}
	l, ok := r.o.Client.(plan.Lister)
	if !ok {
		return fmt.Errorf("azapply cannot list what resource group %s holds right before deleting it, so it did not delete it", n.id)
	}
	now, err := plan.ListContents(ctx, l, n.id)
	if err != nil {
		return err
	}
	planned := make(map[string]bool, len(c.Contents.Resources))
	for _, x := range c.Contents.Resources {
		planned[armid.Key(x.ID)] = true
	}
	var surprises []string
	for _, it := range now {
		if !within(it.ID, planned) {
			surprises = append(surprises, fmt.Sprintf("    %s (%s)", it.ID, it.Type))
		}
	}
	if len(surprises) > 0 {
		return fmt.Errorf("resource group %s now holds what the plan did not list, and deleting it would delete that too, so azapply did not delete it:\n%s\nRun plan again and review what it deletes", n.id, strings.Join(surprises, "\n"))
	}
	return nil
}

// within reports whether id is one of the IDs in keys (by armid.Key) or
// lies inside one of them. An ID that does not parse is in none of them.
func within(id string, keys map[string]bool) bool {
	parsed, err := armid.Parse(id)
	if err != nil {
		return false
	}
	if keys[parsed.Key()] {
		return true
	}
	for _, a := range parsed.Ancestors() {
		if keys[a.Key()] {
			return true
		}
	}
	return false
}
