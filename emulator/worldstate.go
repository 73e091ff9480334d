package emulator

import (
	"sort"
	"strings"
	"time"
)

// What the world file keeps besides the resources, so that a later run
// (the embedded emulator of the next command, `emulator serve` started
// again) finds it as it was: the soft-deleted resources, which hold their
// names until purged, and the registrations asked for, with when.

// deletedRecord is a soft-deleted resource on disk.
type deletedRecord struct {
	Resource      *Resource `json:"resource"`
	ResourceGroup string    `json:"resourceGroup,omitempty"`
	Location      string    `json:"location"`
	DeletedAt     time.Time `json:"deletedAt"`
}

// registrationRecord is a registration asked for on disk.
type registrationRecord struct {
	Subscription string    `json:"subscription"`
	Namespace    string    `json:"namespace"`
	Started      time.Time `json:"started"`
}

// deletedRecords are the soft-deleted resources, by ID. Callers hold the
// world lock.
func (s *Server) deletedRecords() []*deletedRecord {
	out := make([]*deletedRecord, 0, len(s.deleted))
	for _, d := range s.deleted {
		out = append(out, &deletedRecord{Resource: d.res, ResourceGroup: d.rg, Location: d.location, DeletedAt: d.deletedAt})
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].Resource.ID) < key(out[j].Resource.ID) })
	return out
}

// loadDeleted replaces the soft-deleted resources with recs, each held
// where keepDeleted would hold it. A record of a type that does not
// soft-delete, or whose ID does not parse, is left out. Callers hold the
// world lock.
func (s *Server) loadDeleted(recs []*deletedRecord) {
	s.deleted = map[string]*deletedResource{}
	for _, r := range recs {
		if r == nil || r.Resource == nil {
			continue
		}
		kind := softDeleteKindOf(r.Resource.Type)
		t, err := parseTarget(r.Resource.ID)
		if kind == nil || err != nil {
			continue
		}
		s.deleted[kind.recordKey(t.subscription, t.resourceGroup, r.Location, t.name)] = &deletedResource{
			res: r.Resource, sub: t.subscription, rg: t.resourceGroup, location: NormalizeLocation(r.Location), deletedAt: r.DeletedAt,
		}
	}
}

// registrationRecords are the registrations asked for, by subscription and
// namespace.
func (s *Server) registrationRecords() []*registrationRecord {
	s.regs.mu.Lock()
	defer s.regs.mu.Unlock()
	out := make([]*registrationRecord, 0, len(s.regs.started))
	for k, at := range s.regs.started {
		sub, ns, _ := strings.Cut(k, "/")
		out = append(out, &registrationRecord{Subscription: sub, Namespace: ns, Started: at})
	}
	sort.Slice(out, func(i, j int) bool {
		return regKey(out[i].Subscription, out[i].Namespace) < regKey(out[j].Subscription, out[j].Namespace)
	})
	return out
}

// loadRegistrations replaces the registrations asked for with recs.
func (s *Server) loadRegistrations(recs []*registrationRecord) {
	s.regs.mu.Lock()
	defer s.regs.mu.Unlock()
	s.regs.started = map[string]time.Time{}
	for _, r := range recs {
		if r == nil || r.Subscription == "" || r.Namespace == "" {
			continue
		}
		s.regs.started[regKey(r.Subscription, r.Namespace)] = r.Started
	}
}
