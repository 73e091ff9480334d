package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// docCommand is one command line shown in a document.
type docCommand struct {
	line string // as written, without its comment
	// exit is the exit code its comment promises ("# exit 2: ..."), else 0.
	exit int
	// says is what its comment promises the output holds ("Plan: ...").
	says []string
}

var (
	exitComment = regexp.MustCompile(`\bexit ([0-9])\b`)
	saysComment = regexp.MustCompile(`Plan: [0-9]+ to add, [0-9]+ to change, [0-9]+ to destroy\.|No changes\.`)
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

// section is the part of md under the heading "## name", up to the next
// heading of that level.
func section(t *testing.T, md, name string) string {
	t.Helper()
	start := strings.Index(md, "\n## "+name+"\n")
	if start < 0 {
		t.Fatalf("README.md has no %q section", "## "+name)
	}
	rest := md[start+1:]
	if end := strings.Index(rest[3:], "\n## "); end >= 0 {
		return rest[:end+3]
	}
	return rest
}

func readReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeTour runs every command of the README's tour, in order, from a
// copy of the repository's examples, against the embedded emulator, and
// checks the exit codes and outputs its comments promise.
func TestReadmeTour(t *testing.T) {
	cmds := shCommands(section(t, readReadme(t), "A tour"))
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
	for _, want := range []string{"plan", "apply", "drift", "show", "state", "import"} {
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
// README and the examples' READMEs names a command and flags that exist.
func TestDocumentedCommandLines(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join("..", "..", "README.md"))
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

// TestReadmeConfigurationReference checks that the README's configuration
// reference names every block and attribute the configuration's schema
// (config/schema.go) accepts.
func TestReadmeConfigurationReference(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "config", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	ref := section(t, readReadme(t), "Configuration reference")
	names := regexp.MustCompile(`(?:Name|Type): "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	// The provider's string attributes are listed in providerStringAttrs.
	list := regexp.MustCompile(`(?s)providerStringAttrs = \[\]string\{(.*?)\}`).FindStringSubmatch(string(src))
	if len(names) < 30 || list == nil {
		t.Fatalf("config/schema.go no longer reads as expected (%d names): update this test", len(names))
	}
	for _, m := range regexp.MustCompile(`"([a-z_]+)"`).FindAllStringSubmatch(list[1], -1) {
		names = append(names, m)
	}
	for _, m := range names {
		name := m[1]
		if !regexp.MustCompile("[`{ ]" + name + "[`} (]").MatchString(ref) {
			t.Errorf("the configuration reference does not mention %q", name)
		}
	}
}
