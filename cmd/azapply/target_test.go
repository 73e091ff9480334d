package main

import "testing"

func TestTargeted(t *testing.T) {
	tests := []struct {
		addr, target string
		want         bool
	}{
		{"resource.a", "resource.a", true},
		{`resource.a["x"]`, "resource.a", true},
		{`resource.a["x"]`, `resource.a["y"]`, false},
		{"resource.ab", "resource.a", false},
		{`module.app["dev"].resource.rg`, "module.app", true},
		{`module.app["dev"].resource.rg`, `module.app["dev"]`, true},
		{`module.app["prod"].resource.rg`, `module.app["dev"]`, false},
		{`module.app.module.net.resource.vnet`, "module.app.module.net", true},
		{`module.apps.resource.rg`, "module.app", false},
		{`module.app["dev"].resource.rg[0]`, `module.app["dev"].resource.rg`, true},
	}
	for _, tt := range tests {
		if got := targeted(tt.addr, []string{tt.target}); got != tt.want {
			t.Errorf("targeted(%s, %s) = %v", tt.addr, tt.target, got)
		}
	}
	if checkTargets([]string{`module.app["dev"].resource.rg`, "data.x", "module.a"}) != nil || checkTargets([]string{"rg"}) == nil {
		t.Error("checkTargets")
	}
}
