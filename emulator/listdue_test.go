package emulator

import (
	"net/http"
	"testing"
	"time"
)

// TestListEndsOperationsDueByTime: with TimedOperations, a list of a
// collection ends the operations of its members whose time is up, as a
// GET of each would: nobody polls, and the list shows the create done and
// the delete gone.
func TestListEndsOperationsDueByTime(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, RetryAfter: time.Second, TimedOperations: true,
		Operations: []OperationRule{
			{Method: "PUT", Type: "Microsoft.Network/", Operation: Operation{Pattern: AsyncOperation, Polls: 3}},
			{Method: "DELETE", Type: "Microsoft.Network/", Operation: Operation{Pattern: Location, Polls: 3}},
		}})
	c.createRG()
	pips := rgID + "/providers/Microsoft.Network/publicIPAddresses"
	c.do("PUT", pips+"/old", map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	clock.advance(time.Hour)
	if got := c.do("GET", pips+"/old", nil).must(t, http.StatusOK).str("properties.provisioningState"); got != "Succeeded" {
		t.Fatalf("old: %q", got)
	}

	c.do("PUT", pips+"/new", map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	c.do("DELETE", pips+"/old", nil).must(t, http.StatusAccepted)
	states := func() map[string]string {
		out := map[string]string{}
		items, _ := c.do("GET", pips, nil).must(t, http.StatusOK).body["value"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			props, _ := m["properties"].(map[string]any)
			ps, _ := props["provisioningState"].(string)
			out[m["name"].(string)] = ps
		}
		return out
	}
	if got := states(); got["new"] != "Creating" {
		t.Fatalf("right after the writes the list shows %v, want new Creating", got)
	}
	clock.advance(4 * time.Second)
	got := states()
	if got["new"] != "Succeeded" {
		t.Errorf("once their time is up the list shows %v, want new Succeeded", got)
	}
	if _, ok := got["old"]; ok {
		t.Errorf("once its delete's time is up the list still shows old: %v", got)
	}
}

// TestBusyEndsOperationsByTheSameRule: a write to a resource whose
// operation has run its time is not refused as busy, by the same rule by
// which a GET of it ends the operation (here with no Retry-After: only
// MinDuration counts).
func TestBusyEndsOperationsByTheSameRule(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, TimedOperations: true,
		Operations: []OperationRule{{Method: "PUT", Type: "Microsoft.Network/", Operation: Operation{Pattern: AsyncOperation, Polls: 3, MinDuration: 2 * time.Second}}}})
	c.createRG()
	id := rgID + "/providers/Microsoft.Network/publicIPAddresses/pip1"
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	if got := c.do("PUT", id, map[string]any{"location": "westus"}).errorCode(); got != "AnotherOperationInProgress" {
		t.Fatalf("a write during the create: %q, want AnotherOperationInProgress", got)
	}
	clock.advance(3 * time.Second)
	if r := c.do("PUT", id, map[string]any{"location": "westus", "tags": map[string]any{"n": "2"}}); r.status != http.StatusOK && r.status != http.StatusCreated {
		t.Fatalf("a write once the create's time is up: %d %s", r.status, r.raw)
	}
}

// TestListUnderADeletedParentIsNotFound: once a network's delete has run
// its time, a list of its subnets answers 404, as a GET of the network
// does, not the subnets it held.
func TestListUnderADeletedParentIsNotFound(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, RetryAfter: time.Second, TimedOperations: true,
		Operations: []OperationRule{
			{Method: "DELETE", Type: "Microsoft.Network/virtualNetworks", Operation: Operation{Pattern: Location, Polls: 3}},
		}})
	c.createRG()
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/v"
	c.do("PUT", vnet, map[string]any{"location": "westus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "a", "properties": map[string]any{"addressPrefix": "10.0.1.0/24"}}},
	}}).must(t, http.StatusCreated)
	clock.advance(time.Hour)
	c.do("GET", vnet+"/subnets", nil).must(t, http.StatusOK)
	c.do("DELETE", vnet, nil).must(t, http.StatusAccepted)
	clock.advance(time.Hour)
	c.do("GET", vnet+"/subnets", nil).must(t, http.StatusNotFound)
	c.do("GET", vnet, nil).must(t, http.StatusNotFound)
}
