package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportOptions(t *testing.T) {
	testOptions(t, NewCmdImport, []optionsCase[importOptions]{
		{name: "address and ID", args: []string{"--chdir", "s", "resource.rg", rgID}, want: func(f *Factory) importOptions {
			c := defaultCommon("import", true)
			c.chdir = "s"
			return importOptions{factory: f, common: c, address: "resource.rg", id: rgID}
		}},
		{name: "no ID", args: []string{"resource.rg"}, wantErr: "import takes an address and a resource ID"},
		{name: "three arguments", args: []string{"a", "b", "c"}, wantErr: "import takes an address and a resource ID"},
	})
}

func TestImport(t *testing.T) {
	dir := appliedDir(t)
	if r := runCmd(t, "", "state", "rm", "resource.rg", "--chdir", dir); r.code != 0 {
		t.Fatal(r.err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"not declared", []string{"resource.nope", rgID}, 1, "declares no resource.nope"},
		{"ID not the configured one", []string{"resource.rg", rgID + "x"}, 1, "gives resource.rg the ID"},
		{"address already recorded", []string{"resource.other", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other"}, 1, "already records resource.other"},
		{"wrong number of arguments", []string{"resource.rg"}, 1, "an address and a resource ID"},
		{"happy", []string{"resource.rg", strings.ToUpper(rgID[:15]) + rgID[15:]}, 0, ""},
		{"twice", []string{"resource.rg", rgID}, 1, "already records resource.rg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, "", append([]string{"import", "--chdir", dir}, tt.args...)...)
			if r.code != tt.wantCode || !strings.Contains(r.err, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.err, tt.wantCode, tt.wantErr)
			}
		})
	}
	got := readStateFile(t, dir).Get("resource.rg")
	if got == nil || got.ID != rgID || got.Output["name"] != "demo" || got.APIVersion != "2021-04-01" {
		t.Fatalf("imported resource: %+v", got)
	}
	r := runCmd(t, "", "plan", "--chdir", dir, "--detailed-exitcode")
	if r.code != 0 {
		t.Errorf("plan after import: exit %d (want no changes)\n%s", r.code, r.out)
	}

	// A resource that does not exist in Azure.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, "main.hcl"), []byte(testConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "import", "--chdir", dir2, "resource.rg", rgID)
	if r.code != 1 || !strings.Contains(r.err, "no resource "+rgID+" in Azure") {
		t.Fatalf("importing a missing resource: exit %d, %s", r.code, r.err)
	}
	if _, err := os.Stat(filepath.Join(dir2, defaultStatePath)); err == nil {
		t.Error("a refused import wrote a state file")
	}
}
