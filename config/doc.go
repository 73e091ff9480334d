// Package config loads an azapply configuration: it parses the .hcl and
// .hcl.json files of a directory with hashicorp/hcl/v2, decodes every block
// (azapply and its backend, provider, variable, locals, resource, data,
// action, output, import, removed, moved, module), instantiates modules
// (modules.go: local and git sources, for_each and count, addresses such
// as module.app["dev"].resource.rg), gives variables their values (defaults,
// AZAPPLY_VAR_ environment variables, *.auto.hcl files, --var and
// --var-file), evaluates expressions with go-cty (references, functions,
// for_each and count, unknown values, sensitive marks), and builds the
// dependency graph from references, depends_on and ARM containment. Every
// problem is an hcl.Diagnostic with a file, line and column; Load reports
// all of them at once, and WriteDiagnostics prints them. It knows nothing of
// HTTP, plans or state: data sources are read through a function the
// caller passes (ReadData). docs/language.md records the choices of the language.
package config
