package export

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/azapply/azapply/config"
)

func TestIdentifier(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"demo-vnet", "demo-vnet"},
		{"my.storage", "my_storage"},
		{"1st", "r_1st"},
		{"-x", "r_-x"},
		{"naïve name", "na_ve_name"},
		{"", "r"},
		{"_x", "r__x"},
	} {
		if got := identifier(c.in); got != c.want {
			t.Errorf("identifier(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestIdentifierIsAValidName: whatever the name, config accepts it.
func TestIdentifierIsAValidName(t *testing.T) {
	for _, in := range []string{"_x", "9", "-", "a.b", "ü", "", "ok-name_1", "$weird$"} {
		src := "resource \"" + identifier(in) + "\" {\n  id = \"/subscriptions/s/resourceGroups/g\"\n  api_version = \"2021-04-01\"\n  body = {}\n}\n"
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, diags := config.Load(dir, config.LoadOptions{}); diags.HasErrors() {
			t.Errorf("identifier(%q) = %q: %s", in, identifier(in), diags.Error())
		}
	}
}

func TestNamerIsStableAndUnique(t *testing.T) {
	n := namer{taken: map[string]bool{}}
	got := []string{
		n.name("demo", "Microsoft.Resources/resourceGroups"),
		n.name("demo", "Microsoft.Network/virtualNetworks"),
		n.name("Demo", "Microsoft.Network/virtualNetworks"),
		n.name("app", "Microsoft.Network/virtualNetworks/subnets"),
	}
	want := []string{"demo", "virtualNetworks_demo", "virtualNetworks_Demo_2", "app"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}
