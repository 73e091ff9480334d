package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docCommand is one command line shown in a document.
type docCommand struct {
	line string // as written, without its comment
	// exit is the exit code its comment promises ("# exit 2: ..."), else 0.
	exit int
	// says is what its comment promises the output holds: a "Plan: ..."
	// line, "No changes.", or a quoted "key": "value" pair.
	says []string
}

var (
	exitComment = regexp.MustCompile(`\bexit ([0-9])\b`)
	saysComment = regexp.MustCompile(`Plan: (?:[0-9]+ to import, )?[0-9]+ to add, [0-9]+ to change, [0-9]+ to destroy\.|No changes\.|"[A-Za-z]+": "[A-Za-z]+"`)
)

// shCommands returns the azapply command lines of the ```sh blocks of md,
// in order. "go run ./cmd/azapply" counts as azapply; a line ending in "\"
// goes on on the next.
func shCommands(md string) []docCommand {
	var out []docCommand
	in := false
	pending := ""
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			in = trimmed == "```sh"
			continue
		}
		if !in {
			continue
		}
		if pending != "" {
			trimmed = pending + " " + trimmed
			pending = ""
		}
		if strings.HasSuffix(trimmed, `\`) {
			pending = strings.TrimSpace(strings.TrimSuffix(trimmed, `\`))
			continue
		}
		trimmed = strings.Replace(trimmed, "go run ./cmd/azapply ", "azapply ", 1)
		if !strings.HasPrefix(trimmed, "azapply ") {
			continue
		}
		c := docCommand{line: trimmed}
		if i := commentStart(trimmed); i >= 0 {
			comment := trimmed[i:]
			c.line = strings.TrimSpace(trimmed[:i])
			if m := exitComment.FindStringSubmatch(comment); m != nil {
				c.exit, _ = strconv.Atoi(m[1])
			}
			c.says = saysComment.FindAllString(comment, -1)
		}
		out = append(out, c)
	}
	return out
}

// commentStart is the index of a shell comment's "#" outside quotes, or -1.
func commentStart(line string) int {
	var quote rune
	prevSpace := true
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && prevSpace:
			return i
		}
		prevSpace = r == ' ' || r == '\t'
	}
	return -1
}

// section is the part of md, the document doc, under the heading "## name",
// up to the next heading of that level outside a code block.
func section(t *testing.T, doc, md, name string) string {
	t.Helper()
	var out []string
	in, fence := false, ""
	for _, line := range strings.Split(md, "\n") {
		// A fence closes with a line of at least as many backticks; a
		// ```` block may hold ``` blocks.
		ticks := line[:len(line)-len(strings.TrimLeft(line, "`"))]
		switch {
		case fence == "" && len(ticks) >= 3:
			fence = ticks
		case fence != "" && len(ticks) >= len(fence) && strings.TrimSpace(line) == ticks:
			fence = ""
		}
		if fence == "" && strings.HasPrefix(line, "## ") {
			if in {
				break
			}
			in = line == "## "+name
		}
		if in {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no %q section", doc, "## "+name)
	}
	return strings.Join(out, "\n")
}

// readDoc reads a document of the repository, by its path from the root
// (such as "docs/cli.md").
func readDoc(t *testing.T, doc string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(doc)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readReadme(t *testing.T) string {
	t.Helper()
	return readDoc(t, "README.md")
}

// TestReadmeTour runs every command of the README's tour, in order, from a
// copy of the repository's examples, against the embedded emulator, and
// checks the exit codes and outputs its comments promise.
func TestReadmeTour(t *testing.T) {
	cmds := shCommands(section(t, "README.md", readReadme(t), "A tour"))
	if len(cmds) < 15 {
		t.Fatalf("the tour shows %d commands; it should walk plan, apply, saved plans, drift, state and import", len(cmds))
	}
	covered := map[string]bool{}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(example(t, "quickstart"), filepath.Join(root, "examples", "quickstart")); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		words := shellWords(c.line)
		covered[words[1]] = true
		r := azapply(t, root, words[1:]...)
		if r.code != c.exit {
			t.Fatalf("%s\nexit %d, the README says %d\nstdout:\n%s\nstderr:\n%s", c.line, r.code, c.exit, r.stdout, r.stderr)
		}
		for _, s := range c.says {
			if !strings.Contains(r.stdout, s) {
				t.Errorf("%s\nthe README says the output holds %q; it is:\n%s", c.line, s, r.stdout)
			}
		}
	}
	for _, want := range []string{"plan", "apply", "drift", "show", "state", "import", "export"} {
		if !covered[want] {
			t.Errorf("the tour never runs azapply %s", want)
		}
	}
}

