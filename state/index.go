package state

import (
	"slices"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm/armid"
)

// index finds a state's resources by address and by ID without a scan, so
// that recording one change in a state of thousands costs the same as in a
// state of ten. Set, Remove and Decode keep it; a state whose Resources were
// assigned directly (a literal, a copy) is indexed again by its next Set or
// Remove, and read by a scan until then.
type index struct {
	// owner, n and base say which slice the index was built for: a copied
	// State, or Resources reassigned or resized outside Set and Remove,
	// makes it stale.
	owner *State
	n     int
	base  **Resource
	// byAddr holds every resource; byID the IDs by armid.Key.
	byAddr map[string]*Resource
	byID   map[string]*Resource
	// sharedIDs is set once two resources carry the same ID: FindID then
	// scans, to return the first in address order as it always did.
	sharedIDs bool
}

// firstOf is the address of the slice's first element: it changes when
// the slice is replaced by another one.
func firstOf(rs []*Resource) **Resource {
	if len(rs) == 0 {
		return nil
	}
	return &rs[0]
}

// index returns the index when it is current, or nil: readers then scan.
// It never builds one, so that concurrent readers do not race.
func (s *State) index() *index {
	ix := s.idx
	if ix == nil || ix.owner != s || ix.n != len(s.Resources) || ix.base != firstOf(s.Resources) {
		return nil
	}
	return ix
}

// indexForChange returns the current index, building it (and sorting the
// resources, as Set always did) when it is stale. It returns nil for a
// state that records an address twice, which only a hand-edited file can:
// such a state is changed by scanning, as before.
func (s *State) indexForChange() *index {
	if ix := s.index(); ix != nil {
		return ix
	}
	s.reindex()
	return s.idx
}

// reindex builds the index of s from its resources.
func (s *State) reindex() {
	s.idx = nil
	if !sort.SliceIsSorted(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address }) {
		sort.SliceStable(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address })
	}
	ix := &index{owner: s, byAddr: make(map[string]*Resource, len(s.Resources)), byID: make(map[string]*Resource, len(s.Resources))}
	for _, r := range s.Resources {
		if r == nil {
			return
		}
		if _, dup := ix.byAddr[r.Address]; dup {
			return
		}
		ix.add(r)
	}
	ix.n, ix.base = len(s.Resources), firstOf(s.Resources)
	s.idx = ix
}

func (ix *index) add(r *Resource) {
	ix.byAddr[r.Address] = r
	key := armid.Key(r.ID)
	if other, ok := ix.byID[key]; ok && other != r {
		ix.sharedIDs = true
		if other.Address < r.Address {
			return
		}
	}
	ix.byID[key] = r
}

func (ix *index) forget(r *Resource) {
	delete(ix.byAddr, r.Address)
	key := armid.Key(r.ID)
	if ix.byID[key] == r {
		delete(ix.byID, key)
	}
}

// position finds address in the sorted resources: its index, or where it
// would be inserted. The caller holds a current index, and updates its
// slice fingerprint after changing the slice.
func (s *State) position(address string) (int, bool) {
	return slices.BinarySearchFunc(s.Resources, address, func(r *Resource, a string) int { return strings.Compare(r.Address, a) })
}

// setSlow and removeSlow change a state that cannot be indexed.
func (s *State) setSlow(r *Resource) {
	for i, old := range s.Resources {
		if old.Address == r.Address {
			s.Resources[i] = r
			return
		}
	}
	s.Resources = append(s.Resources, r)
	sort.Slice(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address })
}

func (s *State) removeSlow(address string) {
	for i, r := range s.Resources {
		if r.Address == address {
			s.Resources = append(s.Resources[:i], s.Resources[i+1:]...)
			return
		}
	}
}
