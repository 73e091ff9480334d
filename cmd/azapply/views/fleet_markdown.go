package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

// fleetMarkdownLimit bounds the markdown summary: a GitHub issue or
// comment holds 65,536 characters.
const fleetMarkdownLimit = plan.GitHubCommentLimit

// fleetMarkdown writes one summary for an issue or a chat message: the
// counts, a table of the stacks, and for each stack that is not clean a
// collapsed list of what changed or drifted (or its error). Sections that
// would not fit the limit are left out, and a note says so.
func fleetMarkdown(w io.Writer, r *fleet.Report) error {
	var head strings.Builder
	fmt.Fprintf(&head, "## azapply fleet %s\n\n", r.Kind)
	if len(r.Stacks) == 0 {
		fmt.Fprintf(&head, "%s\n", emptyShard(r))
		_, err := io.WriteString(w, head.String())
		return err
	}
	fmt.Fprintf(&head, "**%s**", fleetSummary(r))
	if r.Shard.Count > 1 {
		fmt.Fprintf(&head, " Shard %s.", r.Shard)
	}
	head.WriteString("\n\n| Stack | Status |\n|---|---|\n")
	for _, st := range r.Stacks {
		fmt.Fprintf(&head, "| `%s` | %s %s |\n", mdCode(st.Dir), statusMark(st.Status), mdCell(fleetStatus(st)))
	}
	var sections []string
	for _, st := range r.Stacks {
		if st.Status != fleet.Clean {
			sections = append(sections, stackSection(st))
		}
	}
	out := head.String()
	left := 0
	for i, s := range sections {
		if len(out)+len(s)+200 > fleetMarkdownLimit {
			left = len(sections) - i
			break
		}
		out += s
	}
	if left > 0 {
		out += fmt.Sprintf("\n_%d more stacks are not shown here, to fit the limit of a comment: see the text or JSON report._\n", left)
	}
	_, err := io.WriteString(w, out)
	return err
}

// stackSection is a collapsed section of a stack that is not clean.
func stackSection(st fleet.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><code>%s</code>: %s</summary>\n\n", htmlEscape(st.Dir), htmlEscape(fleetStatus(st)))
	switch {
	case st.Status == fleet.Failed:
		fmt.Fprintf(&b, "```\n%s\n```\n", strings.ReplaceAll(strings.TrimSpace(st.Err.Error()), "```", "'''"))
	case st.Status == fleet.Drifted:
		for _, d := range st.Plan.Drift {
			if d.Deleted {
				fmt.Fprintf(&b, "- `%s`: deleted outside azapply\n", mdCode(d.Address))
				continue
			}
			fmt.Fprintf(&b, "- `%s`: %d paths changed outside azapply\n", mdCode(d.Address), len(d.Paths))
		}
	default:
		for _, c := range st.Plan.Changes {
			if c.Action == plan.NoOp || c.Action == plan.Read {
				continue
			}
			fmt.Fprintf(&b, "- %s `%s`\n", c.Action, mdCode(c.Address))
		}
		for _, o := range st.Plan.OutputChanges {
			fmt.Fprintf(&b, "- output `%s` changes\n", mdCode(o.Name))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func statusMark(s fleet.Status) string {
	switch s {
	case fleet.Clean:
		return "✅"
	case fleet.Failed:
		return "❌"
	}
	return "⚠️"
}

// mdCode keeps a value inside a code span: a backtick would end it.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }

// mdCell keeps a value inside a table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(s)
}
