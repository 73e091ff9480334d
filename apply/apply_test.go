package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"

func create(addr, id string, deps ...string) *plan.Change {
	return &plan.Change{Address: addr, ID: id, APIVersion: "2024-01-01", Action: plan.Create,
		Desired: map[string]any{"name": addr}, DependsOn: deps}
}

// diamond is 20 resources: a root, 18 in the middle that each depend on it,
// and a sink that depends on all of the middle.
func diamond() *plan.Plan {
	p := &plan.Plan{}
	p.Changes = append(p.Changes, create("resource.root", sub+"/resourceGroups/root"))
	var mids []string
	for i := 0; i < 18; i++ {
		addr := fmt.Sprintf("resource.mid%d", i)
		mids = append(mids, addr)
		p.Changes = append(p.Changes, create(addr, fmt.Sprintf("%s/resourceGroups/mid%d", sub, i), "resource.root"))
	}
	p.Changes = append(p.Changes, create("resource.sink", sub+"/resourceGroups/sink", mids...))
	return p
}

// saver counts saves and keeps a replica of the state built only from the
// records each save names, as the state journal is: after every save the
// replica must equal the state, or apply changed a record it did not name.
type saver struct {
	mu      sync.Mutex
	saves   int
	last    []string
	replica *state.State
	err     error
}

func (s *saver) save(st *state.State, changed ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	s.last = nil
	for _, r := range st.Resources {
		s.last = append(s.last, r.Address)
	}
	if s.replica == nil || len(changed) == 0 {
		s.replica = st.Clone()
		return nil
	}
	for _, a := range changed {
		if a == state.OutputsChanged {
			s.replica.Outputs = st.Clone().Outputs
			continue
		}
		if r := st.Get(a); r != nil {
			one := &state.State{Resources: []*state.Resource{r}}
			s.replica.Set(one.Clone().Resources[0])
		} else {
			s.replica.Remove(a)
		}
	}
	s.replica.Serial = st.Serial
	want, _ := state.Encode(st.Clone())
	got, _ := state.Encode(s.replica.Clone())
	if s.err == nil && string(want) != string(got) {
		s.err = fmt.Errorf("save %d named %v, and the records it names do not make the state:\n%s\nwant:\n%s", s.saves, changed, got, want)
	}
	return nil
}

// check fails the test when a save did not name every record it changed.
func (s *saver) check(t *testing.T) {
	t.Helper()
	if s.err != nil {
		t.Fatal(s.err)
	}
}

func TestDiamondOrderAndParallelism(t *testing.T) {
	for _, par := range []int{1, 4, 10} {
		t.Run(fmt.Sprintf("parallelism=%d", par), func(t *testing.T) {
			f := newFake()
			f.delay = 20 * time.Millisecond
			st := state.New()
			sv := &saver{replica: st.Clone()}
			p := diamond()
			res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Save: sv.save, Parallelism: par})
			if err != nil {
				t.Fatal(err)
			}
			sv.check(t)
			// Each create is saved twice: its intent before it is sent, its
			// result after. Saves queued while another is committed share
			// a commit, so with operations in parallel there may be fewer.
			if res.Added != 20 || sv.saves > 40 || (par == 1 && sv.saves != 40) {
				t.Fatalf("added %d, saved %d times; want 20 and 40 (at most 40 in parallel)", res.Added, sv.saves)
			}
			if f.peak > par {
				t.Fatalf("peak concurrency %d exceeds --parallelism %d", f.peak, par)
			}
			if par > 1 && f.peak < 2 {
				t.Fatalf("peak concurrency %d: independent operations did not run in parallel", f.peak)
			}
			// Every operation started after each of its dependencies finished.
			for _, c := range p.Changes {
				for _, d := range c.DependsOn {
					dc := find(p, d)
					if !f.startedAt["PUT "+strings.ToLower(c.ID)].After(f.finished["PUT "+strings.ToLower(dc.ID)]) {
						t.Errorf("%s started before its dependency %s finished", c.Address, d)
					}
				}
			}
		})
	}
}

