package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics prints diagnostics for people: the severity and summary,
// the place as file:line:column with the block it is in, the source lines
// with the exact part marked (^^^ under it, or bold-underlined in colour),
// and the detail wrapped to width. Unlike hcl's writer it never prints the
// values of the variables an expression uses, so that no secret can leak
// through a diagnostic. files are Config.Files(); nil prints no snippets.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, width int, color bool) error {
	bw := bufio.NewWriter(w)
	for _, d := range diags {
		writeDiagnostic(bw, files, d, width, color)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, files map[string]*hcl.File, d *hcl.Diagnostic, width int, color bool) {
	severity, code := "Error", "\x1b[1;31m"
	if d.Severity == hcl.DiagWarning {
		severity, code = "Warning", "\x1b[1;33m"
	}
	if color {
		fmt.Fprintf(w, "%s%s\x1b[0m: \x1b[1m%s\x1b[0m\n\n", code, severity, d.Summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n\n", severity, d.Summary)
	}
	if d.Subject != nil {
		writeSnippet(w, files, *d.Subject, color)
	}
	if d.Detail != "" {
		w.WriteString(wrap(d.Detail, width))
		w.WriteString("\n")
	}
	w.WriteString("\n")
}

func writeSnippet(w *bufio.Writer, files map[string]*hcl.File, subj hcl.Range, color bool) {
	file := files[subj.Filename]
	where := fmt.Sprintf("%s:%d:%d", subj.Filename, subj.Start.Line, subj.Start.Column)
	if file == nil || file.Bytes == nil {
		fmt.Fprintf(w, "  on %s:\n\n", where)
		return
	}
	if cs, ok := file.Nav.(interface{ ContextString(int) string }); ok {
		if c := cs.ContextString(subj.Start.Byte); c != "" {
			where += ", in " + c
		}
	}
	fmt.Fprintf(w, "  on %s:\n", where)
	hi := subj
	if hi.Empty() {
		hi.End.Byte++
		hi.End.Column++
	}
	const maxLines = 8
	shown := 0
	sc := hcl.NewRangeScanner(file.Bytes, subj.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(hi) {
			continue
		}
		if shown == maxLines {
			fmt.Fprintf(w, "%6s\n", "...")
			break
		}
		shown++
		before, mid, after := line.PartitionAround(hi)
		b, m, a := before.SliceBytes(file.Bytes), mid.SliceBytes(file.Bytes), after.SliceBytes(file.Bytes)
		if color && len(m) > 0 {
			fmt.Fprintf(w, "%4d: %s\x1b[1;4m%s\x1b[0m%s\n", line.Start.Line, b, m, a)
			continue
		}
		fmt.Fprintf(w, "%4d: %s\n", line.Start.Line, sc.Bytes())
		if !color && len(m) > 0 && subj.Start.Line == subj.End.Line {
			fmt.Fprintf(w, "      %s%s\n", blank(b), strings.Repeat("^", max(1, utf8.RuneCount(m))))
		}
	}
	w.WriteString("\n")
}

// blank turns text into as much white space, keeping tabs, so that a mark
// on the next line lines up under it.
func blank(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if r == '\t' {
			sb.WriteByte('\t')
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// wrap folds text at width, word by word; lines that start with white
// space (lists, code) are kept as they are.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, " ") || utf8.RuneCountInString(line) <= width {
			out = append(out, line)
			continue
		}
		cur := ""
		for _, word := range strings.Fields(line) {
			switch {
			case cur == "":
				cur = word
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) > width:
				out = append(out, cur)
				cur = word
			default:
				cur += " " + word
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}
