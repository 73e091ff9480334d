package main

import (
	"testing"

	"github.com/azapply/azapply/plan"
)

func TestDriftOptions(t *testing.T) {
	defaults := func(f *Factory) driftOptions {
		return driftOptions{factory: f, common: defaultCommon("drift", true), plan: planFlags{parallelism: plan.DefaultParallelism, format: "text"}}
	}
	testOptions(t, NewCmdDrift, []optionsCase[driftOptions]{
		{name: "defaults", want: defaults},
		{name: "every flag", args: []string{"--chdir", "prod", "--detailed-exitcode", "--format", "markdown", "--lock=false", "--parallelism", "5", "--refresh", "collection"},
			want: func(f *Factory) driftOptions {
				o := defaults(f)
				o.common.chdir, o.common.lockFlag, o.detailedExitCode = "prod", boolPtr(false), true
				o.plan.format, o.plan.parallelism, o.plan.refresh = "markdown", 5, "collection"
				return o
			}},
		{name: "unknown format", args: []string{"--format", "html"}, wantErr: `--format "html": choose text, markdown or json`},
		{name: "parallelism 0", args: []string{"--parallelism", "0"}, wantErr: "give a number of at least 1"},
		{name: "refresh-only is plan's", args: []string{"--refresh-only"}, wantErr: "unknown flag: --refresh-only"},
		{name: "a directory as an argument", args: []string{"stacks/web"}, wantErr: "drift takes no arguments"},
	})
}