func find(p *plan.Plan, addr string) *plan.Change {
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	return nil
}

func TestDeletesChildrenFirst(t *testing.T) {
	f := newFake()
	rg := sub + "/resourceGroups/rg"
	vnet := rg + "/providers/Microsoft.Network/virtualNetworks/vnet"
	p := &plan.Plan{}
	// Listed parents first on purpose: the executor must still go deepest first.
	for _, id := range []string{rg, vnet, vnet + "/subnets/a", vnet + "/subnets/b"} {
		f.resources[strings.ToLower(id)] = map[string]any{}
		p.Changes = append(p.Changes, &plan.Change{Address: "resource." + id[strings.LastIndex(id, "/")+1:], ID: id, APIVersion: "2024-01-01", Action: plan.Delete})
	}
	// The plan listed what the group holds: the network, deleted first.
	p.Changes[0].Contents = &plan.Contents{Resources: []plan.Contained{{ID: vnet, Managed: true, Address: "resource.vnet"}}}
	st := state.New()
	for _, c := range p.Changes {
		st.Set(&state.Resource{Address: c.Address, ID: c.ID})
	}
	res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Parallelism: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Destroyed != 4 || len(st.Resources) != 0 {
		t.Fatalf("destroyed %d, state keeps %d; want 4 and 0", res.Destroyed, len(st.Resources))
	}
	pos := map[string]int{}
	for i, s := range f.started {
		pos[s] = i
	}
	low := strings.ToLower
	if !(pos["DELETE "+low(vnet+"/subnets/a")] < pos["DELETE "+low(vnet)] && pos["DELETE "+low(vnet)] < pos["DELETE "+low(rg)]) {
		t.Fatalf("deletes did not go children first: %v", f.started)
	}
}

func TestFailureDrainsAndKeepsState(t *testing.T) {
	f := newFake()
	f.delay = 30 * time.Millisecond
	p := diamond()
	f.fail[strings.ToLower(sub+"/resourceGroups/mid3")] = &arm.Error{StatusCode: 400, Code: "InvalidParameter", Message: "sku is not valid"}
	st := state.New()
	sv := &saver{replica: st.Clone()}
	res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Save: sv.save, Parallelism: 4})
	sv.check(t)
	if err == nil || !strings.Contains(err.Error(), "InvalidParameter") || !strings.Contains(err.Error(), "resource.mid3") {
		t.Fatalf("error = %v; want the ARM code and the address", err)
	}
	if st.Get("resource.sink") != nil {
		t.Fatal("the sink was created although a dependency failed")
	}
	if res.NotStarted == 0 {
		t.Fatal("no operation was left unstarted after the failure")
	}
	// Everything that finished is in the state.
	if res.Added != len(st.Resources) {
		t.Fatalf("added %d but the state holds %d", res.Added, len(st.Resources))
	}
	// A rerun with the failure gone converges.
	delete(f.fail, strings.ToLower(sub+"/resourceGroups/mid3"))
	p2 := &plan.Plan{}
	for _, c := range p.Changes {
		if st.Get(c.Address) == nil {
			p2.Changes = append(p2.Changes, c)
		}
	}
	if _, err := Run(context.Background(), Options{Plan: p2, Client: f, State: st, Parallelism: 4}); err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 20 {
		t.Fatalf("after the rerun the state holds %d resources, want 20", len(st.Resources))
	}
}

func TestDrainStopsNewOperations(t *testing.T) {
	f := newFake()
	f.delay = 40 * time.Millisecond
	drain := make(chan struct{})
	st := state.New()
	go func() { time.Sleep(60 * time.Millisecond); close(drain) }()
	res, err := Run(context.Background(), Options{Plan: diamond(), Client: f, State: st, Parallelism: 2, Drain: drain})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error = %v, want ErrInterrupted", err)
	}
	if res.Added == 0 || res.Added == 20 || res.Added != len(st.Resources) {
		t.Fatalf("added %d, state %d: want some but not all, all recorded", res.Added, len(st.Resources))
	}
	if f.inFlight != 0 {
		t.Fatal("operations were still in flight when Run returned")
	}
}

