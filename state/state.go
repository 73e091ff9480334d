package state

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strings"
)

// FormatVersion is the version of the state file format this build writes.
const FormatVersion = 1

// State is the record of what azapply manages.
type State struct {
	Version int    `json:"version"`
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	// Resources are sorted by address.
	Resources []*Resource `json:"resources"`
}

// Resource is one managed resource.
type Resource struct {
	Address string `json:"address"`
	// ID keeps ARM's casing.
	ID         string `json:"id"`
	APIVersion string `json:"api_version"`
	// LastApplied is the body azapply last sent.
	LastApplied map[string]any `json:"last_applied"`
	// Output is the live body read right after the last apply.
	Output map[string]any `json:"output,omitempty"`
}

// New returns an empty state with a fresh lineage.
func New() *State {
	return &State{Version: FormatVersion, Lineage: newLineage()}
}

// Get returns the resource at address, or nil.
func (s *State) Get(address string) *Resource {
	for _, r := range s.Resources {
		if r.Address == address {
			return r
		}
	}
	return nil
}

// Set records r, replacing any resource at the same address.
func (s *State) Set(r *Resource) {
	for i, old := range s.Resources {
		if old.Address == r.Address {
			s.Resources[i] = r
			return
		}
	}
	s.Resources = append(s.Resources, r)
	sort.Slice(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address })
}

// Remove forgets the resource at address.
func (s *State) Remove(address string) {
	for i, r := range s.Resources {
		if r.Address == address {
			s.Resources = append(s.Resources[:i], s.Resources[i+1:]...)
			return
		}
	}
}

// FindID returns the resource whose ID equals id case-insensitively, or nil.
func (s *State) FindID(id string) *Resource {
	for _, r := range s.Resources {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

func newLineage() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
