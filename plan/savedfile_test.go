package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
)

// TestSaveFileAndCheckConfig writes a plan file, reads it back, and checks
// it against configurations: the one it was made from, one with a block
// more, one with a for_each block the plan has no instance of, one with a
// block less.
func TestSaveFileAndCheckConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tfplan")
	p := &Plan{Lineage: "L1", Serial: 2, Changes: []*Change{
		{Address: "resource.rg", ID: "/subscriptions/s/resourceGroups/rg", Action: NoOp},
		{Address: "resource.vnet", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", Action: Create},
	}}
	if err := SaveFile(path, p); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		t.Errorf("the plan file has mode %v: others may read it", info.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tfplan.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	sp, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block := func(name string) string {
		return `
resource "` + name + `" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/` + name + `"
  api_version = "2021-04-01"
  body        = {}
}
`
	}
	tests := []struct {
		name, hcl, lineage string
		want               string // "" for no error
	}{
		{"made from it", block("rg") + block("vnet"), "L1", ""},
		{"another stack's state", block("rg") + block("vnet"), "L2", "another stack's"},
		{"a block more", block("rg") + block("vnet") + block("subnet"), "L1", "declares resource.subnet, which the plan does not have"},
		{"a for_each block more", block("rg") + block("vnet") + `
resource "subnet" {
  for_each    = toset([])
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${each.key}"
  api_version = "2021-04-01"
  body        = {}
}
`, "L1", ""},
		{"a block less", block("rg"), "L1", "the plan has resource.vnet, which the configuration does not declare"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cdir := t.TempDir()
			if err := os.WriteFile(filepath.Join(cdir, "main.hcl"), []byte(tc.hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := config.Load(cdir, config.LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			err := sp.CheckConfig(cfg, tc.lineage)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckConfig: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("CheckConfig: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadFileOfNoFile(t *testing.T) {
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "opening the plan file") {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}

func TestHasForget(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Change
		want bool
	}{
		{"forget", &Change{Action: Forget}, true},
		{"moved", &Change{Action: NoOp, MovedFrom: "resource.old"}, true},
		{"create", &Change{Action: Create}, false},
	} {
		if got := (&Plan{Changes: []*Change{tc.c}}).HasForget(); got != tc.want {
			t.Errorf("%s: HasForget = %v, want %v", tc.name, got, tc.want)
		}
	}
}
