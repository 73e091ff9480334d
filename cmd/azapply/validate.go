package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
)

type validateOptions struct {
	common commonFlags
}

func runValidate(ctx context.Context, args []string, s *IOStreams) int {
	var o validateOptions
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply validate [flags]\n\nCheck a configuration without Azure, the network or the state: syntax, types,\nreferences, resource IDs, api-versions and the dependency graph. Variables\nwithout a value are taken as unknown; values given with --var, --var-file,\n*.auto.hcl files and AZAPPLY_VAR_ are checked too.\n\nExample: azapply validate --chdir examples/quickstart\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.Err, "azapply validate takes no arguments (got %q): point --chdir at the configuration directory.\n", fs.Args())
		return exitError
	}
	return doValidate(ctx, o, s)
}

// doValidate loads and evaluates the configuration, prints every problem
// and says whether it is valid. Nothing is sent anywhere.
func doValidate(_ context.Context, o validateOptions, s *IOStreams) int {
	v := views.NewValidate(views.Streams{Out: s.Out, Err: s.Err, Color: s.OutTerminal && !o.common.noColor})
	opts, err := parseVars(o.common.vars)
	if err != nil {
		v.Error(err)
		return exitError
	}
	opts.UnknownMissingVars = true
	cfg, diags := config.Load(o.common.chdir, opts)
	v.Problems(&views.ConfigError{Files: cfg.Files(), Diags: diags})
	if diags.HasErrors() {
		return exitError
	}
	v.Valid()
	return exitOK
}
