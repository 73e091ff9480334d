package export

import (
	"strings"

	"github.com/azapply/azapply/arm/armid"
)

// graph knows the exported resources by ID and the dependencies the
// configuration will have between them: containment (a resource depends
// on the exported resources above it) and the references export writes.
type graph struct {
	byID map[string]*Resource
	deps map[*Resource]map[*Resource]bool
}

func newGraph(res []*Resource) *graph {
	g := &graph{byID: map[string]*Resource{}, deps: map[*Resource]map[*Resource]bool{}}
	for _, r := range res {
		g.byID[armid.Key(r.ID)] = r
		g.deps[r] = map[*Resource]bool{}
	}
	for _, r := range res {
		for _, o := range res {
			if o != r && armid.IsUnder(r.ID, o.ID) {
				g.deps[r][o] = true
			}
		}
	}
	return g
}

// ancestor is the nearest exported resource that contains r, or nil.
func (g *graph) ancestor(r *Resource) *Resource {
	var best *Resource
	for d := range g.deps[r] {
		if armid.IsUnder(r.ID, d.ID) && (best == nil || len(d.ID) > len(best.ID)) {
			best = d
		}
	}
	return best
}

// reference is the expression that writes s, a string in from's body, as
// a reference to an exported resource: resource.NAME.id for its ID, a
// template on it for an ID under it. It is "" when s is no such ID, when
// the resource is from itself or lies under it, or when the reference
// would close a dependency cycle; the reference is recorded otherwise.
func (g *graph) reference(from *Resource, s string) string {
	if !strings.HasPrefix(s, "/") {
		return ""
	}
	if _, err := armid.Parse(s); err != nil {
		return ""
	}
	var to *Resource
	if r, ok := g.byID[armid.Key(s)]; ok {
		to = r
	} else {
		for _, r := range g.byID {
			if armid.IsUnder(s, r.ID) && (to == nil || len(r.ID) > len(to.ID)) {
				to = r
			}
		}
	}
	if to == nil || to == from || armid.IsUnder(to.ID, from.ID) {
		return ""
	}
	if !g.deps[from][to] && g.reaches(to, from, map[*Resource]bool{}) {
		return ""
	}
	g.deps[from][to] = true
	// The part below the resource, in the one spelling of the ID: s may
	// write its slashes or keywords otherwise.
	return template(to.Name, armid.Canonical(s)[len(armid.Canonical(to.ID)):])
}

// reaches reports whether a depends on b, directly or not.
func (g *graph) reaches(a, b *Resource, seen map[*Resource]bool) bool {
	if a == b {
		return true
	}
	if seen[a] {
		return false
	}
	seen[a] = true
	for d := range g.deps[a] {
		if g.reaches(d, b, seen) {
			return true
		}
	}
	return false
}
