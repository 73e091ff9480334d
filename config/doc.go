// Package config loads an azapply configuration: it parses the .hcl files of
// a directory with hashicorp/hcl/v2, decodes the provider, variable and
// resource blocks, evaluates expressions with go-cty (variables, references
// between resources, functions), and builds the dependency graph from
// references and ARM containment. Every problem is an hcl.Diagnostic with a
// file, line and column. It knows nothing of HTTP, plans or state.
package config
