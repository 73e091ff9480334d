package state

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestIndexMatchesScan changes states through Set and Remove in many orders
// and checks that every lookup answers what a scan of Resources answers,
// with the resources kept sorted.
func TestIndexMatchesScan(t *testing.T) {
	tests := []struct {
		name  string
		start func() *State
	}{
		{"new state", New},
		{"decoded state", func() *State {
			s, err := Decode([]byte(`{"version":2,"lineage":"l","serial":3,"resources":[{"address":"resource.b","id":"/X/B"},{"address":"resource.a","id":"/x/a"}]}`), "test")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"literal, unsorted", func() *State {
			return &State{Version: 2, Lineage: "l", Resources: []*Resource{{Address: "resource.z", ID: "/x/Z"}, {Address: "resource.c", ID: "/x/c"}}}
		}},
		{"copied state", func() *State {
			s := New()
			s.Set(&Resource{Address: "resource.q", ID: "/x/q"})
			c := *s
			s.Set(&Resource{Address: "resource.r", ID: "/x/r"}) // must not reach c's index
			return &c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(len(tt.name))))
			s := tt.start()
			for step := 0; step < 400; step++ {
				addr := fmt.Sprintf("resource.r%02d", rng.Intn(40))
				switch rng.Intn(3) {
				case 0, 1:
					s.Set(&Resource{Address: addr, ID: fmt.Sprintf("/x/%s/%d", strings.ToUpper(addr), rng.Intn(3))})
				default:
					s.Remove(addr)
				}
				checkLookups(t, s, fmt.Sprintf("step %d", step))
			}
		})
	}
}

func checkLookups(t *testing.T, s *State, when string) {
	t.Helper()
	if !slices.IsSortedFunc(s.Resources, func(a, b *Resource) int { return strings.Compare(a.Address, b.Address) }) {
		t.Fatalf("%s: resources not sorted", when)
	}
	for i := 0; i < 45; i++ {
		addr := fmt.Sprintf("resource.r%02d", i)
		var want *Resource
		for _, r := range s.Resources {
			if r.Address == addr {
				want = r
				break
			}
		}
		if got := s.Get(addr); got != want {
			t.Fatalf("%s: Get(%s) = %v, a scan finds %v", when, addr, got, want)
		}
		for k := 0; k < 3; k++ {
			id := strings.ToLower(fmt.Sprintf("/x/%s/%d", addr, k))
			var wantID *Resource
			for _, r := range s.Resources {
				if strings.EqualFold(r.ID, id) {
					wantID = r
					break
				}
			}
			if got := s.FindID(id); got != wantID {
				t.Fatalf("%s: FindID(%s) = %v, a scan finds %v", when, id, got, wantID)
			}
		}
	}
}

// TestIndexSharedIDAndReassigned: two addresses with one ID (only a
// hand-edited state has them) find the first in address order, and
// Resources replaced wholesale are read by a scan, not a stale index.
func TestIndexSharedIDAndReassigned(t *testing.T) {
	s := New()
	s.Set(&Resource{Address: "resource.b", ID: "/x/same"})
	s.Set(&Resource{Address: "resource.a", ID: "/X/SAME"})
	if got := s.FindID("/x/Same"); got == nil || got.Address != "resource.a" {
		t.Fatalf("FindID of a shared ID = %v, want resource.a", got)
	}
	s.Remove("resource.a")
	if got := s.FindID("/x/same"); got == nil || got.Address != "resource.b" {
		t.Fatalf("FindID after removing the first = %v, want resource.b", got)
	}
	s.Resources = []*Resource{{Address: "resource.c", ID: "/x/c"}}
	if s.Get("resource.b") != nil || s.Get("resource.c") == nil || s.FindID("/x/c") == nil {
		t.Fatal("lookups after Resources was reassigned used the stale index")
	}
	dup := &State{Resources: []*Resource{{Address: "resource.d", ID: "1"}, {Address: "resource.d", ID: "2"}}}
	dup.Set(&Resource{Address: "resource.d", ID: "3"})
	if len(dup.Resources) != 2 || dup.Get("resource.d").ID != "3" {
		t.Fatalf("Set on a state with a duplicate address: %+v", dup.Resources)
	}
}
