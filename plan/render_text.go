package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/bodypath"
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
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

// sensitiveText is what every renderer prints in place of a secret.
const sensitiveText = body.SensitiveText

// RenderText writes the plan in Terraform's style: drift first, then one
// block per changed resource with its changed paths, the values the service
// keeps differently, then the summary line.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	tw := &textWriter{w: w, color: opts.Color}
	tw.drift(p)
	if p.RefreshOnly {
		if !p.HasDrift() {
			tw.printf("%sNo changes.%s Nothing changed outside azapply since the last apply.\n", tw.c(ansiBold), tw.c(ansiReset))
		} else {
			tw.printf("%sDrift:%s %s changed outside azapply.\n", tw.c(ansiBold), tw.c(ansiReset), resources(len(p.Drift)))
		}
		return tw.err
	}
	if !p.HasChanges() {
		for _, c := range p.Changes {
			if c.Action == Forget || c.Action == Read || c.MovedFrom != "" {
				tw.change(c)
			}
		}
		tw.kept(p)
		if p.HasOutputChanges() {
			tw.outputChanges(p)
			tw.printf("\nYou can apply this plan to save these new output values to the state, without changing any real infrastructure.\n")
			return tw.err
		}
		tw.printf("%sNo changes.%s Azure matches the configuration.\n", tw.c(ansiBold), tw.c(ansiReset))
		return tw.err
	}
	tw.printf("azapply will perform the following actions:\n\n")
	for _, c := range p.Changes {
		tw.change(c)
	}
	tw.kept(p)
	tw.printf("%sPlan:%s %s.\n", tw.c(ansiBold), tw.c(ansiReset), summaryText(p))
	if p.HasOutputChanges() {
		tw.printf("\n")
		tw.outputChanges(p)
	}
	return tw.err
}

// outputChanges is Terraform's "Changes to Outputs" section.
func (t *textWriter) outputChanges(p *Plan) {
	t.printf("Changes to Outputs:\n")
	for _, c := range p.OutputChanges {
		t.printf("  %s\n", outputChangeLine(c, t.sym))
	}
}

// outputChangeLine is one output change: + name = value, ~ name = old ->
// new, - name = old -> null.
func outputChangeLine(c OutputChange, sym func(string) string) string {
	switch c.Action {
	case Create:
		return fmt.Sprintf("%s %s = %s", sym("+"), c.Name, formatValue(c.After))
	case Delete:
		return fmt.Sprintf("%s %s = %s -> null", sym("-"), c.Name, formatValue(c.Before))
	}
	return fmt.Sprintf("%s %s = %s -> %s", sym("~"), c.Name, formatValue(c.Before), formatValue(c.After))
}

