package config

import (
	"fmt"
	"sort"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// TestHidingFuncsAnswerAsTheFunctions: every wrapped function gives what
// the function itself gives, value, type, marks and error, for arguments of
// every kind (known, unknown, null, marked, of the wrong type), so that
// hiding secrets in errors changes nothing else. Its return type is worked
// out by the function's own Call, not twice.
func TestHidingFuncsAnswerAsTheFunctions(t *testing.T) {
	dir := t.TempDir()
	plain, wrapped := plainFunctions(dir), functions(dir)
	samples := []cty.Value{
		cty.StringVal("abc"), cty.StringVal("10.0.0.0/16"), cty.StringVal(`{"a":1}`), cty.StringVal("a: 1"),
		cty.NumberIntVal(3), cty.NumberFloatVal(-2.5), cty.True,
		cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
		cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("y")}),
		cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.NumberIntVal(2)}),
		cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
		cty.UnknownVal(cty.String), cty.UnknownVal(cty.Number), cty.DynamicVal,
		cty.NullVal(cty.String), cty.StringVal("s3cret").Mark(SensitiveMark),
		cty.ObjectVal(map[string]cty.Value{"p": cty.StringVal("hunter22").Mark(SensitiveMark)}),
	}
	names := make([]string, 0, len(plain))
	for name := range plain {
		if name != "try" && name != "can" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	calls := 0
	for _, name := range names {
		p, w := plain[name], wrapped[name]
		arity := len(p.Params())
		if p.VarParam() != nil {
			arity++
		}
		for i := range 40 {
			// As HCL calls a function: each argument converted to its
			// parameter's type first (a call it cannot convert is not made).
			args := make([]cty.Value, arity)
			convertible := true
			for j := range args {
				param := p.VarParam()
				if j < len(p.Params()) {
					param = &p.Params()[j]
				}
				v, err := convert.Convert(samples[(i*7+j*5+len(name))%len(samples)], param.Type)
				args[j], convertible = v, convertible && err == nil
			}
			if !convertible {
				continue
			}
			want, werr := call(p, args)
			got, gerr := call(w, args)
			calls++
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s%v: error %v, the function's %v", name, args, gerr, werr)
			}
			if werr != nil {
				if !args[0].ContainsMarked() && (len(args) < 2 || !args[1].ContainsMarked()) && gerr.Error() != werr.Error() {
					t.Fatalf("%s%v: error %q, the function's %q", name, args, gerr, werr)
				}
				continue
			}
			if !got.RawEquals(want) {
				t.Fatalf("%s%v = %#v, the function gives %#v", name, args, got, want)
			}
		}
	}
	t.Logf("%d calls of %d functions compared", calls, len(names))
}

// call is fn.Call, with a panic (a function given what it cannot take)
// as an error.
func call(fn function.Function, args []cty.Value) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn.Call(args)
}
