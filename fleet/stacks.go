package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// VarFiles are the variables files a stack keeps for the fleet, beside its
// configuration, in the order they are read: each is that stack's
// --var-file (HCL name = value lines, or JSON). They do not end in .hcl,
// so that plan in the directory alone does not read them.
var VarFiles = []string{"fleet.vars", "fleet.vars.json"}

// VarFilesOf returns the variables files of the stack in dir that exist.
func VarFilesOf(dir string) []string {
	var out []string
	for _, name := range VarFiles {
		file := filepath.Join(dir, name)
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			out = append(out, file)
		}
	}
	return out
}

// Expand turns the command line's stack arguments into directories:
// an argument that is a pattern (stacks/*) is expanded here, for the places
// no shell expands it (a container with no shell, a Kubernetes Job's args,
// Windows), keeping the directories it matches in name order; one that
// matches none is an error, since a fleet that checks nothing would look
// clean. A directory given twice (by two spellings) is kept once. Other
// arguments are kept as given: a stack that is not a directory fails on
// its own, in the report.
func Expand(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(d string) {
		key := d
		if abs, err := filepath.Abs(d); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			add(a)
			continue
		}
		matches, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("the stacks %q: %w", a, err)
		}
		n := 0
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				add(m)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("the stacks %q: no directory matches it", a)
		}
	}
	return out, nil
}
