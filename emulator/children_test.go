package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// inlineParents are the Network types whose GET carries their children.
var inlineParents = []struct {
	typ, array, seg string
	props           func(i int) map[string]any
}{
	{"Microsoft.Network/virtualNetworks", "subnets", "subnets", func(i int) map[string]any {
		return map[string]any{"addressPrefix": fmt.Sprintf("10.0.%d.0/24", i)}
	}},
	{"Microsoft.Network/networkSecurityGroups", "securityRules", "securityRules", func(i int) map[string]any {
		return map[string]any{"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": 100 + i,
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "443"}
	}},
	{"Microsoft.Network/routeTables", "routes", "routes", func(i int) map[string]any {
		return map[string]any{"addressPrefix": fmt.Sprintf("10.%d.0.0/16", i), "nextHopType": "VnetLocal"}
	}},
}

// parentBody is a parent's body carrying the named children (the array
// left out when names is nil).
func parentBody(array string, props func(int) map[string]any, names ...string) map[string]any {
	p := map[string]any{}
	if array == "subnets" {
		p["addressSpace"] = map[string]any{"addressPrefixes": []any{"10.0.0.0/8"}}
	}
	if names != nil {
		arr := []any{}
		for i, n := range names {
			arr = append(arr, map[string]any{"name": n, "properties": props(i)})
		}
		p[array] = arr
	}
	return map[string]any{"location": "westus", "properties": p}
}

// childNames reads the names of the children a parent's GET lists.
func childNames(t *testing.T, c *client, id, array string) string {
	t.Helper()
	arr, _ := lookup(c.do("GET", id, nil).must(t, 200).body, "properties."+array)
	var names []string
	for _, e := range arr.([]any) {
		names = append(names, e.(map[string]any)["name"].(string))
	}
	return strings.Join(names, ",")
}

// TestInlineChildren checks, for each parent with inline children, that
// its GET lists them, that a PUT of the parent sets the set to the array
// it carries (an omitted array means none), and that a GET's output PUT
// back is accepted and changes nothing.
func TestInlineChildren(t *testing.T) {
	for _, p := range inlineParents {
		t.Run(p.typ, func(t *testing.T) {
			c := newClient(t, Options{})
			c.createRG()
			id := rgID + "/providers/" + p.typ + "/p1"
			child := func(name string) string { return id + "/" + p.seg + "/" + name }
			c.do("PUT", id, parentBody(p.array, p.props, "a", "b")).must(t, 201)
			c.do("GET", child("b"), nil).must(t, 200)
			// A child made on its own shows in the parent's GET.
			c.do("PUT", child("c"), map[string]any{"properties": p.props(7)}).must(t, 201)
			if got := childNames(t, c, id, p.array); got != "a,b,c" {
				t.Fatalf("children after a separate PUT: %s, want a,b,c", got)
			}
			// A GET's output PUT back is accepted and keeps every child as
			// it was.
			live := c.do("GET", id, nil).must(t, 200)
			back := c.do("PUT", id, live.body).must(t, 200)
			if got := childNames(t, c, id, p.array); got != "a,b,c" {
				t.Fatalf("children after the GET was PUT back: %s", got)
			}
			if a, b := normalized(t, live.body, "properties."+p.array+".2.properties"), normalized(t, back.body, "properties."+p.array+".2.properties"); a != b {
				t.Errorf("PUT back changed child c: %s then %s", a, b)
			}
			// The array replaces the set: b updated, a deleted, d created.
			body := parentBody(p.array, p.props, "b", "d")
			c.do("PUT", id, body).must(t, 200)
			if got := childNames(t, c, id, p.array); got != "b,d" {
				t.Fatalf("children after PUT [b d]: %s, want b,d", got)
			}
			c.do("GET", child("a"), nil).must(t, 404)
			got := c.do("GET", child("b"), nil).must(t, 200)
			for k, v := range p.props(0) { // b is now the array's first element
				if !jsonEqual(got.body["properties"].(map[string]any)[k], v) {
					t.Errorf("child b was not updated: properties.%s is not %v: %s", k, v, got.raw)
				}
			}
			// PATCH without the array leaves the children alone.
			c.do("PATCH", id, map[string]any{"tags": map[string]any{"k": "v"}}).must(t, 200)
			if got := childNames(t, c, id, p.array); got != "b,d" {
				t.Fatalf("children after a PATCH of tags: %s", got)
			}
			// An omitted array means none.
			c.do("PUT", id, parentBody(p.array, p.props)).must(t, 200)
			if got := childNames(t, c, id, p.array); got != "" {
				t.Fatalf("children after a PUT without %s: %s", p.array, got)
			}
			c.do("GET", child("b"), nil).must(t, 404)
		})
	}
}

