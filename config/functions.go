package config

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions returns the functions available to expressions: go-cty's
// standard library under Terraform's names, plus file, templatefile,
// yamldecode, base64, sha256, cidrsubnet, try and can. File paths are
// relative to the configuration directory. There is no timestamp or uuid:
// a value that changes on every run would be a change in every plan. No
// function's error quotes a sensitive argument (sensitivefuncs.go).
func functions(dir string) map[string]function.Function {
	fns := plainFunctions(dir)
	hideSecretsInErrors(fns)
	return fns
}

// plainFunctions are the functions before hideSecretsInErrors wraps them.
func plainFunctions(dir string) map[string]function.Function {
	fns := map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"base64decode":    base64DecodeFunc,
		"base64encode":    base64EncodeFunc,
		"can":             tryfunc.CanFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"cidrsubnet":      cidrSubnetFunc,
		"coalesce":        coalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"endswith":        endsWithFunc,
		"file":            fileFunc(dir),
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"index":           stdlib.IndexFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      boundedDecode(stdlib.JSONDecodeFunc, true),
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          lengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          lookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"nonsensitive":    nonsensitiveFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"replace":         replaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"sha256":          sha256Func,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"startswith":      startsWithFunc,
		"strlen":          stdlib.StrlenFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"try":             tryfunc.TryFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"yamldecode":      boundedDecode(ctyyaml.YAMLDecodeFunc, false),
		"yamlencode":      ctyyaml.YAMLEncodeFunc,
		"zipmap":          stdlib.ZipmapFunc,
	}
	// templatefile's templates may call every function but itself.
	fns["templatefile"] = templateFileFunc(dir, fns)
	return fns
}

func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := os.ReadFile(resolve(dir, args[0].AsString()))
			if err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %s (paths are relative to the configuration directory): %w", args[0].AsString(), err)
			}
			if !utf8.Valid(b) {
				return cty.NilVal, fmt.Errorf("%s is not UTF-8 text; for binary files use base64 outside azapply", args[0].AsString())
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// templateFileFunc renders a file as an HCL template (${...} and %{...})
// with the given variables.
func templateFileFunc(dir string, fns map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			src, err := os.ReadFile(resolve(dir, name))
			if err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %s (paths are relative to the configuration directory): %w", name, err)
			}
			if d := checkNesting(src, name, false); d.HasErrors() {
				return cty.NilVal, fmt.Errorf("template %s: %s", name, d[0].Detail)
			}
			expr, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, fmt.Errorf("template %s: %s", name, diags.Error())
			}
			vars := args[1]
			if vars.IsNull() || !(vars.Type().IsObjectType() || vars.Type().IsMapType()) {
				return cty.NilVal, fmt.Errorf("templatefile's second argument is an object of the template's variables, like { name = \"x\" }")
			}
			ctx := &hcl.EvalContext{Variables: vars.AsValueMap(), Functions: fns}
			v, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.NilVal, fmt.Errorf("template %s: %s", name, diags.Error())
			}
			return v, nil
		},
	})
}

var base64EncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var base64DecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("not valid base64: %w", err)
		}
		if !utf8.Valid(b) {
			return cty.NilVal, fmt.Errorf("the decoded bytes are not UTF-8 text")
		}
		return cty.StringVal(string(b)), nil
	},
})

var sha256Func = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sum := sha256.Sum256([]byte(args[0].AsString()))
		return cty.StringVal(hex.EncodeToString(sum[:])), nil
	},
})

var startsWithFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.HasPrefix(args[0].AsString(), args[1].AsString())), nil
	},
})

var endsWithFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "suffix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.HasSuffix(args[0].AsString(), args[1].AsString())), nil
	},
})

// replaceFunc is Terraform's replace: a substring, or a regular expression
// when the search string is written /like this/.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, sub, rep := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return cty.NilVal, fmt.Errorf("invalid regular expression %s: %w", sub, err)
			}
			return cty.StringVal(re.ReplaceAllString(str, rep)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, sub, rep)), nil
	},
})

// cidrSubnetFunc is Terraform's cidrsubnet(prefix, newbits, netnum): the
// netnum-th subnet of prefix that is newbits longer.
var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, err := cidrSubnet(args[0].AsString(), args[1].AsBigFloat(), args[2].AsBigFloat())
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(s), nil
	},
})

func cidrSubnet(prefix string, newbitsF, netnumF *big.Float) (string, error) {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return "", fmt.Errorf("invalid CIDR prefix %q: %w", prefix, err)
	}
	p = p.Masked()
	if !newbitsF.IsInt() || !netnumF.IsInt() || newbitsF.Sign() < 0 || netnumF.Sign() < 0 {
		return "", fmt.Errorf("newbits and netnum must be whole numbers, 0 or more")
	}
	newbits, _ := newbitsF.Int64()
	netnum, _ := netnumF.Int(nil)
	total := int64(p.Addr().BitLen())
	length := int64(p.Bits()) + newbits
	if length > total {
		return "", fmt.Errorf("%s has %d bits of prefix; adding %d makes %d, more than the %d an address has", prefix, p.Bits(), newbits, length, total)
	}
	if netnum.BitLen() > int(newbits) {
		return "", fmt.Errorf("netnum %s does not fit in %d new bits (the largest is %d subnets)", netnum, newbits, new(big.Int).Lsh(big.NewInt(1), uint(newbits)))
	}
	addr := new(big.Int).SetBytes(p.Addr().AsSlice())
	addr.Or(addr, new(big.Int).Lsh(netnum, uint(total-length)))
	b := addr.FillBytes(make([]byte, total/8))
	out, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(out, int(length)).String(), nil
}

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string.
var coalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{
		Name: "vals", Type: cty.DynamicPseudoType,
		AllowNull: true, AllowUnknown: true, AllowDynamicType: true,
	},
	Type: function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.DynamicVal, nil
			}
			if a.IsNull() || a.Type() == cty.String && a.AsString() == "" {
				continue
			}
			return a, nil
		}
		return cty.NilVal, fmt.Errorf("every argument is null or empty")
	},
})

// lengthFunc is Terraform's length: of a collection, or of a string (in
// characters).
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
		AllowDynamicType: true, AllowUnknown: true,
	}},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

// lookupFunc is Terraform's lookup: lookup(map, key, default), where the
// default may be left out when the key must be there.
var lookupFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType},
		{Name: "key", Type: cty.String},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, fmt.Errorf("lookup takes a map, a key and an optional default")
		}
		if len(args) == 3 {
			return stdlib.LookupFunc.ReturnTypeForValues(args)
		}
		return cty.DynamicPseudoType, nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) == 3 {
			return stdlib.LookupFunc.Call(args)
		}
		m, key := args[0], args[1].AsString()
		t := m.Type()
		switch {
		case t.IsObjectType():
			if t.HasAttribute(key) {
				return m.GetAttr(key), nil
			}
		case t.IsMapType():
			if !m.IsKnown() {
				return cty.UnknownVal(t.ElementType()), nil
			}
			if m.HasIndex(cty.StringVal(key)).True() {
				return m.Index(cty.StringVal(key)), nil
			}
		default:
			return cty.NilVal, fmt.Errorf("lookup takes a map or an object, not %s", t.FriendlyName())
		}
		return cty.NilVal, fmt.Errorf("there is no key %q; give lookup a default as its third argument", key)
	},
})
