package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Resource is one resource in the emulated world, as ARM would return it.
type Resource struct {
	// ID keeps the casing of the latest PUT, as ARM does.
	ID string `json:"id"`
	// Type is the full resource type, e.g. Microsoft.ContainerRegistry/registries.
	Type string `json:"type"`
	// Body is the full body a GET returns (less the arrays the server
	// builds from child resources, such as a virtual network's subnets).
	Body map[string]any `json:"body"`
	// KeyGenerations counts how often each access key was regenerated, so
	// that listKeys-style actions return stable values that change on
	// regeneration. No key material is stored.
	KeyGenerations map[string]int `json:"keyGenerations,omitempty"`
}

// world holds every resource, keyed by the lower-cased ID.
type world struct {
	mu        sync.Mutex
	resources map[string]*Resource
	// ops are the long-running operations by ID; pending maps a resource
	// key to the unfinished operation on it.
	ops     map[string]*operation
	pending map[string]*operation
}

func newWorld() *world {
	return &world{resources: map[string]*Resource{}, ops: map[string]*operation{}, pending: map[string]*operation{}}
}

func (w *world) get(id string) (*Resource, bool) {
	r, ok := w.resources[key(id)]
	return r, ok
}

// under lists the keys of every resource strictly inside id (on a segment
// boundary), deepest first so that children go before their parents.
func (w *world) under(id string) []string {
	prefix := key(id) + "/"
	var keys []string
	for k := range w.resources {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	return keys
}

// snapshotFile is the on-disk form of the world: the resources, and what
// else a later run must find as it was (worldstate.go).
type snapshotFile struct {
	Resources []*Resource `json:"resources"`
	// Deleted are the soft-deleted resources, by ID.
	Deleted []*deletedRecord `json:"deleted,omitempty"`
	// Registrations are the namespaces whose registration was asked for,
	// by subscription and namespace.
	Registrations []*registrationRecord `json:"registrations,omitempty"`
}

// MarshalWorld returns the world as JSON, resources sorted by ID.
func (s *Server) MarshalWorld() ([]byte, error) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	var snap snapshotFile
	snap.Resources = make([]*Resource, 0, len(s.world.resources))
	for _, r := range s.world.resources {
		snap.Resources = append(snap.Resources, r)
	}
	sort.Slice(snap.Resources, func(i, j int) bool {
		return key(snap.Resources[i].ID) < key(snap.Resources[j].ID)
	})
	snap.Deleted = s.deletedRecords()
	snap.Registrations = s.registrationRecords()
	return json.MarshalIndent(snap, "", "  ")
}

// UnmarshalWorld replaces the world with the one in data.
func (s *Server) UnmarshalWorld(data []byte) error {
	var snap snapshotFile
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("the emulator's world is not valid JSON: %w", err)
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	s.world.resources = map[string]*Resource{}
	s.world.ops, s.world.pending = map[string]*operation{}, map[string]*operation{}
	for _, r := range snap.Resources {
		if r == nil || r.ID == "" {
			continue
		}
		s.world.resources[key(r.ID)] = r
	}
	s.loadDeleted(snap.Deleted)
	s.loadRegistrations(snap.Registrations)
	return nil
}

// LoadFile reads a world saved by SaveFile. A missing file is an empty world.
func (s *Server) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the emulator's world: %w", err)
	}
	if err := s.UnmarshalWorld(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// SaveFile writes the world to path atomically, creating its directory.
func (s *Server) SaveFile(path string) error {
	data, err := s.MarshalWorld()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("saving the emulator's world: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".emulator-*.json")
	if err != nil {
		return fmt.Errorf("saving the emulator's world: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("saving the emulator's world: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the emulator's world: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving the emulator's world: %w", err)
	}
	return nil
}

// Resource returns a copy of the resource with the given ID (any casing).
func (s *Server) Resource(id string) (Resource, bool) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	r, ok := s.world.get(id)
	if !ok {
		return Resource{}, false
	}
	return Resource{ID: r.ID, Type: r.Type, Body: s.render(r)}, true
}

// IDs lists the IDs of every resource in the world, sorted.
func (s *Server) IDs() []string {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	ids := make([]string, 0, len(s.world.resources))
	for _, r := range s.world.resources {
		ids = append(ids, r.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return key(ids[i]) < key(ids[j]) })
	return ids
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = deepCopy(e)
		}
		return a
	default:
		return v
	}
}
