package main

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
)

// configError is the error of a configuration with diagnostics: a view
// shows them, with the source lines for a person (file:line:column, the
// problem marked, never a variable's value), as JSON objects for a bot.
func configError(cfg *config.Config, diags hcl.Diagnostics, noColor bool) error {
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files()
	}
	return &views.ConfigError{Files: files, Diags: diags, NoColor: noColor}
}
