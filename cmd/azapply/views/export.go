package views

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/azapply/azapply/export"
)

// Export is the view of azapply export: what it wrote, what it left out,
// the secrets to give before plan, and what to run next.
type Export struct{ errorView }

// NewExport returns the view of azapply export.
func NewExport(s Streams) *Export { return &Export{errorView{s}} }

// Exported reports the export res written into dir.
func (v *Export) Exported(dir string, res *export.Result) {
	w := v.s.Out
	names := make([]string, 0, len(res.Files))
	for n := range res.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Exported %d resources into %s: %s.\n", len(res.Resources), dir, strings.Join(names, ", "))
	writeUnreadable(w, res.Unreadable)
	for _, r := range res.Resources {
		for _, o := range r.Omitted {
			fmt.Fprintf(w, "  resource.%s: left out %s\n", r.Name, o)
		}
	}
	if len(res.Secrets) > 0 {
		fmt.Fprintf(w, "%d values look secret and were not written; %s declares a sensitive variable for each. Give them before plan:\n", len(res.Secrets), export.VariablesFile)
		for _, sv := range res.Secrets {
			fmt.Fprintf(w, "  %s (%s of %s): --var %s=... or AZAPPLY_VAR_%s\n", sv.Variable, sv.Path, sv.Resource, sv.Variable, sv.Variable)
		}
	}
	fmt.Fprintf(w, "Next: azapply init --chdir %s && azapply plan --chdir %s (it imports each resource and changes nothing).\n", dir, dir)
}

// writeUnreadable warns that the export is incomplete where the credential
// could not list a child collection. The export still succeeds (exit 0):
// what it wrote is correct, and the warning names what is missing and how
// to get it.
func writeUnreadable(w io.Writer, u []export.Unreadable) {
	if len(u) == 0 {
		return
	}
	fmt.Fprintf(w, "Warning: the export is incomplete: the credential may not list %d child collections, so what they hold is not in the configuration:\n", len(u))
	for _, c := range u {
		code := c.Code
		if code == "" {
			code = http.StatusText(c.StatusCode)
		}
		fmt.Fprintf(w, "  %s (%s): %d %s\n", c.Collection, c.Type, c.StatusCode, code)
	}
	fmt.Fprintln(w, "  Give the identity read access there (the Reader role, or TYPE/read for each type above) and export again, or export those resources later with --id.")
}
