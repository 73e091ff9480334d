package config

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/azapply/azapply/limits"
)

// checkNesting refuses source that nests deeper than limits.MaxDepth
// (blocks, objects, lists, parentheses, strings and templates together)
// before it is parsed: the parser and the evaluator recurse once per level,
// and an expression nested 20,000 deep took tens of gigabytes. It lexes
// the source once; the diagnostic points at the token that went too deep.
func checkNesting(src []byte, filename string, isJSON bool) hcl.Diagnostics {
	if isJSON {
		var de *limits.DepthError
		if err := limits.CheckJSON(src); errors.As(err, &de) {
			pos := posAt(src, de.Offset)
			return tooDeep(filename, hcl.Range{Filename: filename, Start: pos, End: pos})
		}
		return nil
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth := 0
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp,
			hclsyntax.TokenTemplateControl, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
			depth++
			if depth > limits.MaxDepth {
				return tooDeep(filename, tok.Range)
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			depth--
		}
	}
	return nil
}

func tooDeep(filename string, at hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Nested too deeply",
		Detail: fmt.Sprintf("%s nests deeper than %d levels here (blocks, objects, lists, parentheses and templates together). "+
			"azapply reads no deeper: real ARM bodies nest about a dozen levels. Flatten the expression.", filename, limits.MaxDepth),
		Subject: at.Ptr(),
	}}
}

// posAt is the line and column of a byte offset.
func posAt(src []byte, offset int) hcl.Pos {
	pos := hcl.Pos{Line: 1, Column: 1, Byte: offset}
	for _, c := range src[:min(offset, len(src))] {
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
	}
	return pos
}

// checkValueDepth refuses a decoded value (jsondecode's, yamldecode's) that
// nests deeper than limits.MaxDepth.
func checkValueDepth(v cty.Value) error {
	if valueDepth(v, 0) > limits.MaxDepth {
		return fmt.Errorf("the decoded value nests deeper than %d levels; azapply reads no deeper: real ARM bodies nest about a dozen", limits.MaxDepth)
	}
	return nil
}

func valueDepth(v cty.Value, d int) int {
	if d > limits.MaxDepth {
		return d
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		return d
	}
	t := v.Type()
	if !(t.IsObjectType() || t.IsMapType() || t.IsTupleType() || t.IsListType() || t.IsSetType()) {
		return d
	}
	deepest := d + 1
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if n := valueDepth(e, d+1); n > deepest {
			deepest = n
		}
	}
	return deepest
}

// boundedDecode wraps jsondecode or yamldecode: a document that nests
// deeper than limits.MaxDepth is an error before it is decoded (and a
// decoded value that does, through YAML aliases, after), never a body
// that takes the plan's memory or time.
func boundedDecode(f function.Function, isJSON bool) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if err := checkDecodeArg(args, isJSON); err != nil {
				return cty.NilType, function.NewArgError(0, err)
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := checkDecodeArg(args, isJSON); err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			v, err := f.Call(args)
			if err != nil {
				return cty.NilVal, err
			}
			if err := checkValueDepth(v); err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return v, nil
		},
	})
}

func checkDecodeArg(args []cty.Value, isJSON bool) error {
	if len(args) == 0 {
		return nil
	}
	s, _ := args[0].Unmark()
	if !s.IsKnown() || s.IsNull() || s.Type() != cty.String {
		return nil
	}
	if !isJSON {
		return checkYAMLDepth(s.AsString())
	}
	var de *limits.DepthError
	if err := limits.CheckJSON([]byte(s.AsString())); errors.As(err, &de) {
		return fmt.Errorf("the JSON document %s", de.Error())
	}
	return nil
}
