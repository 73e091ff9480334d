package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
)

// factoryConfig names an ARM endpoint that does not exist: only a factory
// that hands out another client can run it.
const factoryConfig = `
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "https://management.azapply-test.invalid"
}

resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { env = "test" } }
}
`

// emulatorFactory is the real factory, except that its ARM client answers
// from srv, in this process; it counts the connections it made.
func emulatorFactory(t *testing.T, srv *emulator.Server, s *IOStreams, connections *int) *Factory {
	t.Helper()
	f := newFactory(s)
	f.Client = func(_ context.Context, p config.Provider, _ string, _ arm.ClientOptions) (*armConnection, error) {
		if p.SubscriptionID != "00000000-0000-0000-0000-000000000000" {
			t.Errorf("the factory was given the provider block %+v", p)
		}
		*connections++
		return inProcessConnection(srv, func() error { return nil }, nil, "")
	}
	return f
}

// TestCommandsRunOnAFactoryEmulator runs apply, plan, drift, apply
// --refresh-only and destroy with the ARM client of a factory: an
// in-process emulator the test holds, no server, no world file. The
// writes are checked in the emulator.
func TestCommandsRunOnAFactoryEmulator(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(factoryConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(emulator.Options{})
	connections := 0
	runF := func(args ...string) (int, string) {
		t.Helper()
		var out, errb bytes.Buffer
		f := emulatorFactory(t, srv, &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb}, &connections)
		code := runWith(context.Background(), f, append(args, "--chdir", dir))
		return code, out.String() + errb.String()
	}

	if code, out := runF("apply", "--auto-approve"); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	r, ok := srv.Resource(rgID)
	if !ok {
		t.Fatalf("apply did not create %s in the factory's emulator", rgID)
	}
	if r.Body["location"] != "westus" {
		t.Errorf("the resource group is %v, want location westus", r.Body)
	}
	if code, out := runF("plan", "--detailed-exitcode"); code != exitOK {
		t.Errorf("plan after apply: exit %d, want 0 (no changes)\n%s", code, out)
	}

	if err := srv.ChangeOutOfBand(rgID, map[string]any{"tags": map[string]any{"owner": "portal"}}); err != nil {
		t.Fatal(err)
	}
	if code, out := runF("drift", "--detailed-exitcode"); code != exitChanges || !strings.Contains(out, "owner") {
		t.Errorf("drift after an out-of-band change: exit %d, want 2 naming the tag\n%s", code, out)
	}
	if code, out := runF("apply", "--refresh-only", "--auto-approve"); code != exitOK {
		t.Errorf("apply --refresh-only: exit %d\n%s", code, out)
	}
	if code, out := runF("drift", "--detailed-exitcode"); code != exitOK {
		t.Errorf("drift after accepting it: exit %d, want 0\n%s", code, out)
	}

	if code, out := runF("destroy", "--auto-approve"); code != exitOK {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
	if _, ok := srv.Resource(rgID); ok {
		t.Errorf("destroy left %s in the factory's emulator", rgID)
	}
	if connections != 6 {
		t.Errorf("the factory made %d connections, want one per command (6)", connections)
	}
	if _, err := os.Stat(filepath.Join(dir, ".azapply", "emulator.json")); err == nil {
		t.Errorf("an embedded emulator's world was written: the factory's client was not the one used")
	}
}
