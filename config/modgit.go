package config

// This file tells a person whose machine has no git why a git module
// source cannot be used, and what to do instead.

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/hashicorp/hcl/v2"
)

// gitMissing says whether the system git cannot be found on PATH: init
// fetches git module sources with it, and loading a configuration asks it
// for the commit of each fetched copy.
func gitMissing() bool {
	_, err := exec.LookPath("git")
	return errors.Is(err, exec.ErrNotFound)
}

// gitMissingDiag is the error of a call to a git module source on a
// machine without git, at the module block. The source was checked by
// parseGitSource: it carries no credentials.
func gitMissingDiag(name, source string, subject hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "git is not installed",
		Detail: fmt.Sprintf("module %q: its source %q is a git repository, and azapply fetches git modules (azapply init) and checks the commit of their copy (plan, apply, validate) with git, "+
			"which is not installed here or not on PATH. Install git and run azapply init, "+
			"or copy the module into this configuration and call it by a local path (source = \"./modules/%s\").",
			name, source, name),
		Subject: subject.Ptr(),
	}
}