// summaryText is Terraform's summary: "1 to add, 2 to change, 0 to destroy",
// with "N to import, " first when there are imports.
func summaryText(p *Plan) string {
	add, change, destroy := p.Summary()
	s := fmt.Sprintf("%d to add, %d to change, %d to destroy", add, change, destroy)
	if n := p.Imports(); n > 0 {
		s = fmt.Sprintf("%d to import, %s", n, s)
	}
	if n := p.Dropped(); n > 0 {
		s += fmt.Sprintf(", %d undeclared %s to drop", n, plural(n, "value", "values"))
	}
	if n := p.UnmanagedDeletes(); n > 0 {
		s += fmt.Sprintf(". It also deletes %s azapply does not manage, with the resource group that holds %s", resources(n), plural(n, "it", "them"))
	}
	return s
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

func (t *textWriter) sym(s string) string {
	switch s {
	case "+":
		return t.c(ansiGreen) + s + t.c(ansiReset)
	case "-":
		return t.c(ansiRed) + s + t.c(ansiReset)
	case "~", "-/+", "+/-":
		return t.c(ansiYellow) + s + t.c(ansiReset)
	case "<=":
		return t.c(ansiCyan) + s + t.c(ansiReset)
	}
	return s
}

func (t *textWriter) drift(p *Plan) {
	if len(p.Drift) == 0 {
		return
	}
	t.printf("%sObjects have changed outside azapply%s\n\n", t.c(ansiBold), t.c(ansiReset))
	t.printf("azapply detected the following changes made outside azapply since the last apply:\n\n")
	for _, d := range p.Drift {
		if d.Deleted {
			t.printf("  # %s has been deleted\n", d.Address)
			t.printf("  %s %s\n", t.sym("-"), d.Address)
			t.printf("        id = %q\n\n", d.ID)
			continue
		}
		t.printf("  # %s has changed\n", d.Address)
		t.printf("  %s %s\n", t.sym("~"), d.Address)
		t.printf("        id = %q\n", d.ID)
		for _, pc := range d.Paths {
			t.pathChange(pc, "      ")
			if !pc.Declared {
				t.printf("        # not in the configuration: reported, not reverted\n")
			}
		}
		t.printf("\n")
	}
	if !p.RefreshOnly {
		t.printf("Changes to declared values are planned back below; the others are only reported.\n\n")
	}
}

func (t *textWriter) change(c *Change) {
	if c.MovedFrom != "" {
		t.printf("  # %s has moved to %s\n", c.MovedFrom, c.Address)
		if c.Action == NoOp && !c.Import {
			t.printf("\n")
			return
		}
	}
	switch c.Action {
	case Create:
		t.printf("  # %s will be created\n", c.Address)
		t.printf("  %s %s\n", t.sym("+"), c.Address)
		t.header(c)
		t.body(c)
	case Update:
		if c.Import {
			t.printf("  # %s will be imported and updated in place\n", c.Address)
		} else {
			t.printf("  # %s will be updated in place\n", c.Address)
		}
		t.printf("  %s %s\n", t.sym("~"), c.Address)
		t.header(c)
		for _, pc := range c.Paths {
			t.pathChange(pc, "      ")
			if pc.Dropped {
				t.printf("        # not in the configuration: this update drops it\n")
			}
		}
	case NoOp:
		if !c.Import {
			return
		}
		t.printf("  # %s will be imported\n", c.Address)
		t.printf("    %s\n", c.Address)
		t.header(c)
	case Replace:
		switch {
		case c.CreateBeforeDestroy:
			t.printf("  # %s must be replaced: its id changed from %s; the new one is created before the old one is deleted\n", c.Address, c.PriorID)
		case c.PriorID != "":
			t.printf("  # %s must be replaced: its id changed from %s\n", c.Address, c.PriorID)
		case c.DeletedWith != "":
			t.printf("  # %s must be replaced: it is deleted with %s, then created again\n", c.Address, c.DeletedWith)
		case c.ReplaceReason != "":
			t.printf("  # %s will be replaced, as %s\n", c.Address, c.ReplaceReason)
		default:
			t.printf("  # %s must be replaced\n", c.Address)
		}
		if c.CreateBeforeDestroy {
			t.printf("%s %s\n", t.sym("+/-"), c.Address)
		} else {
			t.printf("%s %s\n", t.sym("-/+"), c.Address)
		}
		t.header(c)
		t.contents(c)
		if c.PriorID != "" || len(c.Paths) == 0 {
			t.body(c)
			break
		}
		for _, pc := range c.Paths {
			t.pathChange(pc, "      ")
			if pc.ForcesReplace {
				t.printf("        # forces replacement: %s\n", pc.ReplaceReason)
			}
		}
	case Delete:
		switch {
		case c.DeletedWith != "" && c.Desired != nil:
			t.printf("  # %s will be deleted with %s (it is still declared: the next plan creates it again)\n", c.Address, c.DeletedWith)
		case c.DeletedWith != "":
			t.printf("  # %s will be deleted with %s\n", c.Address, c.DeletedWith)
		default:
			t.printf("  # %s will be destroyed\n", c.Address)
		}
		t.printf("  %s %s\n", t.sym("-"), c.Address)
		t.header(c)
		t.contents(c)
	case Read:
		t.printf("  # %s will be read\n", c.Address)
		t.printf(" %s %s\n", t.sym("<="), c.Address)
		t.header(c)
	case Forget:
		if c.Live != nil {
			t.printf("  # %s will be removed from the state; it stays in Azure\n", c.Address)
		} else {
			t.printf("  # %s is gone from Azure and will be removed from the state\n", c.Address)
		}
	default:
		return
	}
	if c.SoftDelete != nil {
		for _, l := range c.SoftDelete.Lines() {
			t.printf("        # %s\n", l)
		}
	}
	for _, e := range c.PreflightErrors {
		t.printf("        # PREFLIGHT FAILED: %s\n", e)
		if e.Hint != "" {
			t.printf("        #   %s\n", e.Hint)
		}
	}
	for _, l := range c.Locks {
		t.printf("        # LOCKED: the %s lock %q on %s refuses this %s; apply will not start. To go on, %s\n", l.Level, l.Name, l.Scope, LockedWhat(c), l.Remedy())
	}
	t.printf("\n")
}

func (t *textWriter) header(c *Change) {
	t.printf("        id          = %q\n", c.ID)
	t.printf("        api_version = %q\n", c.APIVersion)
}

// contents lists what a resource group the plan deletes holds: each
// managed resource by address, the others by ID and type, marked as not
// managed.
func (t *textWriter) contents(c *Change) {
	if c.Contents == nil {
		return
	}
	if len(c.Contents.Resources) == 0 {
		t.printf("        # it holds no other resource\n")
		return
	}
	t.printf("        # deleting it deletes everything it holds (%s):\n", resources(len(c.Contents.Resources)))
	for _, r := range c.Contents.Resources {
		if r.Managed && r.NotTargeted {
			t.printf("        #   %s %s (managed here, not targeted: leaves the state)\n", t.sym("-"), r.Address)
		} else if r.Managed {
			t.printf("        #   %s %s (managed: leaves the state)\n", t.sym("-"), r.Address)
		} else {
			t.printf("        #   %s %s (%s) %sNOT MANAGED by azapply%s\n", t.sym("-"), r.ID, r.Type, t.c(ansiBold), t.c(ansiReset))
		}
	}
	if c.Contents.Unmanaged() > 0 {
		t.printf("        # delete_unmanaged_contents = true: what azapply does not manage goes with it\n")
	}
}

// plural is one or many, by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// body shows a whole declared body, nested objects indented.
func (t *textWriter) body(c *Change) {
	r := sensitivityOf(c)
	for _, k := range sortedKeys(c.Desired) {
		p := bodypath.Path{}.Key(k)
		t.printf("      %s %s = %s\n", t.sym("+"), k, t.nested(p, c.Desired[k], r, "      "))
	}
}

// nested formats a value for a create, objects and arrays over several
// lines, each leaf marked +.
func (t *textWriter) nested(path bodypath.Path, v any, r *body.Compiled, indent string) string {
	if r.IsSensitive(path, v) {
		return sensitiveText
	}
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{\n")
		for _, k := range sortedKeys(v) {
			fmt.Fprintf(&b, "%s    %s %s = %s\n", indent, t.sym("+"), keyText(k), t.nested(path.Key(k), v[k], r, indent+"    "))
		}
		b.WriteString(indent + "  }")
		return b.String()
	case []any:
		if len(v) == 0 {
			return "[]"
		}
		var b strings.Builder
		b.WriteString("[\n")
		for i, e := range v {
			fmt.Fprintf(&b, "%s    %s %s,\n", indent, t.sym("+"), t.nested(path.Elem(i), e, r, indent+"    "))
		}
		b.WriteString(indent + "  ]")
		return b.String()
	}
	return formatValue(v)
}

func keyText(k string) string {
	if bodypath.IsPlainKey(k) {
		return k
	}
	return fmt.Sprintf("%q", k)
}

// sensitivityOf compiles a change's sensitive paths for rendering; the plan
// was built with the same paths, so they parse.
func sensitivityOf(c *Change) *body.Compiled {
	r, err := body.Rules{Sensitive: c.Sensitive, ID: c.ID}.Compile()
	if err != nil {
		return &body.Compiled{}
	}
	return r
}

func (t *textWriter) pathChange(pc PathChange, indent string) {
	before, after := shown(pc.Before, pc.Sensitive), shown(pc.After, pc.Sensitive)
	switch {
	case isAbsent(pc.Before):
		t.printf("%s%s %s = %s\n", indent, t.sym("+"), pc.Path, formatIndented(after, indent))
	case isAbsent(pc.After):
		t.printf("%s%s %s = %s\n", indent, t.sym("-"), pc.Path, formatIndented(before, indent))
	case multiline(before) || multiline(after):
		t.printf("%s%s %s = <<-EOT\n", indent, t.sym("~"), pc.Path)
		t.lineDiff(before.(string), after.(string), indent+"    ")
		t.printf("%s    EOT\n", indent)
	default:
		t.printf("%s%s %s = %s -> %s\n", indent, t.sym("~"), pc.Path, formatIndented(before, indent), formatIndented(after, indent))
	}
}

// lineDiff prints two long strings line by line: unchanged lines plain,
// removed lines with -, added lines with +.
func (t *textWriter) lineDiff(a, b, indent string) {
	for _, l := range lineDiff(a, b) {
		t.printf("%s%s %s\n", indent, t.sym(l.op), l.text)
	}
}

type diffLine struct{ op, text string }

// lineDiff diffs two texts by line with sergi/go-diff.
func lineDiff(a, b string) []diffLine {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var out []diffLine
	for _, d := range diffs {
		op := " "
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = "-"
		case diffmatchpatch.DiffInsert:
			op = "+"
		}
		for _, l := range strings.Split(strings.TrimSuffix(d.Text, "\n"), "\n") {
			out = append(out, diffLine{op, l})
		}
	}
	return out
}

