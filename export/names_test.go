package export

import "testing"

func TestIdentifier(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"demo-vnet", "demo-vnet"},
		{"my.storage", "my_storage"},
		{"1st", "r_1st"},
		{"-x", "r_-x"},
		{"naïve name", "na_ve_name"},
		{"", "r"},
		{"_ok", "_ok"},
	} {
		if got := identifier(c.in); got != c.want {
			t.Errorf("identifier(%q) = %q, want %q", c.in, got, c.want)
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
