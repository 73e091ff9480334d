package plan

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

const (
	rgID  = testSub + "/resourceGroups/app"
	acrID = rgID + "/providers/Microsoft.ContainerRegistry/registries/acr"
	vnID  = rgID + "/providers/Microsoft.Network/virtualNetworks/vnet"
)

func inst(t *testing.T, name, id, body string) *config.Instance {
	t.Helper()
	return &config.Instance{Address: "resource." + name, Name: name, ID: id, APIVersion: "2023-07-01", Body: config.FromJSONValue(obj(t, body)), UpdateMethod: "PUT"}
}

// applied records a resource in st as apply would: what was sent and what
// was read back.
func applied(t *testing.T, st *state.State, name, id, sent, output string) {
	t.Helper()
	st.Set(&state.Resource{Address: "resource." + name, ID: id, APIVersion: "2023-07-01", LastApplied: obj(t, sent), Output: obj(t, output)})
}

func actions(p *Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		out[c.Address] = c.Action
	}
	return out
}

func TestBuildActions(t *testing.T) {
	const rgBody = `{"location":"westus"}`
	const acrLive = `{"id":"` + acrID + `","location":"westus","sku":{"name":"Standard"}}`
	cases := []struct {
		name  string
		world map[string]string
		insts func(t *testing.T) []*config.Instance
		state func(t *testing.T, st *state.State)
		o     Options
		want  map[string]Action
	}{
		{
			name:  "create",
			insts: func(t *testing.T) []*config.Instance { return []*config.Instance{inst(t, "rg", rgID, rgBody)} },
			want:  map[string]Action{"resource.rg": Create},
		},
		{
			name:  "no-op after apply",
			world: map[string]string{rgID: `{"location":"westus","properties":{"provisioningState":"Succeeded"}}`},
			insts: func(t *testing.T) []*config.Instance {
				return []*config.Instance{inst(t, "rg", rgID, `{"location":"West US"}`)}
			},
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "rg", rgID, `{"location":"West US"}`, `{"location":"westus","properties":{"provisioningState":"Succeeded"}}`)
			},
			want: map[string]Action{"resource.rg": NoOp},
		},
		{
			name:  "update",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance {
				return []*config.Instance{inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Premium"}}`)}
			},
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`, acrLive)
			},
			want: map[string]Action{"resource.acr": Update},
		},
		{
			name:  "replace on a replace_on_changes path",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance {
				in := inst(t, "acr", acrID, `{"location":"eastus","sku":{"name":"Standard"}}`)
				in.ReplaceOnChanges = []string{"location"}
				return []*config.Instance{in}
			},
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`, acrLive)
			},
			want: map[string]Action{"resource.acr": Replace},
		},
		{
			name:  "replace when the id changes",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance {
				return []*config.Instance{inst(t, "acr", rgID+"/providers/Microsoft.ContainerRegistry/registries/acr2", `{"location":"westus"}`)}
			},
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "acr", acrID, `{"location":"westus"}`, acrLive)
			},
			want: map[string]Action{"resource.acr": Replace},
		},
		{
			name:  "an id that differs only in case is the same resource",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance {
				return []*config.Instance{inst(t, "acr", strings.ToLower(acrID), `{"location":"westus","sku":{"name":"Standard"}}`)}
			},
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "acr", strings.ToUpper(acrID), `{"location":"westus","sku":{"name":"Standard"}}`, acrLive)
			},
			want: map[string]Action{"resource.acr": NoOp},
		},
		{
			name:  "delete, and forget what is gone",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance { return nil },
			state: func(t *testing.T, st *state.State) {
				applied(t, st, "acr", acrID, `{}`, acrLive)
				applied(t, st, "vnet", vnID, `{}`, `{}`)
			},
			want: map[string]Action{"resource.acr": Delete, "resource.vnet": Forget},
		},
		{
			name:  "removed block keeps it in Azure",
			world: map[string]string{acrID: acrLive},
			insts: func(t *testing.T) []*config.Instance { return nil },
			state: func(t *testing.T, st *state.State) { applied(t, st, "acr", acrID, `{}`, acrLive) },
			o:     Options{Removed: []*config.Removed{{From: "resource.acr", Destroy: false}}},
			want:  map[string]Action{"resource.acr": Forget},
		},
		{
			name:  "data source is read",
			world: map[string]string{rgID: rgBody},
			insts: func(t *testing.T) []*config.Instance { return nil },
			o:     Options{Data: []DataSource{{Address: "data.rg", ID: rgID, APIVersion: "2021-04-01"}}},
			want:  map[string]Action{"data.rg": Read},
		},
		{
			name:  "gone since the last apply: create again",
			insts: func(t *testing.T) []*config.Instance { return []*config.Instance{inst(t, "rg", rgID, rgBody)} },
			state: func(t *testing.T, st *state.State) { applied(t, st, "rg", rgID, rgBody, rgBody) },
			want:  map[string]Action{"resource.rg": Create},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newEmulator(t)
			world := map[string]map[string]any{}
			for id, b := range tc.world {
				world[id] = obj(t, b)
			}
			setWorld(t, srv, world)
			st := state.New()
			if tc.state != nil {
				tc.state(t, st)
			}
			o := tc.o
			o.Reader, o.Instances, o.State = client, tc.insts(t), st
			p, err := Build(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			got := actions(p)
			if len(got) != len(tc.want) {
				t.Fatalf("actions = %v, want %v", got, tc.want)
			}
			for a, w := range tc.want {
				if got[a] != w {
					t.Errorf("%s: %s, want %s", a, got[a], w)
				}
			}
		})
	}
}