// TestSubnetsKeptWhenOmitted checks Network's exception: from api-version
// 2023-09-01, a network's PUT without properties.subnets keeps them, while
// an empty array deletes them; security rules get no such exception.
func TestSubnetsKeptWhenOmitted(t *testing.T) {
	tests := []struct {
		parent     int // index in inlineParents
		apiVersion string
		omit       bool // leave the array out (else send [])
		want       string
	}{
		{0, "2024-07-01", true, "a,b"},
		{0, "2023-09-01", true, "a,b"},
		{0, "2023-09-01-preview", true, "a,b"},
		{0, "2023-06-01", true, ""},
		{0, "2024-07-01", false, ""},
		{1, "2024-07-01", true, ""},
		{2, "2024-07-01", true, ""},
	}
	for _, tc := range tests {
		p := inlineParents[tc.parent]
		t.Run(fmt.Sprintf("%s@%s omitted=%v", p.typ, tc.apiVersion, tc.omit), func(t *testing.T) {
			c := newClient(t, Options{})
			c.createRG()
			id := rgID + "/providers/" + p.typ + "/p1"
			c.do("PUT", id, parentBody(p.array, p.props, "a", "b")).must(t, 201)
			body := parentBody(p.array, p.props)
			if !tc.omit {
				body["properties"].(map[string]any)[p.array] = []any{}
			}
			body["tags"] = map[string]any{"team": "net"}
			c.do("PUT", id+"?api-version="+tc.apiVersion, body).must(t, 200)
			if got := childNames(t, c, id, p.array); got != tc.want {
				t.Fatalf("children after the PUT: %q, want %q", got, tc.want)
			}
			if got := c.do("GET", id, nil).must(t, 200).str("tags.team"); got != "net" {
				t.Errorf("the PUT's tag did not land: %q", got)
			}
		})
	}
}

// normalized is the JSON of the value at path, for comparisons.
func normalized(t *testing.T, body map[string]any, path string) string {
	t.Helper()
	v, ok := lookup(body, path)
	if !ok {
		return "<absent>"
	}
	n, err := normalizeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n)
}

