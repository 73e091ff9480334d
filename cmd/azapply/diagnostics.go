package main

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/config"
)

// printDiags writes diagnostics to stderr with file:line:column, the source
// lines with the problem marked, and never a variable's value.
func printDiags(s *IOStreams, cfg *config.Config, diags hcl.Diagnostics, noColor bool) {
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files()
	}
	_ = config.WriteDiagnostics(s.Err, files, diags, 100, s.OutTerminal && !noColor)
}
