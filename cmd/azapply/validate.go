package main

import (
	"context"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
)

type validateOptions struct {
	factory *Factory
	common  commonFlags
}

// NewCmdValidate defines azapply validate; runF, when a test gives it,
// runs instead of validateRun.
func NewCmdValidate(f *Factory, runF func(context.Context, *validateOptions) error) *command {
	o := &validateOptions{factory: f}
	c := newCommand(f, "validate", "", "Check the configuration, without any network",
		"Check a configuration without Azure, the network or the state: syntax, types,\nreferences, resource IDs, api-versions and the dependency graph. Variables\nwithout a value are taken as unknown; values given with --var, --var-file,\n*.auto.hcl files and AZAPPLY_VAR_ are checked too.",
		"azapply validate --chdir examples/quickstart")
	// validate reads no state: it takes no --lock.
	o.common.register(c.flags)
	c.run = func(ctx context.Context, args []string) error {
		if err := noArgs(c, args, ": point --chdir at the configuration directory"); err != nil {
			return err
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return validateRun(ctx, o)
	}
	return c
}

// validateRun loads and evaluates the configuration, shows every problem
// and says whether it is valid. Nothing is sent anywhere.
func validateRun(_ context.Context, o *validateOptions) error {
	v := views.NewValidate(viewStreams(o.factory.IOStreams, o.common.noColor))
	opts, err := parseVars(o.common.vars)
	if err != nil {
		v.Error(err)
		return errShown
	}
	opts.UnknownMissingVars = true
	cfg, diags := config.Load(o.common.chdir, opts)
	v.Problems(&views.ConfigError{Files: cfg.Files(), Diags: diags})
	if diags.HasErrors() {
		return errShown
	}
	v.Valid()
	return nil
}
