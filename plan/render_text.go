package plan

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/azapply/azapply/config"
)

// TextOptions configure the human-readable rendering.
type TextOptions struct {
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiBold   = "\x1b[1m"
)

// RenderText writes the plan in Terraform's style: one block per changed
// resource with its changed paths, then the summary line.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	tw := &textWriter{w: w, color: opts.Color}
	if !p.HasChanges() {
		for _, c := range p.Changes {
			if c.Action == Forget {
				tw.printf("  # %s is gone from Azure and will be removed from the state\n\n", c.Address)
			}
		}
		tw.printf("%sNo changes.%s Azure matches the configuration.\n", tw.c(ansiBold), tw.c(ansiReset))
		return tw.err
	}
	tw.printf("azapply will perform the following actions:\n\n")
	for _, c := range p.Changes {
		tw.change(c)
	}
	add, change, destroy := p.Summary()
	tw.printf("%sPlan:%s %d to add, %d to change, %d to destroy.\n", tw.c(ansiBold), tw.c(ansiReset), add, change, destroy)
	return tw.err
}

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

func (t *textWriter) c(code string) string {
	if t.color {
		return code
	}
	return ""
}

func (t *textWriter) change(c *Change) {
	switch c.Action {
	case Create:
		t.printf("  # %s will be created\n", c.Address)
		t.printf("  %s+%s %s\n", t.c(ansiGreen), t.c(ansiReset), c.Address)
		t.header(c)
		for _, pc := range flatten("", c.Desired) {
			t.printf("      %s+%s %s = %s\n", t.c(ansiGreen), t.c(ansiReset), pc.Path, formatValue(pc.After))
		}
	case Update:
		t.printf("  # %s will be updated in place\n", c.Address)
		t.printf("  %s~%s %s\n", t.c(ansiYellow), t.c(ansiReset), c.Address)
		t.header(c)
		for _, pc := range c.Paths {
			t.pathChange(pc)
		}
	case Replace:
		t.printf("  # %s must be replaced: its id changed from %s\n", c.Address, c.PriorID)
		t.printf("%s-/+%s %s\n", t.c(ansiYellow), t.c(ansiReset), c.Address)
		t.header(c)
		for _, pc := range flatten("", c.Desired) {
			t.printf("      %s+%s %s = %s\n", t.c(ansiGreen), t.c(ansiReset), pc.Path, formatValue(pc.After))
		}
	case Delete:
		t.printf("  # %s will be destroyed\n", c.Address)
		t.printf("  %s-%s %s\n", t.c(ansiRed), t.c(ansiReset), c.Address)
		t.header(c)
	case Forget:
		t.printf("  # %s is gone from Azure and will be removed from the state\n", c.Address)
	default:
		return
	}
	t.printf("\n")
}

func (t *textWriter) header(c *Change) {
	t.printf("        id          = %q\n", c.ID)
	t.printf("        api_version = %q\n", c.APIVersion)
}

func (t *textWriter) pathChange(pc PathChange) {
	switch {
	case isAbsent(pc.Before):
		t.printf("      %s+%s %s = %s\n", t.c(ansiGreen), t.c(ansiReset), pc.Path, formatValue(pc.After))
	case isAbsent(pc.After):
		t.printf("      %s-%s %s = %s\n", t.c(ansiRed), t.c(ansiReset), pc.Path, formatValue(pc.Before))
	default:
		t.printf("      %s~%s %s = %s -> %s\n", t.c(ansiYellow), t.c(ansiReset), pc.Path, formatValue(pc.Before), formatValue(pc.After))
	}
}

func isAbsent(v any) bool {
	_, ok := v.(Absent)
	return ok
}

// flatten lists the leaves of a body as paths, for showing a new resource.
func flatten(path string, v any) []PathChange {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 && path != "" {
			return []PathChange{{Path: path, After: v}}
		}
		var out []PathChange
		for _, k := range sortedKeys(v) {
			out = append(out, flatten(join(path, k), v[k])...)
		}
		return out
	default:
		return []PathChange{{Path: path, After: v}}
	}
}

// formatValue prints a value the way HCL users read it: strings quoted,
// objects and arrays as compact JSON, unknowns as (known after apply).
func formatValue(v any) string {
	switch v := v.(type) {
	case config.Unknown:
		return v.String()
	case Absent:
		return "(absent)"
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
