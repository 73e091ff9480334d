package views

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Fmt is the view of azapply fmt: the files it changed (or, with --check,
// would change) on standard output, one a line; problems on standard
// error.
type Fmt struct{ errorView }

// NewFmt returns the view of azapply fmt.
func NewFmt(s Streams) *Fmt { return &Fmt{errorView{s}} }

// Unformatted names a file that was (or would be) rewritten.
func (v *Fmt) Unformatted(name string) { fmt.Fprintln(v.s.Out, name) }

// SyntaxErrors shows the syntax errors of the file name, whose source is
// src: it is left alone.
func (v *Fmt) SyntaxErrors(name string, src []byte, diags hcl.Diagnostics) {
	files := map[string]*hcl.File{name: {Bytes: src}}
	_ = hcl.NewDiagnosticTextWriter(v.s.Err, files, 100, v.s.Color).WriteDiagnostics(diags)
}
