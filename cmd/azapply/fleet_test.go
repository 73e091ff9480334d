package main

import (
	"testing"
	"time"

	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

func TestFleetOptions(t *testing.T) {
	defaults := func(f *Factory) fleetOptions {
		return fleetOptions{factory: f, kind: fleet.Drift, dirs: []string{"stacks/a", "stacks/b"},
			plan: planFlags{parallelism: plan.DefaultParallelism, format: "text"}, lock: true}
	}
	testOptions(t, NewCmdFleet, []optionsCase[fleetOptions]{
		{name: "defaults", args: []string{"drift", "stacks/a", "stacks/b"}, want: defaults},
		{name: "every flag", args: []string{"plan", "--detailed-exitcode", "--format", "json", "--shard", "1/4", "--parallelism", "8",
			"--refresh", "collection", "--no-color", "--lock=false", "--lock-timeout", "30s", "stacks/a", "stacks/b"},
			want: func(f *Factory) fleetOptions {
				o := defaults(f)
				o.kind, o.detailedExitCode, o.shard, o.noColor, o.lock, o.lockTimeout = fleet.Plan, true, "1/4", true, false, 30*time.Second
				o.plan.format, o.plan.parallelism, o.plan.refresh = "json", 8, "collection"
				return o
			}},
		{name: "no kind", args: []string{"stacks/a"}, wantErr: "azapply fleet plan DIR... or azapply fleet drift DIR..."},
		{name: "nothing", wantErr: "say what to run"},
		{name: "out is plan's", args: []string{"plan", "--out", "x", "a"}, wantErr: "unknown flag: --out"},
	})
}