func TestBuildDeletedWithResourceGroup(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{rgID: {"id": rgID, "location": "westus"}, acrID: {"id": acrID, "location": "westus"}, vnID: {"id": vnID, "location": "westus"}})
	st := state.New()
	applied(t, st, "rg", rgID, `{}`, `{}`)
	applied(t, st, "acr", acrID, `{}`, `{}`)
	applied(t, st, "vnet", vnID, `{}`, `{}`)
	p, err := Build(context.Background(), Options{Reader: client, State: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 3 || p.Changes[2].Address != "resource.rg" {
		t.Fatalf("changes = %+v, want the resource group last", p.Changes)
	}
	for _, c := range p.Changes[:2] {
		if c.Action != Delete || c.DeletedWith != "resource.rg" {
			t.Errorf("%s: %s deleted with %q, want delete with resource.rg", c.Address, c.Action, c.DeletedWith)
		}
	}
	if p.Changes[2].DeletedWith != "" {
		t.Errorf("the resource group is deleted with %q", p.Changes[2].DeletedWith)
	}
	if _, _, destroy := p.Summary(); destroy != 3 {
		t.Errorf("destroy = %d, want 3", destroy)
	}
}

func TestBuildRefusesSilentAdoption(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus", "sku": map[string]any{"name": "Basic"}}})
	decl := func() []*config.Instance {
		return []*config.Instance{inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`)}
	}
	_, err := Build(context.Background(), Options{Reader: client, Instances: decl(), State: state.New()})
	if err == nil || !strings.Contains(err.Error(), "import {") || !strings.Contains(err.Error(), "adopt_existing") {
		t.Fatalf("error = %v, want one that explains the import block and adopt_existing", err)
	}
	for name, o := range map[string]Options{
		"adopt_existing": {AdoptExisting: true},
		"import block":   {Imports: []*config.Import{{To: "resource.acr", ID: strings.ToUpper(acrID)}}},
	} {
		o.Reader, o.Instances, o.State = client, decl(), state.New()
		p, err := Build(context.Background(), o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := p.Changes[0]
		if !c.Import || c.Action != Update || len(c.Paths) != 1 || c.Paths[0].Path != "sku.name" {
			t.Errorf("%s: %+v, want an import with sku.name updated", name, c)
		}
	}
	_, err = Build(context.Background(), Options{Reader: client, Instances: decl(), State: state.New(),
		Imports: []*config.Import{{To: "resource.acr", ID: vnID}}})
	if err == nil || !strings.Contains(err.Error(), "make them the same") {
		t.Fatalf("error = %v, want a mismatched import block reported", err)
	}
	_, err = Build(context.Background(), Options{Reader: client, State: state.New(),
		Instances: []*config.Instance{inst(t, "vnet", vnID, `{}`)}, Imports: []*config.Import{{To: "resource.vnet", ID: vnID}}})
	if err == nil || !strings.Contains(err.Error(), "does not exist in Azure") {
		t.Fatalf("error = %v, want an import of nothing reported", err)
	}
}

func TestBuildPreventDestroy(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus"}})
	st := state.New()
	applied(t, st, "acr", acrID, `{"location":"westus"}`, `{"location":"westus"}`)
	in := inst(t, "acr", acrID, `{"location":"eastus"}`)
	in.ReplaceOnChanges, in.PreventDestroy = []string{"location"}, true
	_, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st})
	if err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
		t.Fatalf("error = %v, want prevent_destroy to stop the replace", err)
	}
}

func TestBuildDrift(t *testing.T) {
	srv, client := newEmulator(t)
	out := `{"location":"westus","sku":{"name":"Standard"},"properties":{"publicNetworkAccess":"Enabled"},"etag":"1"}`
	setWorld(t, srv, map[string]map[string]any{
		acrID: obj(t, `{"location":"westus","sku":{"name":"Basic"},"properties":{"publicNetworkAccess":"Disabled"},"etag":"2"}`),
	})
	st := state.New()
	applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`, out)
	applied(t, st, "vnet", vnID, `{"location":"westus"}`, `{"location":"westus"}`)
	decl := []*config.Instance{inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`), inst(t, "vnet", vnID, `{"location":"westus"}`)}

	p, err := Build(context.Background(), Options{Reader: client, Instances: decl, State: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Drift) != 2 {
		t.Fatalf("drift = %+v, want the registry changed and the network deleted", p.Drift)
	}
	d := p.Drift[0]
	if got := paths(d.Paths); strings.Join(got, ",") != "properties.publicNetworkAccess,sku.name" || d.Paths[0].Declared || !d.Paths[1].Declared {
		t.Errorf("registry drift = %+v", d.Paths)
	}
	if !p.Drift[1].Deleted {
		t.Errorf("network drift = %+v, want deleted", p.Drift[1])
	}
	if a := actions(p); a["resource.acr"] != Update || a["resource.vnet"] != Create {
		t.Errorf("actions = %v: the declared drift is changed back, the deleted network created", a)
	}
	if got := paths(p.Changes[0].Paths); len(got) != 1 || got[0] != "sku.name" {
		t.Errorf("planned paths = %q, want only the declared sku.name", got)
	}

	ro, err := Build(context.Background(), Options{Reader: client, Instances: decl, State: st, RefreshOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ro.Changes) != 0 || len(ro.Drift) != 2 || !ro.HasDrift() || ro.HasChanges() {
		t.Errorf("refresh-only plan = %+v, want drift only", ro)
	}
}

// gatedReader lets the first n GETs in only when n are in flight at once,
// proving that the refresh runs them concurrently, and records the most
// that ever were.
type gatedReader struct {
	r        Reader
	n        int
	mu       sync.Mutex
	inflight int
	max      int
	entered  int
	ready    chan struct{}
	fail     string
}

func (g *gatedReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	g.mu.Lock()
	g.inflight++
	g.max = max(g.max, g.inflight)
	g.entered++
	if g.entered == g.n {
		close(g.ready)
	}
	first := g.entered <= g.n
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}()
	if first {
		select {
		case <-g.ready:
		case <-time.After(10 * time.Second):
			return nil, errors.New("the refresh did not run its GETs concurrently")
		}
	}
	if id == g.fail {
		return nil, errors.New("connection reset")
	}
	return g.r.Get(ctx, id, apiVersion)
}

func TestRefreshParallelism(t *testing.T) {
	srv, client := newEmulator(t)
	world := map[string]map[string]any{}
	var targets []Target
	for i := range 20 {
		id := rgID + "/providers/Microsoft.Network/publicIPAddresses/ip" + string(rune('a'+i))
		world[id] = map[string]any{"n": i}
		targets = append(targets, Target{ID: id, APIVersion: "2024-07-01"})
	}
	targets = append(targets, Target{ID: rgID + "/providers/Microsoft.Network/publicIPAddresses/missing", APIVersion: "2024-07-01"})
	setWorld(t, srv, world)
	g := &gatedReader{r: client, n: 4, ready: make(chan struct{})}
	bodies, err := Refresh(context.Background(), g, targets, 4)
	if err != nil {
		t.Fatal(err)
	}
	if g.max != 4 {
		t.Errorf("at most %d GETs ran at once, want 4", g.max)
	}
	for i := range 20 {
		if n, _ := number(bodies[i]["n"]); n == nil || n.String() != numText(i) {
			t.Errorf("body %d = %v: bodies must come back in the targets' order", i, bodies[i])
		}
	}
	if bodies[20] != nil {
		t.Errorf("a 404 must be a nil body, got %v", bodies[20])
	}

	g = &gatedReader{r: client, n: 2, ready: make(chan struct{}), fail: targets[3].ID}
	if _, err := Refresh(context.Background(), g, targets, 2); err == nil || !strings.Contains(err.Error(), "connection reset") || !strings.Contains(err.Error(), targets[3].ID) {
		t.Errorf("error = %v, want the failed GET named", err)
	}
}

func numText(i int) string {
	n, _ := number(i)
	return n.String()
}

func TestReadDataMissingIsAnError(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{rgID: {"location": "westus"}})
	got, err := ReadData(context.Background(), client, []DataSource{{Address: "data.rg", ID: rgID, APIVersion: "2021-04-01"}}, 0)
	if err != nil || got["data.rg"]["location"] != "westus" {
		t.Fatalf("ReadData = %v, %v", got, err)
	}
	_, err = ReadData(context.Background(), client, []DataSource{{Address: "data.gone", ID: testSub + "/resourceGroups/gone", APIVersion: "2021-04-01"}}, 0)
	if err == nil || !strings.Contains(err.Error(), "data.gone") {
		t.Fatalf("error = %v, want the missing data source named", err)
	}
}

func TestBuildRenameIsNotADelete(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus"}})
	st := state.New()
	applied(t, st, "old", acrID, `{"location":"westus"}`, `{"location":"westus"}`)
	decl := func() []*config.Instance { return []*config.Instance{inst(t, "new", acrID, `{"location":"westus"}`)} }
	_, err := Build(context.Background(), Options{Reader: client, Instances: decl(), State: st})
	if err == nil || !strings.Contains(err.Error(), "removed { from = resource.old") {
		t.Fatalf("error = %v, want the rename explained", err)
	}
	p, err := Build(context.Background(), Options{Reader: client, Instances: decl(), State: st,
		Removed: []*config.Removed{{From: "resource.old"}}, Imports: []*config.Import{{To: "resource.new", ID: acrID}}})
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(p); a["resource.old"] != Forget || a["resource.new"] != NoOp || !p.Changes[0].Import {
		t.Fatalf("actions = %v, want the old address forgotten and the new one imported", a)
	}
}

func TestBuildProviderIgnoreChangesForPolicyTags(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{rgID: obj(t, `{"location":"westus","tags":{"env":"prod","CostCenter":"42"}}`)})
	st := state.New()
	applied(t, st, "rg", rgID, `{"location":"westus","tags":{"env":"dev"}}`, `{"location":"westus","tags":{"env":"dev"}}`)
	decl := []*config.Instance{inst(t, "rg", rgID, `{"location":"westus","tags":{"env":"dev"}}`)}

	p, err := Build(context.Background(), Options{Reader: client, Instances: decl, State: st})
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(p.Changes[0].Paths); len(got) != 1 || got[0] != "tags.env" || len(p.Drift) != 1 || len(p.Drift[0].Paths) != 2 {
		t.Fatalf("without ignore_changes: changes %q, drift %+v", got, p.Drift)
	}
	p, err = Build(context.Background(), Options{Reader: client, Instances: decl, State: st, IgnoreChanges: []string{"tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes[0].Action != NoOp || len(p.Drift) != 0 {
		t.Fatalf("with the provider's ignore_changes = [\"tags\"]: %s, drift %+v", p.Changes[0].Action, p.Drift)
	}
}

func TestBuildReadsDataOnce(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{rgID: {"location": "westus"}})
	ds := []DataSource{{Address: "data.rg", ID: rgID, APIVersion: "2021-04-01"}}
	bodies, err := ReadData(context.Background(), client, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Requests()["GET"]
	p, err := Build(context.Background(), Options{Reader: client, State: state.New(), Data: ds, DataBodies: bodies})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()["GET"] - before; got != 0 {
		t.Errorf("Build sent %d GETs for a data source already read", got)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != Read || p.Changes[0].Live["location"] != "westus" || p.HasChanges() {
		t.Errorf("changes = %+v, want one read that is not a change", p.Changes)
	}
}
