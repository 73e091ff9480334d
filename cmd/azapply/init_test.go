package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azureblob"
	"github.com/azapply/azapply/state/azuritetest"
	"github.com/azapply/azapply/state/local"
)

// TestInitMigrateState changes the recorded backend (as editing the backend
// block would) and checks every path of init.
func TestInitMigrateState(t *testing.T) {
	dir := appliedDir(t)
	applied := readStateFile(t, dir)
	// Pretend the last run used old.state.json: move the state there.
	if err := os.Rename(filepath.Join(dir, defaultStatePath), filepath.Join(dir, "old.state.json")); err != nil {
		t.Fatal(err)
	}
	if err := writeBackendRecord(dir, backendRecord{Type: "local", Path: "old.state.json"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan"}, {"state", "list"}, {"init"}} {
		r := runCmd(t, "", append(args, "--chdir", dir)...)
		if r.code != 1 || !strings.Contains(r.err, "backend changed from local (old.state.json) to local (azapply.state.json)") || !strings.Contains(r.err, "init --migrate-state") {
			t.Errorf("%v after the backend changed: exit %d, %s", args, r.code, r.err)
		}
	}
	r := runCmd(t, "", "init", "--migrate-state", "--reconfigure", "--chdir", dir)
	if r.code != 1 || !strings.Contains(r.err, "exclude each other") {
		t.Errorf("both flags: exit %d, %s", r.code, r.err)
	}
	r = runCmd(t, "", "init", "--migrate-state", "--chdir", dir)
	if r.code != 0 || !strings.Contains(r.out, "Copied the state (2 resources)") {
		t.Fatalf("init --migrate-state: exit %d\n%s%s", r.code, r.out, r.err)
	}
	got := readStateFile(t, dir)
	if got.Lineage != applied.Lineage || len(got.Resources) != 2 || got.Serial <= applied.Serial {
		t.Fatalf("migrated state: lineage %s serial %d %v; want lineage %s, a serial above %d, 2 resources", got.Lineage, got.Serial, addrs(got), applied.Lineage, applied.Serial)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.state.json")); err != nil {
		t.Errorf("the old state was not left in place: %v", err)
	}
	r = runCmd(t, "", "plan", "--detailed-exitcode", "--chdir", dir)
	if r.code != 0 {
		t.Errorf("plan after migrating: exit %d (want no changes)\n%s%s", r.code, r.out, r.err)
	}
	// Migrating again finds nothing newer to copy.
	if err := writeBackendRecord(dir, backendRecord{Type: "local", Path: "old.state.json"}); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "init", "--migrate-state", "--chdir", dir)
	if r.code != 0 || !strings.Contains(r.out, "nothing to copy") {
		t.Errorf("second migration: exit %d\n%s%s", r.code, r.out, r.err)
	}
	// --reconfigure switches without copying.
	if err := writeBackendRecord(dir, backendRecord{Type: "local", Path: "elsewhere.json"}); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "init", "--reconfigure", "--chdir", dir)
	if r.code != 0 || !strings.Contains(r.out, "The state backend is local (azapply.state.json)") {
		t.Errorf("init --reconfigure: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if rec, _ := readBackendRecord(dir); rec == nil || rec.Path != defaultStatePath {
		t.Errorf("recorded backend after --reconfigure: %+v", rec)
	}
}

func TestInitRefusesToMigrateOverAnotherStack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	from, to := local.New(filepath.Join(dir, "a.json")), local.New(filepath.Join(dir, "b.json"))
	src, dst := state.New(), state.New()
	src.Set(&state.Resource{Address: "resource.a", ID: "/a"})
	dst.Set(&state.Resource{Address: "resource.b", ID: "/b"})
	if err := from.Write(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := to.Write(ctx, dst); err != nil {
		t.Fatal(err)
	}
	_, err := migrateState(ctx, from, to, commonFlags{command: "init"})
	if err == nil || !strings.Contains(err.Error(), "another stack") {
		t.Fatalf("migrating over another stack: %v", err)
	}
	got, _ := to.Read(ctx)
	if got.Lineage != dst.Lineage || got.Get("resource.b") == nil {
		t.Error("the refused migration changed the destination")
	}
	// Both locks were released.
	for _, b := range []state.Backend{from, to} {
		if _, err := b.Lock(ctx, state.NewLockInfo("check")); err != nil {
			t.Errorf("%s is still locked: %v", b, err)
		}
		_ = b.Unlock(ctx)
	}
}

