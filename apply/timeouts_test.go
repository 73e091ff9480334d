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

// TestReadAndPostTimeouts runs a data source deferred to apply and an
// action against an emulator that answers their requests late: the
// block's timeouts entry for the operation (read for a GET, create for an
// action's POST) ends the wait, and the error names that entry; within
// its timeout the operation ends as usual.
func TestReadAndPostTimeouts(t *testing.T) {
	world := registryWorld(t)
	data := `
data "acr" {
  id          = %q
  api_version = "2023-07-01"
  timeouts {
    read = %q
  }
}
`
	action := `
action "creds" {
  id          = "%s/listCredentials"
  api_version = "2023-07-01"
  when        = "every_apply"
  timeouts {
    create = %q
  }
}
`
	cases := []struct {
		name     string
		src      string
		method   string
		timeout  string
		latency  time.Duration
		wantErr  string
		wantDone Result
	}{
		{"read within its timeout", data, "GET", "10m", 0, "", Result{Read: 1}},
		{"read past its timeout", data, "GET", "100ms", 10 * time.Minute, "timeouts { read = ... } allow 100ms", Result{}},
		{"action within its timeout", action, "POST", "10m", 0, "", Result{Actions: 1}},
		{"action past its timeout", action, "POST", "100ms", 10 * time.Minute, "timeouts { create = ... } allow 100ms", Result{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond, Faults: emulator.Faults{
				Latency: tc.latency, Types: []string{"Microsoft.ContainerRegistry/registries"}, Methods: []string{tc.method},
			}})
			if err := srv.UnmarshalWorld(world); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(fmt.Sprintf(tc.src, emuACR, tc.timeout)), 0o644); err != nil {
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
			res, err := Run(context.Background(), Options{Plan: &plan.Plan{}, Config: cfg, Deferred: ev.Data(), Actions: ev.Actions(),
				Client: emulatorClient(t, srv), State: state.New()})
			if got := srv.Counters().ByMethod[tc.method]; got == 0 {
				t.Fatalf("no %s was sent", tc.method)
			}
			if res.Read != tc.wantDone.Read || res.Actions != tc.wantDone.Actions {
				t.Fatalf("result %+v, want %+v (error %v)", res, tc.wantDone, err)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want the deadline, saying %q", err, tc.wantErr)
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
		{Method: http.MethodPut, ID: emuACR, APIVersion: "2023-07-01", Body: map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}, "properties": map[string]any{"adminUserEnabled": true}}},
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
