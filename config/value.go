package config

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/azapply/azapply/body"
	"github.com/zclconf/go-cty/cty"
)

// Unknown stands in a JSON-like value for a value not known until apply.
// The body engine owns it, as it compares bodies that hold it.
type Unknown = body.Unknown

// ToJSONValue converts a cty value to the Go values encoding/json produces
// (map[string]any, []any, string, json.Number, bool, nil), with Unknown{} for
// values not yet known.
func ToJSONValue(v cty.Value) any {
	if !v.IsKnown() {
		return Unknown{}
	}
	if v.IsNull() {
		return nil
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		return jsonNumber(v.AsBigFloat())
	case t == cty.Bool:
		return v.True()
	case t.IsObjectType() || t.IsMapType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = ToJSONValue(e)
		}
		return out
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ToJSONValue(e))
		}
		return out
	}
	return Unknown{}
}

// FromJSONValue converts a decoded JSON value into a cty value, so that live
// bodies can be referred to from expressions.
func FromJSONValue(v any) cty.Value {
	switch v := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(v)
	case bool:
		return cty.BoolVal(v)
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 512, big.ToNearestEven)
		if err != nil {
			return cty.StringVal(string(v))
		}
		return cty.NumberVal(f)
	case float64:
		return cty.NumberFloatVal(v)
	case int:
		return cty.NumberIntVal(int64(v))
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal
		}
		attrs := make(map[string]cty.Value, len(v))
		for k, e := range v {
			attrs[k] = FromJSONValue(e)
		}
		return cty.ObjectVal(attrs)
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal
		}
		elems := make([]cty.Value, len(v))
		for i, e := range v {
			elems[i] = FromJSONValue(e)
		}
		return cty.TupleVal(elems)
	}
	return cty.StringVal(fmt.Sprint(v))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonNumber is f as ToJSONValue writes it: f.Text('g', -1). A whole number
// of fewer than seven digits, which 'g' writes as its plain digits, is
// written by strconv: the shortest decimal of a 512-bit float is costly,
// and most numbers in a body are ports, counts and priorities. Negative
// zero keeps its sign, as Text writes it.
func jsonNumber(f *big.Float) json.Number {
	negativeZero := f.Sign() == 0 && f.Signbit()
	if f.IsInt() && !negativeZero {
		if i, acc := f.Int64(); acc == big.Exact && i > -1000000 && i < 1000000 {
			return json.Number(strconv.FormatInt(i, 10))
		}
	}
	return json.Number(f.Text('g', -1))
}
