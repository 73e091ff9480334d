package state

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
)

// FormatVersion is the version of the state file format this build writes.
// Version 1 had no salt, outputs or operations in flight; version 2 had no
// learned immutable paths (Immutable). Decode migrates both.
const FormatVersion = 3

// State is the record of what azapply manages.
type State struct {
	Version int `json:"version"`
	// Lineage is a UUID made once, when the state is created: two states
	// with different lineages are records of different stacks.
	Lineage string `json:"lineage"`
	// Serial goes up by one on every write.
	Serial int64 `json:"serial"`
	// Salt keys the HMAC that replaces sensitive values (see Redact). It is
	// random, made once per lineage, and never a secret's clear value.
	Salt string `json:"salt,omitempty"`
	// Resources are sorted by address. Change them with Set and Remove,
	// which keep them sorted and indexed.
	Resources []*Resource `json:"resources"`
	// Outputs are the output values of the last apply, by name.
	Outputs map[string]*Output `json:"outputs,omitempty"`
	// Immutable are the body paths the service refused to change in place,
	// by lower-cased resource type (see LearnImmutable): a change to one
	// is planned as a replacement.
	Immutable map[string][]string `json:"immutable,omitempty"`

	// idx finds resources by address and ID; see index.go.
	idx *index
	// shared shares the bodies RecordApplied records with those recorded
	// before (see compact); nil until the first.
	shared *interner
}

// Resource is one managed resource.
type Resource struct {
	Address string `json:"address"`
	// ID keeps ARM's casing.
	ID         string `json:"id"`
	APIVersion string `json:"api_version"`
	// LastApplied is the body azapply last sent, with sensitive values
	// replaced by their salted HMAC (see Redact).
	LastApplied map[string]any `json:"last_applied"`
	// Output is the live body read right after the last apply.
	Output map[string]any `json:"output,omitempty"`
	// InFlight is the long-running operation started on this resource and
	// not yet seen to finish: a rerun after a crash resumes polling it
	// instead of sending the request again. Nil when none is in flight.
	InFlight *Operation `json:"in_flight,omitempty"`
}

// Operation is a long-running ARM operation that was accepted and is being
// polled.
type Operation struct {
	// Method is the HTTP method that started it: PUT, PATCH, DELETE or POST.
	Method string `json:"method"`
	// PollingURL is where its status is read: the Azure-AsyncOperation or
	// Location header, or the resource URL when the resource's
	// provisioningState is polled.
	PollingURL string `json:"polling_url"`
	// Started is when the request was accepted.
	Started time.Time `json:"started"`
	// ResumeToken is what the ARM client needs to poll the operation again
	// from another process (polling URLs and the method, never a token).
	ResumeToken string `json:"resume_token,omitempty"`
	// Sent is the body of the PUT or PATCH, with sensitive values already
	// replaced by their hash: what becomes last-applied when it succeeds.
	Sent map[string]any `json:"sent,omitempty"`
}

// Output is one output value.
type Output struct {
	Value any `json:"value"`
	// Sensitive outputs are shown as (sensitive) and stored as an HMAC.
	Sensitive bool `json:"sensitive,omitempty"`
}

// New returns an empty state with a fresh lineage and salt.
func New() *State {
	return &State{Version: FormatVersion, Lineage: newLineage(), Salt: newSalt()}
}

// Get returns the resource at address, or nil.
func (s *State) Get(address string) *Resource {
	if ix := s.index(); ix != nil {
		if r := ix.byAddr[address]; r == nil || r.Address == address {
			return r
		}
	}
	for _, r := range s.Resources {
		if r.Address == address {
			return r
		}
	}
	return nil
}

// Set records r, replacing any resource at the same address. Every string
// that package secret names a secret in r's bodies is replaced by its salted
// hash first (r's fields are changed, its bodies copied where they change):
// the state never holds one in clear, whoever records it.
func (s *State) Set(r *Resource) {
	s.hideNamed(r)
	ix := s.indexForChange()
	if ix == nil {
		s.setSlow(r)
		return
	}
	i, found := s.position(r.Address)
	if found {
		ix.forget(s.Resources[i])
		s.Resources[i] = r
	} else {
		s.Resources = slices.Insert(s.Resources, i, r)
		ix.n, ix.base = len(s.Resources), firstOf(s.Resources)
	}
	ix.add(r)
}

// Remove forgets the resource at address.
func (s *State) Remove(address string) {
	ix := s.indexForChange()
	if ix == nil {
		s.removeSlow(address)
		return
	}
	i, found := s.position(address)
	if !found {
		return
	}
	ix.forget(s.Resources[i])
	s.Resources = slices.Delete(s.Resources, i, i+1)
	ix.n, ix.base = len(s.Resources), firstOf(s.Resources)
}

// FindID returns the resource whose ID names the same resource as id
// (armid.Equal: case-insensitively, in canonical form), or nil.
func (s *State) FindID(id string) *Resource {
	if ix := s.index(); ix != nil && !ix.sharedIDs {
		if r := ix.byID[armid.Key(id)]; r != nil {
			return r
		}
		return nil
	}
	for _, r := range s.Resources {
		if armid.Equal(r.ID, id) {
			return r
		}
	}
	return nil
}

// StartOperation records that op was accepted for the resource at address,
// so that a rerun after a crash can resume polling it. A resource that is not
// in the state yet (a create) is added with its ID and api-version and no
// last-applied body.
func (s *State) StartOperation(address, id, apiVersion string, op Operation) {
	r := s.Get(address)
	if r == nil {
		r = &Resource{Address: address, ID: id, APIVersion: apiVersion}
		s.Set(r)
	}
	r.InFlight = &op
	s.hideNamed(r)
}

// FinishOperation clears the operation in flight on the resource at address.
func (s *State) FinishOperation(address string) {
	if r := s.Get(address); r != nil {
		r.InFlight = nil
	}
}

// InFlight returns the resources with an operation in flight, in address
// order: what a rerun after a crash resumes polling before planning.
func (s *State) InFlight() []*Resource {
	var out []*Resource
	for _, r := range s.Resources {
		if r.InFlight != nil {
			out = append(out, r)
		}
	}
	return out
}

// Clone returns a deep copy of s, so that a caller can change one without
// the other (a plan keeps the state it saw while apply changes it).
func (s *State) Clone() *State {
	c := *s
	c.idx, c.shared = nil, nil
	c.Immutable = cloneImmutable(s.Immutable)
	c.Resources = make([]*Resource, len(s.Resources))
	for i, r := range s.Resources {
		rc := *r
		rc.LastApplied, _ = body.Copy(r.LastApplied).(map[string]any)
		rc.Output, _ = body.Copy(r.Output).(map[string]any)
		if r.InFlight != nil {
			op := *r.InFlight
			rc.InFlight = &op
		}
		c.Resources[i] = &rc
	}
	if s.Outputs != nil {
		c.Outputs = make(map[string]*Output, len(s.Outputs))
		for k, o := range s.Outputs {
			c.Outputs[k] = &Output{Value: body.Copy(o.Value), Sensitive: o.Sensitive}
		}
	}
	return &c
}

func newLineage() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newSalt() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
