package config

import (
	"strings"
	"testing"
)

func TestProviderOpsSettings(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
provider {
  subscription_id    = "s"
  register_providers = true
  soft_deleted       = "purge"
  purge_on_destroy   = true
  preflight          = true
}
`}, LoadOptions{})
	if got, want := cfg.Provider.Ops, (OpsSettings{RegisterProviders: true, SoftDeleted: "purge", PurgeOnDestroy: true, Preflight: true}); got != want {
		t.Errorf("Ops = %+v, want %+v", got, want)
	}
	if ops := mustLoad(t, map[string]string{"main.hcl": "provider {\n  subscription_id = \"s\"\n}\n"}, LoadOptions{}).Provider.Ops; ops != (OpsSettings{}) {
		t.Errorf("the defaults: %+v", ops)
	}

	for _, tc := range []struct{ body, want string }{
		{`soft_deleted = "delete"`, `soft_deleted is "recover"`},
		{`preflight = "yes"`, "preflight must be true or false"},
	} {
		cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": "provider {\n  subscription_id = \"s\"\n  " + tc.body + "\n}\n"}), LoadOptions{})
		if !diags.HasErrors() || !strings.Contains(diagText(cfg, diags), tc.want) {
			t.Errorf("%s: diagnostics %q, want one saying %q", tc.body, diagText(cfg, diags), tc.want)
		}
	}
}