func TestMigrateLocalToBlobAndBack(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	t.Setenv(azureblob.ConnectionStringEnv, conn)
	ctx := context.Background()
	dir := t.TempDir()
	container := azuritetest.NewContainer(t, conn)
	file := local.New(filepath.Join(dir, "azapply.state.json"))
	src := state.New()
	src.Set(&state.Resource{Address: "resource.rg", ID: rgID, APIVersion: "2021-04-01"})
	if err := file.Write(ctx, src); err != nil {
		t.Fatal(err)
	}
	blob, err := newBackend(context.Background(), &config.Backend{Type: "azureblob", AccountURL: "https://unused.blob.core.windows.net", Container: container, Key: "prod/app.json"}, config.Provider{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrateState(ctx, file, blob, commonFlags{command: "init"})
	if err != nil || n != 1 {
		t.Fatalf("local to blob: %d resources, %v", n, err)
	}
	got, err := blob.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lineage != src.Lineage || got.Get("resource.rg") == nil {
		t.Fatalf("the blob holds lineage %s %v", got.Lineage, addrs(got))
	}
	back := local.New(filepath.Join(dir, "back.json"))
	if n, err := migrateState(ctx, blob, back, commonFlags{command: "init"}); err != nil || n != 1 {
		t.Fatalf("blob to local: %d resources, %v", n, err)
	}
	if got, _ := back.Read(ctx); got.Lineage != src.Lineage {
		t.Errorf("round trip changed the lineage to %s", got.Lineage)
	}
}

func TestNewBackend(t *testing.T) {
	t.Setenv(azureblob.ConnectionStringEnv, "")
	t.Setenv(azureblob.SASTokenEnv, "sv=2024&sig=x")
	rng := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3}}
	tests := []struct {
		name    string
		b       *config.Backend
		want    string
		wantErr string
	}{
		{"default", nil, filepath.Join("cfg", defaultStatePath), ""},
		{"local relative", &config.Backend{Type: "local", Path: "state/prod.json"}, filepath.Join("cfg", "state", "prod.json"), ""},
		{"local absolute", &config.Backend{Type: "local", Path: "/var/lib/s.json"}, "/var/lib/s.json", ""},
		{"azureblob", &config.Backend{Type: "azureblob", AccountURL: "https://acct.blob.core.windows.net", Container: "tfstate", Key: "prod/app.json"}, "https://acct.blob.core.windows.net/tfstate/prod/app.json", ""},
		{"azureblob without key", &config.Backend{Type: "azureblob", AccountURL: "https://acct.blob.core.windows.net", Container: "tfstate", DeclRange: rng}, "", "main.hcl:3: the azureblob backend needs container and key"},
		{"unknown type", &config.Backend{Type: "s3", DeclRange: rng}, "", `main.hcl:3: unknown backend type "s3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := newBackend(context.Background(), tt.b, config.Provider{}, "cfg")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("backend %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestInitOptions(t *testing.T) {
	testOptions(t, NewCmdInit, []optionsCase[initOptions]{
		{name: "defaults", want: func(f *Factory) initOptions {
			return initOptions{factory: f, common: defaultCommon("init", true)}
		}},
		{name: "migrate", args: []string{"--chdir", "prod", "--migrate-state", "--lock-timeout", "5s"}, want: func(f *Factory) initOptions {
			c := defaultCommon("init", true)
			c.chdir, c.lockTimeout = "prod", 5*time.Second
			return initOptions{factory: f, common: c, migrateState: true}
		}},
		{name: "reconfigure", args: []string{"--reconfigure"}, want: func(f *Factory) initOptions {
			return initOptions{factory: f, common: defaultCommon("init", true), reconfigure: true}
		}},
		{name: "both", args: []string{"--migrate-state", "--reconfigure"}, wantErr: "--migrate-state and --reconfigure exclude each other"},
		{name: "an argument", args: []string{"dir"}, wantErr: "init takes no arguments"},
	})
}

// TestInitStarter runs init in an empty directory, then plans and applies
// the starter configuration on the emulator.
func TestInitStarter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-stack")
	r := runCmd(t, "", "init", "--chdir", dir)
	if r.code != exitOK || !strings.Contains(r.out, "Wrote a starter configuration") {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	for _, f := range []string{starterFile, ".gitignore", backendRecordFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	if r := runCmd(t, "", "fmt", "--check", dir); r.code != exitOK {
		t.Errorf("the starter configuration is not formatted: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "validate", "--chdir", dir); r.code != exitOK {
		t.Errorf("validate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = runCmd(t, "", "plan", "--chdir", dir, "--detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan of the starter: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "apply", "--chdir", dir, "--auto-approve"); r.code != exitOK {
		t.Fatalf("apply of the starter: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, "", "plan", "--chdir", dir, "--detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after apply: exit %d\n%s%s", r.code, r.out, r.err)
	}

	// A second init keeps the configuration as it is.
	edited := []byte("# mine\n" + starterConfig)
	if err := os.WriteFile(filepath.Join(dir, starterFile), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "init", "--chdir", dir)
	if r.code != exitOK || strings.Contains(r.out, "Wrote") {
		t.Fatalf("second init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, starterFile)); string(got) != string(edited) {
		t.Fatal("a second init changed main.hcl")
	}
}

// TestInitStarterKeepsOtherFiles: a directory with no .hcl file but with
// a .gitignore of its own gets main.hcl, and its .gitignore is left alone.
func TestInitStarterKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "init", "--chdir", dir); r.code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(got) != "mine\n" {
		t.Errorf(".gitignore was changed to %q", got)
	}
	// A configuration in JSON syntax is a configuration too.
	jsonDir := t.TempDir()
	cfg := `{"provider": {"subscription_id": "00000000-0000-0000-0000-000000000000", "endpoint": "emulator"}}`
	if err := os.WriteFile(filepath.Join(jsonDir, "main.hcl.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "init", "--chdir", jsonDir); r.code != exitOK || strings.Contains(r.out, "Wrote") {
		t.Errorf("init beside main.hcl.json: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if _, err := os.Stat(filepath.Join(jsonDir, starterFile)); err == nil {
		t.Error("init wrote main.hcl beside a main.hcl.json configuration")
	}
	// --migrate-state never writes a starter: there is nothing to migrate.
	empty := t.TempDir()
	if r := runCmd(t, "", "init", "--migrate-state", "--chdir", empty); r.code != exitError {
		t.Errorf("init --migrate-state in an empty directory: exit %d", r.code)
	}
	if _, err := os.Stat(filepath.Join(empty, starterFile)); err == nil {
		t.Error("init --migrate-state wrote a starter configuration")
	}
}
