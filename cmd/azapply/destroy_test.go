package main

import (
	"testing"

	"github.com/azapply/azapply/apply"
)

func TestDestroyOptions(t *testing.T) {
	defaults := func(f *Factory) applyOptions {
		return applyOptions{factory: f, common: defaultCommon("destroy", true), plan: planFlags{parallelism: apply.DefaultParallelism}, progress: "text"}
	}
	testOptions(t, NewCmdDestroy, []optionsCase[applyOptions]{
		{name: "defaults", want: defaults},
		{name: "every flag", args: []string{"--chdir", "stack", "--auto-approve", "--parallelism", "2", "--format", "json", "--target", "resource.rg", "--target", "module.net"},
			want: func(f *Factory) applyOptions {
				o := defaults(f)
				o.common.chdir, o.autoApprove, o.plan.parallelism, o.progress = "stack", true, 2, "json"
				o.plan.targets = []string{"resource.rg", "module.net"}
				return o
			}},
		{name: "parallelism 0", args: []string{"--parallelism", "0"}, wantErr: "--parallelism must be at least 1"},
		{name: "markdown", args: []string{"--format", "markdown"}, wantErr: `--format "markdown": choose text or json`},
		{name: "bad target", args: []string{"--target", "rg"}, wantErr: `--target "rg" is not an address`},
		{name: "replace is not destroy's", args: []string{"--replace", "resource.rg"}, wantErr: "unknown flag: --replace"},
		{name: "a directory as an argument", args: []string{"--auto-approve", "stacks/web"}, wantErr: "destroy takes no arguments"},
	})
}
