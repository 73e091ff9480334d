package config

import "testing"

func TestDeferral(t *testing.T) {
	recorded := map[string]bool{"resource.rg": true}
	d := NewDeferral(func(a string) bool { return recorded[a] })
	tests := []struct {
		name string
		in   *Instance
		want bool
	}{
		{"depends on a recorded resource", &Instance{Address: "data.a", DependsOn: []string{"resource.rg"}}, false},
		{"depends on a resource not created yet", &Instance{Address: "data.b", DependsOn: []string{"resource.rg", "resource.vnet"}}, true},
		{"depends on a deferred data source", &Instance{Address: "data.c", DependsOn: []string{"data.b"}}, true},
		{"depends on a data source read now", &Instance{Address: "data.d", DependsOn: []string{"data.a"}}, false},
		{"depends on nothing", &Instance{Address: "data.e"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Later(tc.in); got != tc.want {
				t.Errorf("Later(%s) = %v, want %v", tc.in.Address, got, tc.want)
			}
			if got := d.Deferred(tc.in.Address); got != tc.want {
				t.Errorf("Deferred(%s) = %v, want %v", tc.in.Address, got, tc.want)
			}
		})
	}
}
