package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/emulator"
)

// TestEmulatorOpsFlags: the serve flags that switch on ARM's refusals set
// the emulator's options, and bad values are refused.
func TestEmulatorOpsFlags(t *testing.T) {
	parse := func(args ...string) (emulator.Options, error) {
		var f opsServeFlags
		fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		var opts emulator.Options
		err := f.apply(&opts)
		return opts, err
	}
	opts, err := parse("--immutable", "Microsoft.Web/sites:properties.serverFarmId", "--immutable", "Microsoft.Authorization/roleAssignments:properties.principalId:RoleAssignmentUpdateNotPermitted",
		"--locks", "--unregistered", "Microsoft.Cache", "--registration-delay", "3s", "--soft-delete", "--policy-deny-type", "Microsoft.Cache/", "--policy-allowed-location", "westus")
	if err != nil {
		t.Fatal(err)
	}
	want := []emulator.ImmutableProperty{{Type: "Microsoft.Web/sites", Path: "properties.serverFarmId"},
		{Type: "Microsoft.Authorization/roleAssignments", Path: "properties.principalId", Code: "RoleAssignmentUpdateNotPermitted"}}
	if len(opts.Immutable) != 2 || opts.Immutable[0] != want[0] || opts.Immutable[1] != want[1] || !opts.Locks || !opts.SoftDelete ||
		len(opts.Unregistered) != 1 || opts.RegistrationDelay != 3*time.Second || opts.Policy == nil || opts.Policy.DeniedTypes[0] != "Microsoft.Cache/" || opts.Policy.AllowedLocations[0] != "westus" {
		t.Fatalf("options %+v", opts)
	}
	if opts, _ := parse(); opts.Locks || opts.SoftDelete || opts.Policy != nil || len(opts.Immutable)+len(opts.Unregistered) > 0 {
		t.Fatalf("the defaults switch something on: %+v", opts)
	}
	for _, bad := range [][]string{{"--immutable", "Microsoft.Web/sites"}, {"--immutable", ":x"}, {"--registration-delay", "-1s"}} {
		if _, err := parse(bad...); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v, want an error naming the flag", bad, err)
		}
	}
}