func TestTimeoutEndsTheWait(t *testing.T) {
	f := newFake()
	id := sub + "/resourceGroups/slow"
	f.block[strings.ToLower(id)] = true
	p := &plan.Plan{Changes: []*plan.Change{create("resource.slow", id)}}
	insts := []*config.Instance{{Address: "resource.slow", Timeouts: config.Timeouts{Create: 50 * time.Millisecond}}}
	_, err := Run(context.Background(), Options{Plan: p, Instances: insts, Client: f, State: state.New()})
	if err == nil || !strings.Contains(err.Error(), "gave up waiting") || !strings.Contains(err.Error(), "timeouts { create") {
		t.Fatalf("error = %v; want a timeout that says which setting to raise", err)
	}
}

// TestProgressEvents: a long create reports its start, progress while it
// runs, and its end with the ID; the views turn them into lines.
func TestProgressEvents(t *testing.T) {
	f := newFake()
	f.delay = 80 * time.Millisecond
	rec := &recorder{}
	id := sub + "/resourceGroups/r"
	p := &plan.Plan{Changes: []*plan.Change{create("resource.registry", id)}}
	_, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New(),
		Reporter: rec, ProgressInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	starts, progress, done := rec.of(EventStart), rec.of(EventProgress), rec.of(EventComplete)
	if len(starts) != 1 || starts[0].Op != OpCreate || starts[0].Address != "resource.registry" {
		t.Errorf("start events = %+v, want one create of resource.registry", starts)
	}
	if len(progress) == 0 || progress[0].Elapsed <= 0 {
		t.Errorf("progress events = %+v, want at least one with the time elapsed", progress)
	}
	if len(done) != 1 || done[0].ID != id || done[0].Op != OpCreate {
		t.Errorf("complete events = %+v, want one with id %s", done, id)
	}
}

// TestEventsInOrder: a quick create reports exactly its start, then its
// end.
func TestEventsInOrder(t *testing.T) {
	f := newFake()
	rec := &recorder{}
	p := &plan.Plan{Changes: []*plan.Change{create("resource.a", sub+"/resourceGroups/a")}}
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New(), Reporter: rec}); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 || rec.events[0].Kind != EventStart || rec.events[1].Kind != EventComplete || rec.events[1].Address != "resource.a" {
		t.Fatalf("events =\n%s", rec)
	}
}

func TestParentSerialization(t *testing.T) {
	vnet := sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"
	nsg := sub + "/resourceGroups/rg/providers/Contoso.Widgets/gadgets/g"
	cases := []struct {
		name   string
		parent string
		child  string
	}{
		{"known serialized type (subnets)", vnet, "subnets"},
		{"learned from a 409 AnotherOperationInProgress", nsg, "parts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.delay = 10 * time.Millisecond
			f.busyParents = true
			f.resources[strings.ToLower(tc.parent)] = map[string]any{}
			p := &plan.Plan{}
			for i := 0; i < 8; i++ {
				p.Changes = append(p.Changes, create(fmt.Sprintf("resource.c%d", i), fmt.Sprintf("%s/%s/c%d", tc.parent, tc.child, i)))
			}
			st := state.New()
			res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Parallelism: 8})
			if err != nil {
				t.Fatalf("apply failed on a busy parent: %v", err)
			}
			if res.Added != 8 {
				t.Fatalf("added %d, want 8", res.Added)
			}
			if tc.child == "subnets" && f.conflicts != 0 {
				t.Fatalf("%d conflicts on a parent known to serialize its children", f.conflicts)
			}
			// The writes of a chain ARM runs one at a time go first in the
			// ARM client's pacer. A learned parent's first writes were not
			// yet known to be of a chain; its retries were.
			without := 0
			for i := 0; i < 8; i++ {
				if !f.priority[fmt.Sprintf("PUT %s/%s/c%d", tc.parent, tc.child, i)] {
					without++
				}
			}
			if (tc.child == "subnets" && without != 0) || without == 8 {
				t.Errorf("%d of the 8 writes of the chain went without priority", without)
			}
		})
	}
}

