package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

const (
	ipType     = "Microsoft.Network/publicIPAddresses"
	subnetType = "Microsoft.Network/virtualNetworks/subnets"
	netAPI     = "2024-07-01"
)

func ipID(n string) string     { return rgID + "/providers/" + ipType + "/" + n }
func subnetID(n string) string { return vnID + "/subnets/" + n }

// collectionStack is a configuration with collections worth listing: a
// group, a network, seven public IPs (ip6 never created) and five subnets.
type collectionStack struct {
	insts  []*config.Instance
	bodies map[string]map[string]any // what apply sent, by ID
}

func newCollectionStack(t *testing.T) collectionStack {
	t.Helper()
	s := collectionStack{bodies: map[string]map[string]any{}}
	add := func(address, id, api string, body map[string]any) {
		s.insts = append(s.insts, &config.Instance{Address: address, Name: address, ID: id, APIVersion: api,
			Body: config.FromJSONValue(body), UpdateMethod: "PUT"})
		s.bodies[id] = body
	}
	add("resource.rg", rgID, "2021-04-01", map[string]any{"location": "westus", "tags": map[string]any{"env": "test"}})
	add("resource.vnet", vnID, netAPI, map[string]any{"location": "westus",
		"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}})
	for i := range 7 {
		add(fmt.Sprintf("resource.ip[%d]", i), ipID(fmt.Sprint("ip", i)), netAPI, map[string]any{"location": "westus",
			"sku": map[string]any{"name": "Standard"}, "tags": map[string]any{"n": fmt.Sprint(i)},
			"properties": map[string]any{"publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": json.Number("4")}})
	}
	for i := range 5 {
		add(fmt.Sprintf("resource.subnet[%d]", i), subnetID(fmt.Sprint("s", i)), netAPI,
			map[string]any{"properties": map[string]any{"addressPrefix": fmt.Sprintf("10.0.%d.0/24", i)}})
	}
	return s
}

// apply creates the stack (all but ip6) in the emulator and records it in a
// state as apply would. ip0's idleTimeoutInMinutes is then kept as 5 by
// "the service", so plans list it as kept differently.
func (s collectionStack) apply(t *testing.T, srv *emulator.Server, c *arm.Client) *state.State {
	t.Helper()
	ctx := context.Background()
	st := state.New()
	for _, in := range s.insts {
		if in.ID == ipID("ip6") {
			continue
		}
		body := s.bodies[in.ID]
		if _, err := c.Put(ctx, in.ID, in.APIVersion, body); err != nil {
			t.Fatal(err)
		}
		if in.ID == ipID("ip0") {
			mustChange(t, srv, in.ID, `{"properties":{"idleTimeoutInMinutes":5}}`)
		}
		live, err := c.Get(ctx, in.ID, in.APIVersion)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RecordApplied(in.Address, in.ID, in.APIVersion, body, live.Body, nil); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func mustChange(t *testing.T, srv *emulator.Server, id, patch string) {
	t.Helper()
	if err := srv.ChangeOutOfBand(id, obj(t, patch)); err != nil {
		t.Fatal(err)
	}
}

func mustDelete(t *testing.T, srv *emulator.Server, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := srv.DeleteOutOfBand(id); err != nil {
			t.Fatal(err)
		}
	}
}

// mustCreate creates resources nobody declared.
func mustCreate(t *testing.T, c *arm.Client, bodies map[string]string) {
	t.Helper()
	for id, b := range bodies {
		if _, err := c.Put(context.Background(), id, netAPI, obj(t, b)); err != nil {
			t.Fatal(err)
		}
	}
}

// summary counts a plan's actions, drift and kept-differently values, so
// that each world is seen to exercise what it is meant to.
func summary(p *Plan) string {
	n := map[string]int{}
	for _, c := range p.Changes {
		n[string(c.Action)]++
		n["kept"] += len(c.KeptDifferently)
	}
	n["drift"] = len(p.Drift)
	var parts []string
	for k, v := range n {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// TestCollectionRefreshPlansTheSame: over worlds with drift, absent
// members, undeclared members, pages, a list that omits a property and
// lists that fail, plan.Build gives the same plan (changes, drift, values
// kept differently, live bodies) with RefreshByCollection as with a GET of
// each resource, and the requests it sends show the saving (or, where the
// list cannot be trusted, the fallback).
func TestCollectionRefreshPlansTheSame(t *testing.T) {
	const ipBody = `{"location":"westus","properties":{"publicIPAllocationMethod":"Dynamic"}}`
	const subnetBody = `{"properties":{"addressPrefix":"10.0.200.0/24"}}`
	listRefused := func(typ string, status int, code string) map[string]*emulator.TypeRule {
		return map[string]*emulator.TypeRule{typ: {ListStatus: status, ListError: &emulator.ErrorDetail{Code: code, Message: "refused for the test"}}}
	}
	cases := []struct {
		name   string
		opts   emulator.Options
		change func(t *testing.T, srv *emulator.Server, c *arm.Client)
		// summary is the plan's (see summary). Every world has ip6 to
		// create, ip0's value kept differently, and the network's drift:
		// its subnets were created after it.
		summary string
		// gets are the GETs sent with a GET of each resource and by
		// collection (lists and their pages included).
		gets, collectionGets int
	}{
		{name: "no change", summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 6},
		{name: "drift, declared and undeclared", change: func(t *testing.T, srv *emulator.Server, _ *arm.Client) {
			mustChange(t, srv, ipID("ip1"), `{"tags":{"n":"changed"}}`)
			mustChange(t, srv, ipID("ip3"), `{"properties":{"dnsSettings":{"domainNameLabel":"portal"}}}`)
			mustChange(t, srv, subnetID("s2"), `{"properties":{"addressPrefix":"10.0.99.0/24"}}`)
			// The two updates add one list of their group's management locks.
		}, summary: "create=1 drift=4 kept=1 no-op=11 update=2", gets: 15, collectionGets: 7},
		{name: "absent members", change: func(t *testing.T, srv *emulator.Server, _ *arm.Client) {
			mustDelete(t, srv, ipID("ip2"), subnetID("s3"))
		}, summary: "create=3 drift=3 kept=1 no-op=11", gets: 14, collectionGets: 6},
		{name: "the first member of each collection is absent", change: func(t *testing.T, srv *emulator.Server, _ *arm.Client) {
			mustDelete(t, srv, ipID("ip0"), subnetID("s0"))
		}, summary: "create=3 drift=3 no-op=11", gets: 14, collectionGets: 8},
		{name: "undeclared members in the collections", change: func(t *testing.T, _ *emulator.Server, c *arm.Client) {
			mustCreate(t, c, map[string]string{ipID("a-extra"): ipBody, ipID("z-extra"): ipBody, ipID("ip10"): ipBody,
				subnetID("extra"): subnetBody})
		}, summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 6},
		{name: "pages, all read", opts: emulator.Options{PageSize: 2}, summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 10},
		{name: "more pages than the GETs they save: the rest by GET", opts: emulator.Options{PageSize: 1},
			summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 16},
		{name: "the list omits a property: GETs", opts: emulator.Options{Rules: map[string]*emulator.TypeRule{
			ipType: {ListOmits: []string{"properties.idleTimeoutInMinutes"}}}}, summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 12},
		{name: "listing refused (403): GETs", opts: emulator.Options{Rules: listRefused(subnetType, 0, "AuthorizationFailed")},
			summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 10},
		{name: "the collection is not found (404): GETs", opts: emulator.Options{Rules: listRefused(ipType, http.StatusNotFound, "NotFound")},
			summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 12},
		{name: "api-version unknown for listing (400): GETs", opts: emulator.Options{Rules: listRefused(ipType, http.StatusBadRequest, "NoRegisteredProviderFound")},
			summary: "create=1 drift=1 kept=1 no-op=13", gets: 14, collectionGets: 12},
		{name: "the group is gone", change: func(t *testing.T, srv *emulator.Server, _ *arm.Client) {
			mustDelete(t, srv, rgID)
		}, summary: "create=14 drift=13", gets: 1, collectionGets: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := newEmulatorWith(t, tc.opts)
			stack := newCollectionStack(t)
			st := stack.apply(t, srv, c)
			if tc.change != nil {
				tc.change(t, srv, c)
			}
			build := func(mode RefreshMode) (*Plan, int) {
				srv.ResetObservations()
				p, err := Build(context.Background(), Options{Reader: c, Instances: stack.insts, State: st, Parallelism: 4, Refresh: mode})
				if err != nil {
					t.Fatalf("%s: %v", mode, err)
				}
				return p, srv.Counters().ByMethod["GET"]
			}
			byResource, gets := build(RefreshByResource)
			byCollection, collectionGets := build(RefreshByCollection)
			if !reflect.DeepEqual(byResource, byCollection) {
				a, _ := json.MarshalIndent(byResource, "", " ")
				b, _ := json.MarshalIndent(byCollection, "", " ")
				t.Fatalf("the plans differ\nby resource:   %s\nby collection: %s", a, b)
			}
			if got := summary(byResource); got != tc.summary {
				t.Errorf("plan = %s, want %s", got, tc.summary)
			}
			if gets != tc.gets || collectionGets != tc.collectionGets {
				t.Errorf("GETs sent: %d by resource, %d by collection; want %d and %d", gets, collectionGets, tc.gets, tc.collectionGets)
			}
		})
	}
}

// newEmulatorWith is newEmulator with options.
func newEmulatorWith(t testing.TB, opts emulator.Options) (*emulator.Server, *arm.Client) {
	t.Helper()
	srv := emulator.New(opts)
	c, err := arm.NewClient(arm.ClientOptions{
		Endpoint:   "https://emulator.invalid",
		Credential: arm.StaticCredential{Token: "test-token"},
		Transport:  &http.Client{Transport: srv.Transport()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestCollectionOf(t *testing.T) {
	ip := ipID("ip1")
	tests := []struct {
		id, want string
	}{
		{rgID, testSub + "/resourceGroups"},
		{ip, rgID + "/providers/" + ipType},
		{subnetID("s1") + "/", vnID + "/subnets"},
		{vnID + "/subnets/s1/providers/Microsoft.Authorization/locks/l", ""}, // extension resource
		{ip + "/providers/Microsoft.Authorization/roleAssignments/x", ""},
		{testSub, ""},
		{testSub + "/providers/Microsoft.Authorization/roleAssignments/x", ""},
		{"/providers/Microsoft.Management/managementGroups/mg", ""},
		{rgID + "/providers/Microsoft.Network", ""},
		{rgID + "//x/y", ""},
	}
	for _, tt := range tests {
		got, ok := collectionOf(tt.id)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("collectionOf(%s) = %q, %v; want %q", tt.id, got, ok, tt.want)
		}
	}
}

func TestCollectionGroups(t *testing.T) {
	tg := func(id, api string) Target { return Target{ID: id, APIVersion: api} }
	targets := []Target{
		tg(ipID("a"), netAPI), tg(subnetID("s1"), netAPI), tg(ipID("b"), netAPI),
		tg(strings.ToUpper(ipID("c")), netAPI), // the same collection, cased otherwise
		tg(ipID("d"), "2023-09-01"),            // another api-version
		tg(ipID("a"), netAPI),                  // the same ID again: its own GET
		tg(subnetID("s2"), netAPI),             // two subnets only
		tg(rgID, "2021-04-01"),                 // one group only
	}
	got := collectionGroups(targets)
	want := []collectionGroup{{collection: rgID + "/providers/" + ipType, apiVersion: netAPI, members: []int{0, 2, 3}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("collectionGroups = %+v, want %+v", got, want)
	}
}

func TestParseRefreshMode(t *testing.T) {
	for in, want := range map[string]RefreshMode{"": RefreshByResource, "resource": RefreshByResource, "collection": RefreshByCollection} {
		if got, err := ParseRefreshMode(in); err != nil || got != want {
			t.Errorf("ParseRefreshMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRefreshMode("Collection"); err == nil || !strings.Contains(err.Error(), "choose resource") {
		t.Errorf("a bad mode: err = %v", err)
	}
}

// TestCollectionRefreshNeedsALister: a Reader that cannot list is read a
// GET at a time, whatever the mode.
func TestCollectionRefreshNeedsALister(t *testing.T) {
	srv, c := newEmulator(t)
	stack := newCollectionStack(t)
	stack.apply(t, srv, c)
	var targets []Target
	for _, in := range stack.insts {
		targets = append(targets, Target{ID: in.ID, APIVersion: in.APIVersion})
	}
	getOnly := &countingReader{r: c}
	got, err := RefreshWith(context.Background(), getOnly, targets, RefreshOptions{Mode: RefreshByCollection})
	if err != nil {
		t.Fatal(err)
	}
	if len(getOnly.gets) != len(targets) {
		t.Errorf("%d GETs for %d targets", len(getOnly.gets), len(targets))
	}
	want, err := Refresh(context.Background(), c, targets, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("the bodies differ from a refresh by resource")
	}
}
