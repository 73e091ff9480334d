package apply

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// refusesInPlace reports whether an ARM error says the service cannot
// change a property in place: PropertyChangeNotAllowed, or a code ending in
// UpdateNotPermitted (RoleAssignmentUpdateNotPermitted, ...), at the top
// or among its details.
func refusesInPlace(err error) (*arm.Error, bool) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return nil, false
	}
	if refusalCode(ae.Code) {
		return ae, true
	}
	for _, d := range ae.Details {
		if refusalCode(d.Code) {
			return ae, true
		}
	}
	return nil, false
}

func refusalCode(code string) bool {
	return strings.EqualFold(code, "PropertyChangeNotAllowed") || strings.HasSuffix(strings.ToLower(code), "updatenotpermitted")
}

// quoted finds the names a message quotes ('x', "x" or `x`).
var quoted = regexp.MustCompile("['\"`]([A-Za-z0-9_.\\[\\]*]+)['\"`]")

// refusedPaths returns the changed paths of c that ARM's refusal names: by
// its target (or a detail's), or a name it quotes, matching a path whole
// or its last segments ("principalId" names properties.principalId). When
// it names none and c changes exactly one path, that path is the one
// refused.
func refusedPaths(ae *arm.Error, c *plan.Change) []string {
	var names []string
	add := func(target, message string) {
		if t := strings.TrimSpace(target); t != "" {
			names = append(names, t)
		}
		for _, m := range quoted.FindAllStringSubmatch(message, -1) {
			names = append(names, m[1])
		}
	}
	add(ae.Target, ae.Message)
	for _, d := range ae.Details {
		add(d.Target, d.Message)
	}
	var out []string
	for _, pc := range c.Paths {
		for _, n := range names {
			if namesPath(n, pc.Path) {
				out = append(out, pc.Path)
				break
			}
		}
	}
	if len(out) == 0 && len(c.Paths) == 1 {
		out = []string{c.Paths[0].Path}
	}
	return out
}

// namesPath reports whether name is path, or its last segments.
func namesPath(name, path string) bool {
	name, path = strings.ToLower(strings.TrimPrefix(name, "$.")), strings.ToLower(path)
	return name == path || strings.HasSuffix(path, "."+name)
}

// learnRefusal records in the state, when err is ARM refusing to change a
// property of c in place, which paths of its type the service does not
// change in place, so that the next plan replaces the resource instead.
// It returns err, with what to do next when something was learned.
// Callers do not hold r.mu.
func (r *runner) learnRefusal(c *plan.Change, err error) error {
	ae, ok := refusesInPlace(err)
	if !ok {
		return err
	}
	paths := refusedPaths(ae, c)
	id, perr := armid.Parse(c.ID)
	if len(paths) == 0 || perr != nil {
		return err
	}
	typ := id.ResourceType()
	r.mu.Lock()
	defer r.mu.Unlock()
	learned := false
	for _, p := range paths {
		learned = r.o.State.LearnImmutable(typ, p) || learned
	}
	if learned {
		if serr := r.save(state.ImmutableChanged); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return fmt.Errorf("%w\nThe service does not change %s of %s in place; azapply recorded it in the state, and the next plan replaces the resource (delete, then create) when it changes. Run plan again and review the replacement (no replace_on_changes needed), or set update_in_place = [%q] on the resource to keep trying in place",
		err, strings.Join(paths, ", "), typ, paths[0])
}