// TestSubnetInUse checks that every way of deleting a subnet a network
// interface sits in is refused with Network's error, and changes nothing.
func TestSubnetInUse(t *testing.T) {
	net := rgID + "/providers/Microsoft.Network"
	vnet := net + "/virtualNetworks/v1"
	subnet := vnet + "/subnets/app"
	nic := net + "/networkInterfaces/nic1"
	props := inlineParents[0].props
	tests := []struct {
		name string
		// remove tries to delete the subnet and returns the status and the
		// error code (oob: the out-of-band API's error text).
		remove func(c *client) (int, string)
	}{
		{"parent PUT without the subnet", func(c *client) (int, string) {
			r := c.do("PUT", vnet, parentBody("subnets", props, "web"))
			return r.status, r.errorCode()
		}},
		{"parent PUT without subnets", func(c *client) (int, string) {
			r := c.do("PUT", vnet, parentBody("subnets", props))
			return r.status, r.errorCode()
		}},
		{"parent PATCH with subnets that drop it", func(c *client) (int, string) {
			r := c.do("PATCH", vnet, map[string]any{"properties": map[string]any{"subnets": []any{map[string]any{"name": "web", "properties": props(1)}}}})
			return r.status, r.errorCode()
		}},
		{"DELETE of the subnet", func(c *client) (int, string) {
			r := c.do("DELETE", subnet, nil)
			return r.status, r.errorCode()
		}},
		{"DELETE of the network", func(c *client) (int, string) {
			r := c.do("DELETE", vnet, nil)
			return r.status, r.errorCode()
		}},
		{"out of band", func(c *client) (int, string) {
			err := c.srv.DeleteOutOfBand(subnet)
			if err == nil {
				return 200, ""
			}
			return 400, strings.Fields(strings.SplitN(err.Error(), ": ", 2)[1])[0]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{})
			c.createRG()
			c.do("PUT", vnet, parentBody("subnets", props, "app", "web")).must(t, 201)
			c.do("PUT", nic, map[string]any{"location": "westus", "properties": map[string]any{"ipConfigurations": []any{
				map[string]any{"name": "ipconfig1", "properties": map[string]any{"subnet": map[string]any{"id": strings.ToUpper(subnet)}}},
			}}}).must(t, 201)
			before, err := c.srv.MarshalWorld()
			if err != nil {
				t.Fatal(err)
			}
			status, code := tc.remove(c)
			if status != http.StatusBadRequest || strings.TrimSuffix(code, ":") != "InUseSubnetCannotBeDeleted" {
				t.Fatalf("got %d %s, want 400 InUseSubnetCannotBeDeleted", status, code)
			}
			after, err := c.srv.MarshalWorld()
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Errorf("a refused delete changed the world:\n%s\n----\n%s", before, after)
			}
			// Once the interface is gone, the same request succeeds.
			c.do("DELETE", nic, nil).must(t, 200)
			if status, code := tc.remove(c); status >= 300 {
				t.Fatalf("without the interface: %d %s", status, code)
			}
			c.do("GET", subnet, nil).must(t, 404)
		})
	}
}

// TestSubnetInUseMessage pins ARM's message, which names the subnet and
// the IP configuration that uses it.
func TestSubnetInUseMessage(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	net := rgID + "/providers/Microsoft.Network"
	vnet := net + "/virtualNetworks/v1"
	c.do("PUT", vnet, parentBody("subnets", inlineParents[0].props, "app")).must(t, 201)
	c.do("PUT", net+"/networkInterfaces/nic1", map[string]any{"location": "westus", "properties": map[string]any{"ipConfigurations": []any{
		map[string]any{"name": "ipconfig1", "properties": map[string]any{"subnet": map[string]any{"id": vnet + "/subnets/app"}}},
	}}}).must(t, 201)
	r := c.do("DELETE", vnet+"/subnets/app", nil).must(t, 400)
	want := "Subnet app is in use by " + net + "/networkInterfaces/nic1/ipConfigurations/ipconfig1 and cannot be deleted. " +
		"In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."
	if got := r.str("error.message"); got != want {
		t.Errorf("message:\n%s\nwant\n%s", got, want)
	}
	// Any stored body's "subnet": {"id": ...} counts; with no object with
	// an id around it, the message names the resource.
	other := rgID + "/providers/Microsoft.Test/things/t1"
	c.do("PUT", vnet+"/subnets/web", map[string]any{"properties": map[string]any{"addressPrefix": "10.0.9.0/24"}}).must(t, 201)
	c.do("PUT", other, map[string]any{"properties": map[string]any{"network": map[string]any{"subnet": map[string]any{"id": vnet + "/subnets/web/"}}}}).must(t, 201)
	r = c.do("DELETE", vnet+"/subnets/web", nil).must(t, 400)
	if got := r.str("error.message"); !strings.HasPrefix(got, "Subnet web is in use by "+other+" and") {
		t.Errorf("message: %s", got)
	}
	// Deleting the group takes the interface with it: nothing outside the
	// group uses the subnet.
	c.do("DELETE", rgID, nil).must(t, 200)
	c.do("GET", vnet, nil).must(t, 404)
}
