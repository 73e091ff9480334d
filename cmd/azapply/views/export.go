package views

import (
	"fmt"
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