func TestIsParentBusy(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&arm.Error{StatusCode: http.StatusConflict, Code: "AnotherOperationInProgress"}, true},
		{&arm.Error{StatusCode: http.StatusTooManyRequests, Code: "RetryableErrorDueToAnotherOperation"}, true},
		{&arm.Error{StatusCode: http.StatusConflict, Code: "InvalidResourceState"}, false},
		{errors.New("boom"), false},
	}
	for _, tc := range cases {
		if got := isParentBusy(tc.err); got != tc.want {
			t.Errorf("isParentBusy(%v) = %v", tc.err, got)
		}
	}
}

func TestParentResource(t *testing.T) {
	vnet := sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
	cases := []struct{ id, parent, typ string }{
		{vnet + "/subnets/s", vnet, "Microsoft.Network/virtualNetworks/subnets"},
		{vnet + "/SUBNETS/s/", vnet, "Microsoft.Network/virtualNetworks/SUBNETS"},
		{vnet + "/providers/Microsoft.Authorization/roleAssignments/r", "", ""},
		{vnet, "", ""},
		{sub + "/resourceGroups/rg", "", ""},
		{sub, "", ""},
		{"not an id", "", ""},
	}
	for _, tc := range cases {
		p, typ, ok := parentResource(tc.id)
		if ok != (tc.parent != "") || ok && (p.String() != tc.parent || typ != tc.typ) {
			t.Errorf("parentResource(%s) = %q, %q, %v", tc.id, p, typ, ok)
		}
	}
}

func TestDeletedWithResourceGroupSendsOneDelete(t *testing.T) {
	f := newFake()
	rg := sub + "/resourceGroups/rg"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/r"
	f.resources[strings.ToLower(rg)] = map[string]any{}
	f.resources[strings.ToLower(acr)] = map[string]any{}
	st := state.New()
	st.Set(&state.Resource{Address: "resource.rg", ID: rg})
	st.Set(&state.Resource{Address: "resource.acr", ID: acr})
	p := &plan.Plan{Changes: []*plan.Change{
		{Address: "resource.acr", ID: acr, APIVersion: "2023-07-01", Action: plan.Delete, DeletedWith: "resource.rg"},
		{Address: "resource.rg", ID: rg, APIVersion: "2021-04-01", Action: plan.Delete,
			Contents: &plan.Contents{Resources: []plan.Contained{{ID: acr, Managed: true, Address: "resource.acr"}}}},
	}}
	sv := &saver{replica: st.Clone()}
	res, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Save: sv.save})
	if err != nil {
		t.Fatal(err)
	}
	sv.check(t)
	if len(f.started) != 1 || f.started[0] != "DELETE "+strings.ToLower(rg) {
		t.Fatalf("requests %v, want one DELETE of the resource group", f.started)
	}
	if res.Destroyed != 2 || len(st.Resources) != 0 {
		t.Fatalf("destroyed %d, state keeps %d; want 2 and 0", res.Destroyed, len(st.Resources))
	}
}

func TestImportWithNoChangeIsRecorded(t *testing.T) {
	f := newFake()
	id := sub + "/resourceGroups/legacy"
	live := map[string]any{"id": sub + "/resourcegroups/legacy", "location": "westus"}
	p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.legacy", ID: id, APIVersion: "2021-04-01",
		Action: plan.NoOp, Import: true, Desired: map[string]any{"location": "westus"}, Live: live}}}
	st := state.New()
	sv := &saver{replica: st.Clone()}
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: st, Save: sv.save}); err != nil {
		t.Fatal(err)
	}
	sv.check(t)
	if len(f.started) != 0 {
		t.Fatalf("an import with nothing to change sent %v", f.started)
	}
	got := st.Get("resource.legacy")
	if got == nil || got.ID != live["id"] || sv.saves != 1 {
		t.Fatalf("state = %+v after %d saves; want the import recorded with ARM's casing", got, sv.saves)
	}
}

