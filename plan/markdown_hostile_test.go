package plan

import (
	"bytes"
	"strings"
	"testing"
)

// hostileKeys are for_each keys that would break a pull-request comment if
// written as they are: an HTML comment that hides the rest, a closing tag,
// backticks and pipes that end a code span or a table cell, line breaks
// that end the summary's HTML block.
var hostileKeys = []string{"x<!--", "</details><h1>owned</h1>", "a|b", "a`b``c", "two\n\nlines", "&amp;", "*em* _em_ [link](http://x)"}

// TestMarkdownEscapesHostileKeys renders a plan whose addresses, paths and
// values hold hostile keys and checks, outside the fenced code blocks (where
// GitHub shows text as it is), that nothing opens an HTML comment or closes
// a tag azapply did not write, that every table row has its columns, and
// that every code span is closed.
func TestMarkdownEscapesHostileKeys(t *testing.T) {
	p := &Plan{}
	for _, k := range hostileKeys {
		addr := `resource.x["` + k + `"]`
		p.Changes = append(p.Changes,
			&Change{Address: addr, ID: "/subscriptions/s/resourceGroups/" + k, Action: Update,
				Paths:           []PathChange{{Path: `tags["` + k + `"]`, Before: k, After: k + "2"}},
				KeptDifferently: []PathChange{{Path: `tags["` + k + `"]`, Before: k, After: k + "|`"}}},
			&Change{Address: addr + "_gone", ID: "/x/" + k, Action: Delete, DeletedWith: addr})
		p.Drift = append(p.Drift, &Drift{Address: addr, ID: "/x/" + k, Paths: []PathChange{{Path: k, Before: k, After: "b"}}},
			&Drift{Address: addr + "_deleted", ID: "/x/" + k, Deleted: true})
	}
	var out bytes.Buffer
	if err := RenderMarkdown(&out, p, MarkdownOptions{MaxLen: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	text := outsideFences(t, out.String())
	if strings.Contains(text, "<!--") {
		t.Errorf("an HTML comment is opened outside a code block:\n%s", text)
	}
	if strings.Contains(text, "<h1>") {
		t.Errorf("a key's HTML is written as HTML:\n%s", text)
	}
	if open, closed := strings.Count(text, "<details>"), strings.Count(text, "</details>"); open != closed || open != 4*len(hostileKeys) {
		t.Errorf("%d <details> and %d </details>, want %d of each", open, closed, 4*len(hostileKeys))
	}
	rows := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "<details>") && !strings.HasSuffix(line, "</summary>") {
			t.Errorf("a summary is broken across lines: %q", line)
		}
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		rows++
		if n := strings.Count(line, "|"); n != 4 && n != 5 {
			t.Errorf("a table row has %d pipes (a key split a cell): %q", n, line)
		}
		if strings.Count(line, "`")%2 != 0 {
			t.Errorf("a code span is left open: %q", line)
		}
	}
	if rows < 3*len(hostileKeys) {
		t.Errorf("%d table rows, want at least %d", rows, 3*len(hostileKeys))
	}
}

// outsideFences returns the markdown without its fenced code blocks, and
// checks that every fence is closed.
func outsideFences(t *testing.T, md string) string {
	t.Helper()
	var b strings.Builder
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		switch {
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = strings.TrimRight(line, "abcdefghijklmnopqrstuvwxyz")
		case fence != "" && line == fence:
			fence = ""
		case fence == "":
			b.WriteString(line + "\n")
		}
	}
	if fence != "" {
		t.Errorf("a code block is never closed:\n%s", md)
	}
	return b.String()
}
