package main

import (
	"testing"
	"time"

	"github.com/azapply/azapply/apply"
)

func TestApplyOptions(t *testing.T) {
	defaults := func(f *Factory) applyOptions {
		return applyOptions{factory: f, common: defaultCommon("apply", true), plan: planFlags{parallelism: apply.DefaultParallelism, format: "text"}, progress: "text"}
	}
	testOptions(t, NewCmdApply, []optionsCase[applyOptions]{
		{name: "defaults", want: defaults},
		{name: "every flag", args: []string{"--chdir", "stack", "--parallelism", "4", "--refresh", "collection", "--target", "module.net", "--replace", "resource.vm",
			"--format", "json", "--auto-approve", "--lock-timeout", "1m"},
			want: func(f *Factory) applyOptions {
				o := defaults(f)
				o.common.chdir, o.common.lockTimeout = "stack", time.Minute
				o.plan.parallelism, o.plan.refresh, o.plan.targets, o.plan.replace = 4, "collection", []string{"module.net"}, []string{"resource.vm"}
				o.progress, o.autoApprove = "json", true
				return o
			}},
		{name: "a plan file", args: []string{"tfplan"}, want: func(f *Factory) applyOptions {
			o := defaults(f)
			o.planFile = "tfplan"
			return o
		}},
		{name: "refresh only", args: []string{"--refresh-only"}, want: func(f *Factory) applyOptions {
			o := defaults(f)
			o.refreshOnly = true
			return o
		}},
		{name: "markdown", args: []string{"--format", "markdown"}, wantErr: `--format "markdown": choose text or json`},
		{name: "two plan files", args: []string{"a", "b"}, wantErr: "apply takes at most one plan file"},
		{name: "parallelism 0", args: []string{"--parallelism", "0"}, wantErr: "--parallelism 0: give a number of at least 1"},
		{name: "bad target", args: []string{"--target", "x"}, wantErr: `--target "x" is not an address`},
		{name: "lock without a value", args: []string{"--lock-timeout", "soon"}, wantErr: "invalid argument"},
		{name: "misspelt flag", args: []string{"--auto-aprove"}, wantErr: "Did you mean --auto-approve?"},
	})
}