// TestReadmeFirstCommand runs the README's first command, the one a newcomer
// types first.
func TestReadmeFirstCommand(t *testing.T) {
	cmds := shCommands(readReadme(t))
	if len(cmds) == 0 || !strings.HasPrefix(cmds[0].line, "azapply apply --chdir examples/quickstart") {
		t.Fatalf("the README's first command is not the quickstart's apply: %+v", cmds)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(example(t, "quickstart"), filepath.Join(root, "examples", "quickstart")); err != nil {
		t.Fatal(err)
	}
	r := azapply(t, root, shellWords(cmds[0].line)[1:]...)
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.")
}

// TestDocumentedCommandLines checks that every azapply command line in the
// README, the documents under docs/, the changelog and the examples' READMEs
// names a command and flags that exist.
func TestDocumentedCommandLines(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) == 0 {
		t.Fatal("found no documents under docs/")
	}
	docs = append(docs, guides...)
	docs = append(docs, filepath.Join("..", "..", "README.md"), filepath.Join("..", "..", "CHANGELOG.md"))
	n := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range shCommands(string(b)) {
			n++
			if err := checkCommandLine(c.line); err != nil {
				t.Errorf("%s: %v", doc, err)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d documented command lines; the parser is probably missing them", n)
	}
}

func TestShCommands(t *testing.T) {
	md := "text\n```sh\nazapply plan --chdir x   # exit 2: Plan: 1 to add, 0 to change, 0 to destroy.\n" +
		"go run ./cmd/azapply apply \\\n  --auto-approve\nls -l\n```\n```hcl\nazapply plan\n```\n" +
		"```sh\nazapply emulator change --merge '{\"a\":\"#b\"}'\n```\n"
	got := shCommands(md)
	want := []docCommand{
		{line: "azapply plan --chdir x", exit: 2, says: []string{"Plan: 1 to add, 0 to change, 0 to destroy."}},
		{line: "azapply apply --auto-approve"},
		{line: `azapply emulator change --merge '{"a":"#b"}'`},
	}
	if len(got) != len(want) {
		t.Fatalf("shCommands = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].line != want[i].line || got[i].exit != want[i].exit || strings.Join(got[i].says, "|") != strings.Join(want[i].says, "|") {
			t.Errorf("command %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestReadmeConfigurationReference checks that the configuration reference
// (docs/language.md) names every block and attribute the configuration's
// schema (config/schema.go) accepts.
func TestReadmeConfigurationReference(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "config", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	ref := section(t, "docs/language.md", readDoc(t, "docs/language.md"), "Configuration reference")
	names := regexp.MustCompile(`(?:Name|Type): "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	// The provider's string attributes are listed in providerStringAttrs.
	list := regexp.MustCompile(`(?s)providerStringAttrs = \[\]string\{(.*?)\}`).FindStringSubmatch(string(src))
	if len(names) < 30 || list == nil {
		t.Fatalf("config/schema.go no longer reads as expected (%d names): update this test", len(names))
	}
	names = append(names, regexp.MustCompile(`"([a-z_]+)"`).FindAllStringSubmatch(list[1], -1)...)
	for _, m := range names {
		name := m[1]
		if !regexp.MustCompile("[`{ ]" + name + "[`} (]").MatchString(ref) {
			t.Errorf("the configuration reference does not mention %q", name)
		}
	}
}

// fencedBlocks returns the contents of the fenced code blocks of md whose
// fence is exactly fence (such as "```json").
func fencedBlocks(md, fence string) []string {
	var out []string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != fence {
			continue
		}
		closing := strings.TrimRight(fence, "abcdefghijklmnopqrstuvwxyz")
		var b []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != closing; i++ {
			b = append(b, lines[i])
		}
		out = append(out, strings.Join(b, "\n")+"\n")
	}
	return out
}

// TestReadmeOutputSamples checks that the samples of the text, markdown and
// JSON formats (docs/cli.md) are what azapply prints for that plan.
func TestReadmeOutputSamples(t *testing.T) {
	ref := section(t, "docs/cli.md", readDoc(t, "docs/cli.md"), "Output formats")
	text, markdown, js := fencedBlocks(ref, "```"), fencedBlocks(ref, "````markdown"), fencedBlocks(ref, "```json")
	if len(text) == 0 || len(markdown) != 1 || len(js) != 1 {
		t.Fatalf("the output formats section has %d text, %d markdown and %d JSON samples", len(text), len(markdown), len(js))
	}
	dir := example(t, "quickstart")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	plan := func(format string) string {
		r := azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--no-color", "--format", format)
		r.mustExit(t, exitOK)
		return r.stdout
	}
	if got := plan("text"); got != text[0] {
		t.Errorf("docs/cli.md's text sample is not what plan prints; it prints:\n%s", got)
	}
	if got := plan("markdown"); strings.TrimSpace(got) != strings.TrimSpace(markdown[0]) {
		t.Errorf("docs/cli.md's markdown sample is not what plan prints; it prints:\n%s", got)
	}
	var got, want map[string]any
	if err := json.Unmarshal([]byte(plan("json")), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(js[0]), &want); err != nil {
		t.Fatalf("docs/cli.md's JSON sample does not parse: %v", err)
	}
	// The lineage is new in every state, and the times the emulator sets
	// are those of this run.
	got["state"].(map[string]any)["lineage"] = want["state"].(map[string]any)["lineage"]
	sameTimes(got, want)
	if !reflect.DeepEqual(got, want) {
		b, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("docs/cli.md's JSON sample is not what plan prints; it prints:\n%s", b)
	}
}

// sameTimes gives every timestamp in got the value want has at the same
// place, so that a sample can be compared with a run at another time.
func sameTimes(got, want any) {
	switch g := got.(type) {
	case map[string]any:
		w, _ := want.(map[string]any)
		for k, v := range g {
			if s, ok := v.(string); ok && isRFC3339(s) {
				if ws, ok := w[k].(string); ok && isRFC3339(ws) {
					g[k] = ws
				}
				continue
			}
			sameTimes(v, w[k])
		}
	case []any:
		w, _ := want.([]any)
		for i := range g {
			if i < len(w) {
				sameTimes(g[i], w[i])
			}
		}
	}
}

func isRFC3339(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
