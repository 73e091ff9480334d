package plan

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
)

// countingReader counts the GETs that reach r, and fails those of one ID.
type countingReader struct {
	r    Reader
	fail string
	mu   sync.Mutex
	gets []string
}

func (c *countingReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	c.mu.Lock()
	c.gets = append(c.gets, id)
	c.mu.Unlock()
	if id == c.fail {
		return nil, errors.New("connection reset")
	}
	return c.r.Get(ctx, id, apiVersion)
}

func TestRefreshSkipsWhatAnAbsentContainerHolds(t *testing.T) {
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/net"
	// Casing differs from the container's, as ARM allows.
	subnetA := strings.Replace(vnet, "/resourceGroups/app/", "/RESOURCEGROUPS/APP/", 1) + "/subnets/a"
	subnetB := vnet + "/subnets/b"
	lock := vnet + "/providers/Microsoft.Authorization/locks/nodelete"
	ip := rgID + "/providers/Microsoft.Network/publicIPAddresses/ip"
	other := testSub + "/resourceGroups/other/providers/Microsoft.Network/publicIPAddresses/ip"
	targets := []Target{
		{ID: subnetA, APIVersion: "2024-05-01"}, {ID: rgID, APIVersion: "2021-04-01"}, {ID: subnetB, APIVersion: "2024-05-01"},
		{ID: lock, APIVersion: "2020-05-01"}, {ID: vnet, APIVersion: "2024-05-01"}, {ID: ip, APIVersion: "2024-05-01"},
		{ID: other, APIVersion: "2024-05-01"},
	}
	tests := []struct {
		name  string
		world []string // IDs that exist (their containers are added)
		fail  string   // a GET that fails
		// gets are the GETs Refresh may send, in any order.
		gets []string
	}{
		{name: "nothing exists", gets: []string{rgID, other}},
		{name: "the group exists, the network does not", world: []string{rgID, ip}, gets: []string{rgID, vnet, ip, other}},
		{name: "everything exists", world: []string{subnetA, subnetB, lock, ip, other},
			gets: []string{rgID, vnet, subnetA, subnetB, lock, ip, other}},
		{name: "one subnet is gone", world: []string{subnetA, ip}, gets: []string{rgID, vnet, subnetA, subnetB, lock, ip, other}},
		{name: "a container that cannot be read is no answer", world: []string{subnetA}, fail: rgID,
			gets: []string{rgID, vnet, subnetA, subnetB, lock, ip, other}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := newEmulator(t)
			world := map[string]map[string]any{}
			for _, id := range tt.world {
				world[id] = map[string]any{"id": id}
			}
			setWorld(t, srv, world)

			c := &countingReader{r: client, fail: tt.fail}
			got, err := Refresh(context.Background(), c, targets, 3)
			if (err != nil) != (tt.fail != "") {
				t.Fatalf("Refresh error = %v", err)
			}
			// The plan must be the one a GET of every target gives.
			for i, tg := range targets {
				if tg.ID == tt.fail {
					continue
				}
				want, err := read(context.Background(), client, tg.ID, tg.APIVersion)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("%s: Refresh gave %v, a GET gives %v", tg.ID, got[i], want)
				}
			}
			if !sameIDs(c.gets, tt.gets) {
				t.Errorf("GETs sent = %v\nwant %v", c.gets, tt.gets)
			}
		})
	}
}

func sameIDs(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestContainers(t *testing.T) {
	targets := []Target{
		{ID: testSub + "/resourceGroups/rg/providers/A.B/c/d/e/f"},
		{ID: testSub + "/resourceGroups/RG/"},
		{ID: testSub + "/resourceGroups/rg2"},
		{ID: testSub + "/resourceGroups/rg/providers/A.B/c/d"},
		{ID: testSub + "/resourceGroups/rg/providers/A.B/c/dd"},
		{ID: testSub + "/resourceGroups/rg"}, // the same ID again: neither contains the other
	}
	if got, want := containers(targets), []int{3, -1, -1, 1, 1, -1}; !reflect.DeepEqual(got, want) {
		t.Errorf("containers = %v, want %v", got, want)
	}
}

// hangingReader answers the IDs in hang only when the request's context
// ends, as a GET that never gets an answer; the others at once.
type hangingReader struct{ hang map[string]bool }

func (h hangingReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	if h.hang[id] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &arm.Response{Body: map[string]any{"id": id}}, nil
}

// TestRefreshObeysReadTimeouts: a target's timeouts { read } bounds its
// GET, and the error says which setting gave up; a target without one
// waits for its answer, and the others are read.
func TestRefreshObeysReadTimeouts(t *testing.T) {
	const slow, quick = "/subscriptions/s/resourceGroups/slow", "/subscriptions/s/resourceGroups/quick"
	targets := []Target{{ID: slow, APIVersion: "2021-04-01", Timeout: 20 * time.Millisecond}, {ID: quick, APIVersion: "2021-04-01", Timeout: time.Hour}}
	bodies, err := Refresh(context.Background(), hangingReader{hang: map[string]bool{slow: true}}, targets, 2)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timeouts { read = ... } allow 20ms") || !strings.Contains(err.Error(), slow) {
		t.Fatalf("err = %v; want the slow read to give up, naming its timeout", err)
	}
	if bodies[1] == nil || bodies[1]["id"] != quick {
		t.Fatalf("the quick target's body = %v", bodies[1])
	}
}

// TestPlanReadTimeoutFromTheConfiguration: Build bounds a resource's GET by
// its timeouts { read }.
func TestPlanReadTimeoutFromTheConfiguration(t *testing.T) {
	const id = "/subscriptions/s/resourceGroups/slow"
	in := inst(t, "rg", id, `{"location":"westus"}`)
	in.Timeouts.Read = 20 * time.Millisecond
	_, err := Build(context.Background(), Options{Reader: hangingReader{hang: map[string]bool{id: true}}, Instances: []*config.Instance{in}})
	if err == nil || !strings.Contains(err.Error(), "timeouts { read = ... } allow 20ms") {
		t.Fatalf("err = %v; want the read to give up after the resource's read timeout", err)
	}
}
