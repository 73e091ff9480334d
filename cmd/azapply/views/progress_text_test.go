package views

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/apply"
)

// declaredOps are the values of every constant of type Op that the apply
// package declares, read from its source: a kind added there is tested
// here without anyone listing it.
func declaredOps(t *testing.T) []apply.Op {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "apply", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var ops []apply.Op
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Op" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: an Op constant that is not a string literal: add it to this test's reading", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					ops = append(ops, apply.Op(s))
				}
			}
		}
	}
	if len(ops) < 5 {
		t.Fatalf("found %d Op constants in the apply package (%v), want at least the 5 known", len(ops), ops)
	}
	return ops
}

// TestOpWordsCoverEveryOp checks that every operation the engine declares
// has words of its own in a progress line: none falls back to "Working...",
// and no two start alike.
func TestOpWordsCoverEveryOp(t *testing.T) {
	fallbackStart, fallbackStill, fallbackDone, fallbackFailed := opWords(apply.Op("no such operation"))
	seen := map[string]apply.Op{}
	for _, op := range declaredOps(t) {
		start, still, done, failed := opWords(op)
		if start == fallbackStart || still == fallbackStill || done == fallbackDone || failed == fallbackFailed {
			t.Errorf("%s: opWords gives the fallback words (%q, %q, %q, %q): give it a case", op, start, still, done, failed)
		}
		if other, ok := seen[start]; ok {
			t.Errorf("%s and %s both start with %q", op, other, start)
		}
		seen[start] = op
		var b bytes.Buffer
		for _, kind := range []apply.EventKind{apply.EventStart, apply.EventProgress, apply.EventComplete, apply.EventFailed} {
			writeEvent(&b, apply.Event{Kind: kind, Op: op, Address: "resource.x", ID: "/x", Elapsed: 2 * time.Second})
		}
		for _, want := range []string{start, still, done + " complete", failed + " failed"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: the progress lines do not say %q:\n%s", op, want, b.String())
			}
		}
	}
}