func TestWarnsWhenTheServiceKeepsAValueDifferently(t *testing.T) {
	f := &keepingClient{fakeClient: newFake()}
	rec := &recorder{}
	p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.aks", ID: sub + "/resourceGroups/k", APIVersion: "2025-01-01",
		Action: plan.Create, Desired: map[string]any{"kubernetesVersion": "1.29"}}}}
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New(), Reporter: rec}); err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, e := range rec.of(EventWarning) {
		warned = warned || e.Address == "resource.aks" && strings.Contains(e.Message, `the service keeps kubernetesVersion as "1.29.7" (azapply sent "1.29")`)
	}
	if !warned {
		t.Fatalf("no warning about the value the service keeps differently:\n%s", rec)
	}
}

// keepingClient answers GETs with kubernetesVersion completed, as AKS does.
type keepingClient struct{ *fakeClient }

func (k *keepingClient) Get(ctx context.Context, id, v string) (*arm.Response, error) {
	r, err := k.fakeClient.Get(ctx, id, v)
	if err == nil {
		r.Body["kubernetesVersion"] = "1.29.7"
	}
	return r, err
}

func TestUpdateSendsIfMatchAndPatch(t *testing.T) {
	id := sub + "/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr"
	live := map[string]any{"id": id, "etag": `"v1"`, "location": "westus", "sku": map[string]any{"name": "Standard"},
		"properties": map[string]any{"adminUserEnabled": true, "loginServer": "acr.azurecr.io"}, "tags": map[string]any{"team": "a"}}
	desired := map[string]any{"location": "westus", "sku": map[string]any{"name": "Premium"}, "properties": map[string]any{"adminUserEnabled": true}}
	lastApplied := map[string]any{"location": "westus", "sku": map[string]any{"name": "Standard"}, "properties": map[string]any{"adminUserEnabled": true}, "tags": map[string]any{"team": "a"}}
	for _, method := range []string{"PUT", "PATCH"} {
		t.Run(method, func(t *testing.T) {
			f := newFake()
			f.resources[strings.ToLower(id)] = map[string]any{}
			st := state.New()
			st.Set(&state.Resource{Address: "resource.acr", ID: id, LastApplied: lastApplied})
			p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.acr", ID: id, APIVersion: "2023-07-01", Action: plan.Update, Desired: desired, Live: live, UpdateMethod: method}}}
			insts := []*config.Instance{{Address: "resource.acr", UpdateMethod: method}}
			if _, err := Run(context.Background(), Options{Plan: p, Instances: insts, Client: f, State: st}); err != nil {
				t.Fatal(err)
			}
			if len(f.requests) != 1 {
				t.Fatalf("requests = %+v", f.requests)
			}
			req := f.requests[0]
			if req.Method != method || req.IfMatch != `"v1"` {
				t.Fatalf("sent %s with If-Match %q; want %s with the live ETag", req.Method, req.IfMatch, method)
			}
			got, _ := json.Marshal(req.Body)
			// Read, merge, write: the live body without ARM's bookkeeping,
			// the declared values over it, and the tags the last apply
			// sent and the configuration no longer declares taken out.
			want := `{"location":"westus","properties":{"adminUserEnabled":true,"loginServer":"acr.azurecr.io"},"sku":{"name":"Premium"}}`
			if method == "PATCH" {
				want = `{"sku":{"name":"Premium"},"tags":null}`
			}
			if string(got) != want {
				t.Fatalf("body = %s, want %s", got, want)
			}
		})
	}
}

func TestPreconditionFailedSaysWhatToDo(t *testing.T) {
	id := sub + "/resourceGroups/rg"
	f := newFake()
	f.fail[strings.ToLower(id)] = &arm.Error{StatusCode: http.StatusPreconditionFailed, Code: "PreconditionFailed", Message: "etag mismatch"}
	p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.rg", ID: id, APIVersion: "2021-04-01", Action: plan.Update,
		Desired: map[string]any{"location": "westus"}, Live: map[string]any{"etag": `"old"`}}}}
	_, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New()})
	if err == nil || !strings.Contains(err.Error(), "run plan again") || !strings.Contains(err.Error(), "PreconditionFailed") {
		t.Fatalf("error = %v", err)
	}
}

