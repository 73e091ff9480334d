package state

import (
	"slices"
	"strings"
)

// ImmutableChanged names the state's learned immutable paths among the
// changes given to Save, beside the addresses of the resources that changed.
const ImmutableChanged = "(immutable)"

// LearnImmutable records that the service refused to change path in place
// on resources of type typ (ARM answered PropertyChangeNotAllowed or an
// *UpdateNotPermitted code naming it), so that later plans replace such a
// resource when path changes. Types compare case-insensitively; it reports
// whether the path was new.
func (s *State) LearnImmutable(typ, path string) bool {
	typ, path = strings.ToLower(typ), strings.TrimSpace(path)
	if typ == "" || path == "" {
		return false
	}
	for _, p := range s.Immutable[typ] {
		if strings.EqualFold(p, path) {
			return false
		}
	}
	if s.Immutable == nil {
		s.Immutable = map[string][]string{}
	}
	paths := append(slices.Clone(s.Immutable[typ]), path)
	slices.Sort(paths)
	s.Immutable[typ] = paths
	return true
}

// ImmutablePaths returns the paths learned for resources of type typ (see
// LearnImmutable), sorted.
func (s *State) ImmutablePaths(typ string) []string {
	return s.Immutable[strings.ToLower(typ)]
}

func cloneImmutable(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// normalizeImmutable returns m with lower-cased types and sorted, distinct,
// non-empty paths; nil when nothing is left.
func normalizeImmutable(m map[string][]string) map[string][]string {
	var out map[string][]string
	for typ, paths := range m {
		for _, p := range paths {
			s := &State{Immutable: out}
			s.LearnImmutable(typ, p)
			out = s.Immutable
		}
	}
	return out
}