func multiline(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "\n")
}

// shown replaces a sensitive value with a marker, keeping Absent visible.
func shown(v any, sensitive bool) any {
	if sensitive && !isAbsent(v) {
		return body.Sensitive{}
	}
	return v
}

func (t *textWriter) kept(p *Plan) {
	var started bool
	for _, c := range p.Changes {
		if len(c.KeptDifferently) == 0 {
			continue
		}
		if !started {
			t.printf("%sValues the service keeps differently%s (no action; change the configuration to match, or ignore_changes them):\n\n", t.c(ansiBold), t.c(ansiReset))
			started = true
		}
		t.printf("  # %s\n", c.Address)
		for _, pc := range c.KeptDifferently {
			if pc.NotReturned {
				t.printf("      %s: declared %s, the service does not return it\n", pc.Path, formatValue(shown(pc.After, pc.Sensitive)))
				t.printf("        (%s)\n", NotReturnedHint(c.APIVersion))
				continue
			}
			t.printf("      %s: declared %s, the service keeps %s\n", pc.Path, formatValue(shown(pc.After, pc.Sensitive)), formatValue(shown(pc.Before, pc.Sensitive)))
		}
		t.printf("\n")
	}
}

// NotReturnedHint says what a declared value the service does not return
// may be, and what to do.
func NotReturnedHint(apiVersion string) string {
	return fmt.Sprintf("misspelled, or not a property of this type at api-version %s? Check the REST reference; if it is a write-only value, add its path to sensitive to keep it quiet", apiVersion)
}

func isAbsent(v any) bool { return body.IsAbsent(v) }

// sortedKeys are the keys of m in order, as renderers list them.
func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// formatIndented is formatValue with objects and arrays spread over lines
// when they do not fit on one.
func formatIndented(v any, indent string) string {
	s := formatValue(v)
	if len(s) <= 80 {
		return s
	}
	switch v.(type) {
	case map[string]any, []any:
		b, err := json.MarshalIndent(v, indent, "  ")
		if err == nil {
			return string(b)
		}
	}
	return s
}

// formatValue prints a value the way HCL users read it: strings quoted,
// objects and arrays as compact JSON, unknowns as (known after apply).
func formatValue(v any) string {
	switch v := v.(type) {
	case config.Unknown:
		return v.String()
	case Absent:
		return "(absent)"
	case body.Sensitive:
		return sensitiveText
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

// resources is "1 resource" or "N resources".
func resources(n int) string {
	if n == 1 {
		return "1 resource"
	}
	return fmt.Sprintf("%d resources", n)
}

// FormatValue prints a value as the plan does, or (sensitive) for a secret,
// for other packages that report on values (apply's warnings).
func FormatValue(v any, sensitive bool) string {
	if sensitive {
		return sensitiveText
	}
	return formatValue(v)
}