// resendingClient answers like ARM through arm.Client: its first write is
// refused as "parent busy", reported through OnBusy and resent (never
// returned as an error); every later write is accepted, even alongside
// others. It records, for each write, whether it was first sent after that
// busy report, and when its accepted attempt ran.
type resendingClient struct {
	*fakeClient
	mu        sync.Mutex
	started   bool
	learnedAt time.Time // when the write refused as busy finished
	runs      []run
}

type run struct {
	afterLearning bool
	start, end    time.Time
}

func (c *resendingClient) Do(ctx context.Context, r arm.Request) (*arm.Response, error) {
	c.mu.Lock()
	// Apply takes a parent's lock before it calls the client, so a write
	// sent once the busy write finished was scheduled after the report.
	after := !c.learnedAt.IsZero()
	first := !c.started
	c.started = true
	c.mu.Unlock()
	if first && r.OnBusy != nil {
		r.OnBusy(&arm.Error{StatusCode: http.StatusConflict, Code: "AnotherOperationInProgress"})
		time.Sleep(2 * time.Millisecond)
	}
	start := time.Now()
	resp, err := c.fakeClient.Do(ctx, r)
	c.mu.Lock()
	c.runs = append(c.runs, run{after, start, time.Now()})
	if first {
		c.learnedAt = time.Now()
	}
	c.mu.Unlock()
	return resp, err
}

// TestBusyParentIsLearnedFromTheClient: once the client reports a parent
// busy, the writes under it that start afterwards never overlap.
func TestBusyParentIsLearnedFromTheClient(t *testing.T) {
	parent := sub + "/resourceGroups/rg/providers/Contoso.Widgets/gadgets/g"
	f := newFake()
	f.delay = 15 * time.Millisecond
	c := &resendingClient{fakeClient: f}
	p := &plan.Plan{}
	for i := 0; i < 10; i++ {
		p.Changes = append(p.Changes, create(fmt.Sprintf("resource.c%d", i), fmt.Sprintf("%s/parts/c%d", parent, i)))
	}
	res, err := Run(context.Background(), Options{Plan: p, Client: c, State: state.New(), Parallelism: 4})
	if err != nil || res.Added != 10 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	late := 0
	for i, a := range c.runs {
		if !a.afterLearning {
			continue
		}
		late++
		for j, b := range c.runs {
			if i != j && b.afterLearning && a.start.Before(b.end) && b.start.Before(a.end) {
				t.Fatalf("two writes sent after the parent was reported busy ran at once")
			}
		}
	}
	if late < 2 {
		t.Fatalf("only %d writes started after the busy report: the test proves nothing", late)
	}
}

// TestLinkDeletes: a delete waits for the deletes of everything inside it,
// at any depth, matched on segment boundaries and case-insensitively.
func TestLinkDeletes(t *testing.T) {
	rg := sub + "/resourceGroups/rg"
	ids := []string{
		rg + "/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
		rg,
		rg + "/providers/Microsoft.Network/virtualNetworks/v",
		strings.ToUpper(rg) + "/providers/Microsoft.Network/virtualNetworks/v/subnets/b",
		rg + "/providers/Microsoft.Network/virtualNetworks/v2",
		sub + "/resourceGroups/rg2",
		rg + "/providers/Microsoft.Network/virtualNetworks/v/",
	}
	var nodes []*node
	for _, id := range ids {
		nodes = append(nodes, &node{id: id})
	}
	linkDeletes(nodes)
	want := map[int][]int{
		1: {0, 2, 3, 4, 6},
		2: {0, 3},
		6: {0, 3},
	}
	for i, n := range nodes {
		var got []int
		for _, d := range n.deps {
			got = append(got, slices.Index(nodes, d))
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("%s waits for %v, want %v", ids[i], got, want[i])
		}
	}
}
