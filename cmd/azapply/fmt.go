package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
)

// exitFmtCheck is what fmt --check returns when files need formatting, as
// terraform fmt -check does.
const exitFmtCheck = 3

type fmtOptions struct {
	factory   *Factory
	check     bool
	recursive bool
	noColor   bool
	// paths are files or directories; none means the current directory.
	paths []string
}

// NewCmdFmt defines azapply fmt; runF, when a test gives it, runs instead
// of fmtRun.
func NewCmdFmt(f *Factory, runF func(context.Context, *fmtOptions) error) *command {
	o := &fmtOptions{factory: f}
	c := newCommand(f, "fmt", "[DIR|FILE ...]", "Rewrite .hcl files in the canonical layout",
		"Rewrite .hcl files in the canonical layout (indentation, aligned equals signs),\nkeeping comments. Files with syntax errors are reported and left alone.",
		"azapply fmt --check examples/quickstart")
	c.flags.BoolVar(&o.check, "check", false, "change nothing; list the files that are not formatted and exit 3 if there are any")
	c.flags.BoolVar(&o.recursive, "recursive", false, "also format the .hcl files of subdirectories")
	c.flags.BoolVar(&o.noColor, "no-color", false, "never print colour codes")
	c.run = func(ctx context.Context, args []string) error {
		o.paths = args
		if len(o.paths) == 0 {
			o.paths = []string{"."}
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return fmtRun(ctx, o)
	}
	return c
}

func fmtRun(_ context.Context, o *fmtOptions) error {
	v := views.NewFmt(viewStreams(o.factory.IOStreams, o.noColor))
	files, err := fmtFiles(o.paths, o.recursive)
	if err != nil {
		return err
	}
	code := exitOK
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			v.Error(err)
			code = exitError
			continue
		}
		if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
			v.SyntaxErrors(name, src, diags)
			code = exitError
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(out, src) {
			continue
		}
		v.Unformatted(name)
		if o.check {
			if code == exitOK {
				code = exitFmtCheck
			}
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
			v.Error(fmt.Errorf("writing %s: %w", name, err))
			code = exitError
		}
	}
	return exitWith(code)
}

// fmtFiles lists the .hcl files named, or inside the directories named.
// JSON files (.hcl.json) are left alone: their layout is JSON's.
//
// A directory's local modules (module blocks with source = "./...") are
// formatted with it, wherever they are.
func fmtFiles(paths []string, recursive bool) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	paths = append([]string(nil), paths...)
	for _, p := range paths {
		seen[filepath.Clean(p)] = true
	}
	for i := 0; i < len(paths); i++ {
		p := paths[i]
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: name a directory or an .hcl file", err)
		}
		if !info.IsDir() {
			if !strings.HasSuffix(p, ".hcl") {
				return nil, fmt.Errorf("%s is not an .hcl file", p)
			}
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (!recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".hcl") && !strings.HasPrefix(d.Name(), ".") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		// The modules it calls; a directory whose files do not parse is
		// reported by the formatting itself.
		mods, _ := config.LocalModuleDirs(p)
		for _, m := range mods {
			if !seen[m] && (!recursive || !strings.HasPrefix(m, filepath.Clean(p)+string(filepath.Separator))) {
				seen[m] = true
				paths = append(paths, m)
			}
		}
	}
	return out, nil
}
