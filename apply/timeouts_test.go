package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

func TestEveryOpHasItsWordsAndTimeout(t *testing.T) {
	set := config.Timeouts{Create: 1 * time.Minute, Update: 2 * time.Minute, Delete: 3 * time.Minute, Read: 4 * time.Minute}
	want := map[string]time.Duration{"create": set.Create, "update": set.Update, "delete": set.Delete, "read": set.Read}
	for _, op := range []Op{OpCreate, OpUpdate, OpDelete, OpRead, OpPost} {
		if op.Verb() == "" || op.Verb() == string(op) {
			t.Errorf("%s has no verb of its own: %q", op, op.Verb())
		}
		name := op.TimeoutName()
		d, ok := want[name]
		if !ok {
			t.Errorf("%s is bounded by timeouts { %q }, which a timeouts block has no entry for", op, name)
			continue
		}
		if got := op.Timeout(set); got != d {
			t.Errorf("%s: Timeout = %s, want the %s entry, %s", op, got, name, d)
		}
		if got := op.Timeout(config.Timeouts{}); got != 0 {
			t.Errorf("%s: Timeout of an empty timeouts block = %s, want 0 (the default)", op, got)
		}
	}
}

// TestDataSourceReadTimeout reads a data source deferred to apply from an
// emulator that answers its GETs late: its timeouts { read } ends the read
// and the error names that entry; a read within its timeout reads the body.
func TestDataSourceReadTimeout(t *testing.T) {
	world := registryWorld(t)
	cases := []struct {
		name    string
		read    string
		latency time.Duration
		wantErr string
	}{
		{"within its timeout", "10m", 0, ""},
		{"past its timeout", "100ms", 10 * time.Minute, "timeouts { read = ... } allow 100ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond, Faults: emulator.Faults{
				Latency: tc.latency, Types: []string{"Microsoft.ContainerRegistry/registries"}, Methods: []string{"GET"},
			}})
			if err := srv.UnmarshalWorld(world); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			src := fmt.Sprintf(`
data "acr" {
  id          = %q
  api_version = "2023-07-01"
  timeouts {
    read = %q
  }
}
`, emuACR, tc.read)
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := config.Load(dir, config.LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ev, diags := cfg.EvaluateAll(nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			res, err := Run(context.Background(), Options{Plan: &plan.Plan{}, Config: cfg, Deferred: ev.Data(),
				Client: emulatorClient(t, srv), State: state.New()})
			if got := srv.Counters().ByMethod["GET"]; got == 0 {
				t.Fatal("the data source was not read")
			}
			if tc.wantErr == "" {
				if err != nil || res.Read != 1 {
					t.Fatalf("read: %+v, %v", res, err)
				}
				return
			}
			if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want the read's deadline, saying %q", err, tc.wantErr)
			}
			if res.Read != 0 {
				t.Fatalf("Read = %d after a read that timed out", res.Read)
			}
		})
	}
}

// registryWorld is an emulator world holding a resource group and a
// registry in it, made through the ARM API.
func registryWorld(t *testing.T) []byte {
	t.Helper()
	srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond})
	c := emulatorClient(t, srv)
	for _, r := range []arm.Request{
		{Method: http.MethodPut, ID: emuRG, APIVersion: "2021-04-01", Body: map[string]any{"location": "westus"}},
		{Method: http.MethodPut, ID: emuACR, APIVersion: "2023-07-01", Body: map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}}},
	} {
		if _, err := c.Do(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := srv.Resource(emuACR); !ok {
		t.Fatal("the registry was not created")
	}
	world, err := srv.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}
	return world
}

// TestParentReadTimeout: the read of a parent again after apply wrote its
// children stops at the parent's timeouts { read }, and the parent keeps
// what the state recorded of it.
func TestParentReadTimeout(t *testing.T) {
	f := newFake()
	vnet := sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
	subnet := vnet + "/subnets/s"
	f.resources[strings.ToLower(vnet)] = map[string]any{"name": "live"}
	f.blockGet[strings.ToLower(vnet)] = true
	st := state.New()
	st.Set(&state.Resource{Address: "resource.vnet", ID: vnet, APIVersion: "2024-01-01", Output: map[string]any{"name": "recorded"}})
	p := &plan.Plan{Changes: []*plan.Change{create("resource.subnet", subnet)}}
	insts := []*config.Instance{
		{Address: "resource.vnet", ID: vnet, Timeouts: config.Timeouts{Read: 50 * time.Millisecond}},
		{Address: "resource.subnet", ID: subnet},
	}
	res, err := Run(context.Background(), Options{Plan: p, Instances: insts, Client: f, State: st})
	if err != nil || res.Added != 1 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	if got := f.gets[strings.ToLower(vnet)]; !errors.Is(got, context.DeadlineExceeded) {
		t.Fatalf("the parent's read ended with %v, want its read timeout", got)
	}
	if got := st.Get("resource.vnet").Output["name"]; got != "recorded" {
		t.Fatalf("the parent's output = %v after a read that timed out", got)
	}
	if st.Get("resource.subnet") == nil {
		t.Fatal("the subnet is not recorded")
	}
}
