package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/azapply/azapply/config"
	"github.com/spf13/pflag"
)

// exitFmtCheck is what fmt --check returns when files need formatting, as
// terraform fmt -check does.
const exitFmtCheck = 3

type fmtOptions struct {
	check     bool
	recursive bool
	noColor   bool
	// paths are files or directories; none means the current directory.
	paths []string
}

func runFmt(ctx context.Context, args []string, s *IOStreams) int {
	var o fmtOptions
	flags := pflag.NewFlagSet("fmt", pflag.ContinueOnError)
	flags.SetOutput(s.Err)
	flags.BoolVar(&o.check, "check", false, "change nothing; list the files that are not formatted and exit 3 if there are any")
	flags.BoolVar(&o.recursive, "recursive", false, "also format the .hcl files of subdirectories")
	flags.BoolVar(&o.noColor, "no-color", false, "never print colour codes")
	flags.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply fmt [flags] [DIR|FILE ...]\n\nRewrite .hcl files in the canonical layout (indentation, aligned equals signs),\nkeeping comments. Files with syntax errors are reported and left alone.\n\nExample: azapply fmt --check examples/quickstart\n\nFlags:")
		flags.PrintDefaults()
	}
	if err := parseFlags(ctx, flags, args, s); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	o.paths = flags.Args()
	if len(o.paths) == 0 {
		o.paths = []string{"."}
	}
	return doFmt(ctx, o, s)
}

func doFmt(_ context.Context, o fmtOptions, s *IOStreams) int {
	files, err := fmtFiles(o.paths, o.recursive)
	if err != nil {
		return reportError(s, err)
	}
	code := exitOK
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(s.Err, "Error: %v\n", err)
			code = exitError
			continue
		}
		if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
			files := map[string]*hcl.File{name: {Bytes: src}}
			wr := hcl.NewDiagnosticTextWriter(s.Err, files, 100, s.OutTerminal && !o.noColor)
			_ = wr.WriteDiagnostics(diags)
			code = exitError
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(out, src) {
			continue
		}
		fmt.Fprintln(s.Out, name)
		if o.check {
			if code == exitOK {
				code = exitFmtCheck
			}
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return reportError(s, err)
		}
		if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
			fmt.Fprintf(s.Err, "Error: writing %s: %v\n", name, err)
			code = exitError
		}
	}
	return code
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
