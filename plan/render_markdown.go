package plan

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/azapply/azapply/bodypath"
)

// GitHubCommentLimit is the most characters a GitHub comment may hold.
const GitHubCommentLimit = 65536

// MarkdownOptions configure the pull-request comment rendering.
type MarkdownOptions struct {
	// MaxLen bounds the output; GitHubCommentLimit when 0.
	MaxLen int
}

// RenderMarkdown writes the plan as a pull-request comment: the summary, a
// table of the resources, one collapsible section per resource with a diff
// code block, the drift and the values the service keeps differently. When
// the whole would not fit in MaxLen characters, sections are left out from
// the end and a note says so.
func RenderMarkdown(w io.Writer, p *Plan, opts MarkdownOptions) error {
	limit := opts.MaxLen
	if limit <= 0 {
		limit = GitHubCommentLimit
	}
	var head strings.Builder
	var sections []string
	head.WriteString("## azapply plan\n\n")
	switch {
	case p.RefreshOnly && !p.HasDrift():
		head.WriteString("**No changes.** Nothing changed outside azapply since the last apply.\n")
	case p.RefreshOnly:
		fmt.Fprintf(&head, "**Drift:** %s changed outside azapply.\n", resources(len(p.Drift)))
	case !p.HasChanges() && p.HasOutputChanges():
		head.WriteString("**Changes to Outputs only.** Applying saves the new output values to the state, without changing any real infrastructure.\n")
	case !p.HasChanges():
		head.WriteString("**No changes.** Azure matches the configuration.\n")
	default:
		fmt.Fprintf(&head, "**Plan:** %s.\n", summaryText(p))
	}
	var rows []string
	if !p.RefreshOnly {
		rows = markdownRows(p)
		for _, c := range p.Changes {
			if s := markdownChange(c); s != "" {
				sections = append(sections, s)
			}
		}
	}
	if len(p.Drift) > 0 {
		sections = append(sections, "\n### Objects have changed outside azapply\n")
		for _, d := range p.Drift {
			sections = append(sections, markdownDrift(d))
		}
	}
	if kept := markdownKept(p); kept != "" {
		sections = append(sections, kept)
	}
	if !p.RefreshOnly {
		if outs := markdownOutputs(p); outs != "" {
			sections = append(sections, outs)
		}
	}
	const noteRoom = 300 // for the truncation note
	var out strings.Builder
	out.WriteString(head.String())
	fits := func(s string) bool { return out.Len()+len(s)+noteRoom <= limit }
	truncated := func(what string, n int) {
		fmt.Fprintf(&out, "\n> **Truncated:** %d more %s not shown, to stay under GitHub's %d-character comment limit. Run `azapply show PLANFILE` for the full plan.\n", n, what, limit)
	}
	if len(rows) > 0 {
		out.WriteString("\n| Action | Resource | Paths |\n|---|---|---|\n")
		for i, r := range rows {
			if !fits(r) {
				truncated("resources are", len(rows)-i)
				_, err := io.WriteString(w, out.String())
				return err
			}
			out.WriteString(r)
		}
	}
	for i, s := range sections {
		if !fits(s) {
			truncated("sections are", len(sections)-i)
			break
		}
		out.WriteString(s)
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func actionLabel(c *Change) string {
	label := map[Action]string{Create: "+ create", Update: "~ update", Replace: "-/+ replace", Delete: "- delete", Read: "<= read", Forget: "forget", NoOp: "import"}[c.Action]
	if c.Import && c.Action == Update {
		label = "~ import and update"
	}
	if c.CreateBeforeDestroy {
		label = "+/- replace (create first)"
	}
	if c.MovedFrom != "" {
		if c.Action == NoOp && !c.Import {
			label = "moved"
		}
		label += " (from " + c.MovedFrom + ")"
	}
	return label
}

func shownInTable(c *Change) bool {
	switch c.Action {
	case NoOp:
		return c.Import || c.MovedFrom != ""
	case Read:
		return false
	}
	return true
}

func markdownRows(p *Plan) []string {
	var rows []string
	for _, c := range p.Changes {
		if !shownInTable(c) {
			continue
		}
		n := fmt.Sprint(len(c.Paths))
		switch {
		case c.DeletedWith != "":
			n = "deleted with " + mdCode(c.DeletedWith)
		case c.Contents != nil:
			n = fmt.Sprintf("holds %d", len(c.Contents.Resources))
			if len(c.Contents.Resources) == 0 {
				n = "holds nothing"
			}
			if u := c.Contents.Unmanaged(); u > 0 {
				n += fmt.Sprintf(", **%d not managed by azapply**", u)
			}
		case c.Action == Create || c.Action == Delete || c.Action == Forget:
			n = "—"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s |\n", mdCode(actionLabel(c)), mdCode(c.Address), n))
	}
	return rows
}

func markdownChange(c *Change) string {
	if !shownInTable(c) {
		return ""
	}
	var lines []string
	switch c.Action {
	case Create:
		r := sensitivityOf(c)
		for _, pc := range flattenLeaves(nil, c.Desired) {
			lines = append(lines, "+ "+pc.path.String()+" = "+formatValue(r.Redact(pc.path, pc.value)))
		}
	case Replace:
		if c.PriorID != "" {
			lines = append(lines, "# its id changes from "+c.PriorID)
		}
		if c.ReplaceReason != "" {
			lines = append(lines, "# replaced, as "+c.ReplaceReason)
		}
		if c.DeletedWith != "" {
			lines = append(lines, "# deleted with "+c.DeletedWith+", then created again")
		}
		lines = append(lines, pathLines(c.Paths)...)
		lines = append(lines, contentLines(c)...)
	case Update:
		lines = pathLines(c.Paths)
	case Delete:
		lines = []string{"- " + c.ID}
		if c.DeletedWith != "" {
			lines = append(lines, "# deleted with "+c.DeletedWith+": no DELETE of its own")
		}
		if c.DeletedWith != "" && c.Desired != nil {
			lines = append(lines, "# it is still declared: the next plan creates it again")
		}
		lines = append(lines, contentLines(c)...)
	case Forget:
		lines = []string{"# removed from the state only; nothing is sent to Azure"}
	case NoOp:
		lines = []string{"# imported into the state; nothing is sent to Azure"}
		if !c.Import {
			lines = []string{"# moved from " + c.MovedFrom + " in the state; nothing is sent to Azure"}
		}
	}
	if c.SoftDelete != nil {
		for _, l := range c.SoftDelete.Lines() {
			lines = append(lines, "# "+l)
		}
	}
	for _, e := range c.PreflightErrors {
		lines = append(lines, "# PREFLIGHT FAILED: "+e.String())
	}
	for _, l := range c.Locks {
		lines = append(lines, fmt.Sprintf("# LOCKED: the %s lock %q on %s refuses this %s; apply will not start", l.Level, l.Name, l.Scope, LockedWhat(c)))
	}
	return fmt.Sprintf("\n<details><summary><code>%s</code> <code>%s</code></summary>\n\n%s\n</details>\n", htmlText(actionLabel(c)), htmlText(c.Address), codeBlock(lines))
}

// contentLines lists, in a diff block, what a resource group the plan
// deletes holds.
func contentLines(c *Change) []string {
	if c.Contents == nil {
		return nil
	}
	if len(c.Contents.Resources) == 0 {
		return []string{"# it holds no other resource"}
	}
	lines := []string{fmt.Sprintf("# deleting it deletes everything it holds (%s):", resources(len(c.Contents.Resources)))}
	for _, r := range c.Contents.Resources {
		if r.Managed && r.NotTargeted {
			lines = append(lines, "- "+r.Address+"   # managed here, not targeted: leaves the state")
		} else if r.Managed {
			lines = append(lines, "- "+r.Address+"   # managed: leaves the state")
		} else {
			lines = append(lines, "- "+r.ID+" ("+r.Type+")   # NOT MANAGED by azapply")
		}
	}
	if c.Contents.Unmanaged() > 0 {
		lines = append(lines, "# delete_unmanaged_contents = true: what azapply does not manage goes with it")
	}
	return lines
}

func markdownDrift(d *Drift) string {
	if d.Deleted {
		return fmt.Sprintf("\n<details><summary><code>%s</code> has been deleted</summary>\n\n%s\n</details>\n", htmlText(d.Address), codeBlock([]string{"- " + d.ID}))
	}
	var lines []string
	for _, pc := range d.Paths {
		ls := pathLines([]PathChange{pc})
		if !pc.Declared {
			ls = append(ls, "# not in the configuration: reported, not reverted")
		}
		lines = append(lines, ls...)
	}
	return fmt.Sprintf("\n<details><summary><code>%s</code> has changed</summary>\n\n%s\n</details>\n", htmlText(d.Address), codeBlock(lines))
}

func markdownKept(p *Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		for _, pc := range c.KeptDifferently {
			if b.Len() == 0 {
				b.WriteString("\n### Values the service keeps differently\n\nNo action: the service answered these values differently at the last apply, and still does.\n\n| Resource | Path | Declared | Service keeps |\n|---|---|---|---|\n")
			}
			keeps := mdCode(tableCell(formatValue(shown(pc.Before, pc.Sensitive))))
			if pc.NotReturned {
				keeps = "not returned: misspelled, or not a property at api-version " + mdCode(tableCell(c.APIVersion)) + "?"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCode(c.Address), mdCode(pc.Path),
				mdCode(tableCell(formatValue(shown(pc.After, pc.Sensitive)))), keeps)
		}
	}
	return b.String()
}

// tableCell shortens a value for a table cell; mdCode escapes it.
func tableCell(s string) string {
	if len(s) > 120 {
		cut := 117
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// mdCode writes s as inline code in markdown, safe in a table cell: a
// backtick span when s holds nothing markdown or HTML would read (the
// common case, as readable in the raw comment), else <code> with every
// character that could end the span, the cell or the comment escaped
// (HTML, backticks, pipes, line breaks), so that a for_each key such as
// x<!-- cannot hide the rest of a pull-request comment.
func mdCode(s string) string {
	if !strings.ContainsAny(s, "`|\r\n<>&") {
		return "`" + s + "`"
	}
	return "<code>" + cellText(s) + "</code>"
}

// htmlText escapes s for the text of an HTML block (a <summary>): the HTML
// specials, and line breaks, which would end the block.
func htmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			fmt.Fprintf(&b, "&#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cellText escapes s for a table cell, where markdown reads the text between
// HTML tags: the HTML specials, and what markdown would take as the cell's
// end, a code span, emphasis or a link, and line breaks.
func cellText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '|', '`', '*', '_', '[', ']', '\\', '\n', '\r':
			fmt.Fprintf(&b, "&#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pathLines renders changed paths as diff lines: the old value with -, the
// new with +; long strings line by line.
func pathLines(pcs []PathChange) []string {
	var lines []string
	for _, pc := range pcs {
		before, after := shown(pc.Before, pc.Sensitive), shown(pc.After, pc.Sensitive)
		suffix := ""
		if pc.ForcesReplace {
			suffix = "   # forces replacement: " + pc.ReplaceReason
		}
		if multiline(before) && multiline(after) {
			lines = append(lines, "  "+pc.Path+" ="+suffix)
			for _, l := range lineDiff(before.(string), after.(string)) {
				lines = append(lines, l.op+"   "+l.text)
			}
			continue
		}
		if pc.Dropped {
			suffix = "   # not in the configuration: this update drops it"
		}
		if !isAbsent(before) {
			lines = append(lines, "- "+pc.Path+" = "+formatValue(before)+suffix)
		}
		if !isAbsent(after) {
			lines = append(lines, "+ "+pc.Path+" = "+formatValue(after)+suffix)
		}
	}
	return lines
}

func codeBlock(lines []string) string {
	body := strings.Join(lines, "\n")
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return fence + "diff\n" + body + "\n" + fence + "\n"
}

type leaf struct {
	path  bodypath.Path
	value any
}

// flattenLeaves lists the leaves of a body with their paths.
func flattenLeaves(path bodypath.Path, v any) []leaf {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 && path != nil {
			return []leaf{{path, v}}
		}
		var out []leaf
		for _, k := range sortedKeys(v) {
			out = append(out, flattenLeaves(path.Key(k), v[k])...)
		}
		return out
	case []any:
		if len(v) == 0 {
			return []leaf{{path, v}}
		}
		var out []leaf
		for i, e := range v {
			out = append(out, flattenLeaves(path.Elem(i), e)...)
		}
		return out
	}
	return []leaf{{path, v}}
}
