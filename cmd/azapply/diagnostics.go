package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/config"
)

// printDiags writes each diagnostic as
//
//	Error: Summary
//	  --> main.hcl:12:3
//	   12:   id = "..."
//	Detail sentence.
//
// so that editors and CI logs can jump to file:line:column.
func printDiags(s *IOStreams, cfg *config.Config, diags hcl.Diagnostics, noColor bool) {
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files()
	}
	writeDiags(s.Err, files, diags, s.OutTerminal && !noColor)
}

func writeDiags(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	for _, d := range diags {
		label, code := "Error", "\x1b[1;31m"
		if d.Severity == hcl.DiagWarning {
			label, code = "Warning", "\x1b[1;33m"
		}
		if color {
			fmt.Fprintf(w, "%s%s:%s %s\n", code, label, "\x1b[0m", d.Summary)
		} else {
			fmt.Fprintf(w, "%s: %s\n", label, d.Summary)
		}
		if d.Subject != nil {
			r := *d.Subject
			fmt.Fprintf(w, "  --> %s:%d:%d\n", r.Filename, r.Start.Line, r.Start.Column)
			if f, ok := files[r.Filename]; ok && f != nil {
				writeSnippet(w, f.Bytes, r)
			}
		}
		if d.Detail != "" {
			fmt.Fprintln(w, d.Detail)
		}
		fmt.Fprintln(w)
	}
}

// writeSnippet prints the source lines of r (at most three), numbered.
func writeSnippet(w io.Writer, src []byte, r hcl.Range) {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	last := r.End.Line
	if last > r.Start.Line+2 {
		last = r.Start.Line + 2
	}
	for n := 1; sc.Scan(); n++ {
		if n < r.Start.Line {
			continue
		}
		if n > last {
			break
		}
		fmt.Fprintf(w, "  %4d: %s\n", n, strings.TrimRight(sc.Text(), " \t"))
	}
}
