package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Variable is a declared input variable.
type Variable struct {
	Name        string
	Description string
	// Type is the declared type constraint; cty.DynamicPseudoType when none.
	Type cty.Type
	// Default is cty.NilVal when the variable is required.
	Default cty.Value
	// Value is the final value after defaults and --var. A sensitive
	// variable's value carries SensitiveMark.
	Value cty.Value
	// Sensitive variables are never printed; every value computed from
	// them is sensitive too.
	Sensitive bool
	// Source says where Value came from: "default", "--var", a file name,
	// or "environment variable AZAPPLY_VAR_name".
	Source    string
	DeclRange hcl.Range

	validations []validation
	// defaults are the optional(..., default) values of an object type.
	defaults *typeexpr.Defaults
}

// convert converts a given value to the variable's type, filling in the
// defaults of optional object attributes first.
func (v *Variable) convert(val cty.Value) (cty.Value, error) {
	if v.defaults != nil {
		val = v.defaults.Apply(val)
	}
	return convert.Convert(val, v.Type)
}

type validation struct {
	condition, message hcl.Expression
}

// VarArg is one --var name=value or --var-file FILE, in command-line order.
type VarArg struct {
	// Name and Value are a --var; File is a --var-file (HCL, or JSON when it
	// ends in .json).
	Name, Value string
	File        string
}

// EnvVarPrefix starts the environment variables that set variables:
// AZAPPLY_VAR_location=westus sets var.location.
const EnvVarPrefix = "AZAPPLY_VAR_"

func decodeVariable(b *hcl.Block) (*Variable, hcl.Diagnostics) {
	content, diags := b.Body.Content(variableSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	v := &Variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	if !validName(v.Name) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", v.Name),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	if a, ok := content.Attributes["type"]; ok {
		t, defaults, d := typeexpr.TypeConstraintWithDefaults(a.Expr)
		if d.HasErrors() {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable type",
				Detail:   "type is a type constraint such as string, number, bool, list(string), map(string) or object({ name = string, size = optional(number, 1) }), written without quotes.",
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		v.Type, v.defaults = t, defaults
	}
	if a, ok := content.Attributes["description"]; ok {
		s, d := evalString(a.Expr, nil, "description")
		diags = append(diags, d...)
		v.Description = s
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		s, d := evalBool(a, nil)
		diags = append(diags, d...)
		v.Sensitive = s
	}
	if a, ok := content.Attributes["default"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			return nil, diags
		}
		conv, err := v.convert(val)
		if err != nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid default value for variable",
				Detail:   fmt.Sprintf("The default of variable %q does not fit its type %s: %s.", v.Name, typeexpr.TypeString(v.Type), err),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		v.Default = conv
	}
	for _, vb := range content.Blocks {
		vc, d := vb.Body.Content(validationSchema)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		v.validations = append(v.validations, validation{
			condition: vc.Attributes["condition"].Expr,
			message:   vc.Attributes["error_message"].Expr,
		})
	}
	return v, diags
}

// assignVariables gives every variable its value, in Terraform's order of
// precedence, later winning: the default, AZAPPLY_VAR_ environment
// variables, *.auto.hcl files (in name order), then --var and --var-file in
// command-line order (and LoadOptions.Vars last).
func (c *Config) assignVariables(opts LoadOptions, autoFiles []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	set := func(name string, val cty.Value, source string) {
		if v, ok := c.Variables[name]; ok {
			v.Value, v.Source = val, source
		}
	}
	// failed stands an unknown in for a variable whose given value was
	// wrong, so that it is not also reported as missing.
	failed := func(name, source string) { set(name, cty.DynamicVal, source) }
	env := map[string]string{}
	for _, kv := range opts.Env {
		k, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvVarPrefix) {
			env[strings.TrimPrefix(k, EnvVarPrefix)] = val
		}
	}
	for _, name := range sortedKeys(env) {
		v, ok := c.Variables[name]
		if !ok {
			continue // like Terraform: the environment may hold values for other stacks
		}
		src := "environment variable " + EnvVarPrefix + name
		val, d := parseVarValue(src, env[name], v)
		diags = append(diags, d...)
		if d.HasErrors() {
			failed(name, src)
		} else {
			set(name, val, src)
		}
	}
	for _, f := range autoFiles {
		diags = append(diags, c.readVarFile(f, set)...)
	}
	args := append([]VarArg{}, opts.Args...)
	for _, name := range sortedKeys(opts.Vars) {
		args = append(args, VarArg{Name: name, Value: opts.Vars[name]})
	}
	for _, a := range args {
		if a.File != "" {
			diags = append(diags, c.readVarFile(a.File, set)...)
			continue
		}
		v, ok := c.Variables[a.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("--var sets %q, but no variable block declares it. Declare it with variable %q {} or fix the name%s.", a.Name, a.Name, c.suggestVariable(a.Name)),
			})
			continue
		}
		src := "--var " + a.Name
		val, d := parseVarValue(src, a.Value, v)
		diags = append(diags, d...)
		if d.HasErrors() {
			failed(a.Name, src)
		} else {
			set(a.Name, val, "--var")
		}
	}
	for _, name := range sortedKeys(c.Variables) {
		v := c.Variables[name]
		if v.Value == cty.NilVal {
			if v.Default == cty.NilVal && opts.UnknownMissingVars {
				v.Value, v.Source = cty.UnknownVal(v.Type), "not set"
				continue
			}
			if v.Default == cty.NilVal {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "No value for required variable",
					Detail:   fmt.Sprintf("Variable %q has no default. Give it a value with --var %s=VALUE, in a --var-file or *.auto.hcl file, or with the environment variable %s%s.", v.Name, v.Name, EnvVarPrefix, v.Name),
					Subject:  v.DeclRange.Ptr(),
				})
				v.Value = cty.DynamicVal // so that evaluation can go on
				continue
			}
			v.Value, v.Source = v.Default, "default"
		}
		if v.Sensitive {
			v.Value = v.Value.Mark(SensitiveMark)
		}
	}
	return append(diags, c.checkValidations()...)
}

// readVarFile reads name = value pairs from an HCL or JSON file.
func (c *Config) readVarFile(path string, set func(string, cty.Value, string)) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read variables file",
			Detail:   fmt.Sprintf("%s. Check the path given to --var-file (it is relative to the current directory).", err),
		}}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if c.varFiles == nil {
		c.varFiles = map[string]bool{}
	}
	c.varFiles[path] = true
	if d := checkNesting(src, path, strings.HasSuffix(path, ".json")); d.HasErrors() {
		return d
	}
	if strings.HasSuffix(path, ".json") {
		f, diags = c.parser.ParseJSON(src, path)
	} else {
		f, diags = c.parser.ParseHCL(src, path)
	}
	if diags.HasErrors() {
		return diags
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		for _, d := range diags {
			d.Detail += " A variables file holds only name = value lines."
		}
		return diags
	}
	for _, a := range sortedAttrs(attrs) {
		v, ok := c.Variables[a.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("%s sets %q, but no variable block declares it; the value is ignored%s.", filepath.Base(path), a.Name, c.suggestVariable(a.Name)),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		val, d := a.Expr.Value(nil)
		if d.HasErrors() {
			set(a.Name, cty.DynamicVal, path)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value in variables file",
				Detail:   "A variables file holds literal values only: no references to other variables, resources or functions.",
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		conv, err := v.convert(val)
		if err != nil {
			set(a.Name, cty.DynamicVal, path)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("Variable %q is of type %s: %s.", a.Name, typeexpr.TypeString(v.Type), err),
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		set(a.Name, conv, path)
	}
	return diags
}

// checkValidations runs every variable's validation blocks.
func (c *Config) checkValidations() hcl.Diagnostics {
	var diags hcl.Diagnostics
	ctx := c.varContext()
	for _, name := range sortedKeys(c.Variables) {
		v := c.Variables[name]
		if v.Value == cty.NilVal || !v.Value.IsWhollyKnown() {
			continue // already reported as missing or wrong
		}
		for _, val := range v.validations {
			ok, d := val.condition.Value(ctx)
			if d.HasErrors() {
				diags = append(diags, scrub(d)...)
				continue
			}
			ok, _ = ok.Unmark()
			if ok, err := convert.Convert(ok, cty.Bool); err != nil || !ok.IsKnown() || ok.IsNull() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid validation condition",
					Detail:   "condition must be true or false.",
					Subject:  val.condition.Range().Ptr(),
				})
				continue
			}
			if ok.True() {
				continue
			}
			msg, d := val.message.Value(ctx)
			text := "The value is not valid."
			if !d.HasErrors() {
				if msg.ContainsMarked() {
					text = sensitiveMessage
				} else if msg.IsKnown() && !msg.IsNull() && msg.Type() == cty.String {
					text = msg.AsString()
				}
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("var.%s (from %s): %s", v.Name, v.Source, text),
				Subject:  val.condition.Range().Ptr(),
			})
		}
	}
	return diags
}

func (c *Config) suggestVariable(name string) string {
	best := ""
	for n := range c.Variables {
		if strings.EqualFold(n, name) || strings.EqualFold(strings.ReplaceAll(n, "-", "_"), strings.ReplaceAll(name, "-", "_")) {
			best = n
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// parseVarValue reads a --var or environment value: as a string for a
// string (or untyped) variable, else as an HCL expression such as
// ["a","b"] or { k = 1 }.
func parseVarValue(source, raw string, v *Variable) (cty.Value, hcl.Diagnostics) {
	t := v.Type
	if t == cty.String || t == cty.DynamicPseudoType || t.IsPrimitiveType() {
		val, err := convert.Convert(cty.StringVal(raw), t)
		if err == nil {
			return val, nil
		}
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s: the variable is of type %s: %s.", source, typeexpr.TypeString(t), err),
		}}
	}
	if d := checkNesting([]byte(raw), source, false); d.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid value for variable", Detail: d[0].Detail}}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), source, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s: the variable is of type %s, so its value is written in HCL, like [\"a\", \"b\"] or { name = \"x\" }: %s.", source, typeexpr.TypeString(t), diags[0].Summary),
		}}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s: the value must be a literal, with no references or functions.", source),
		}}
	}
	conv, err := v.convert(val)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s: the variable is of type %s: %s.", source, typeexpr.TypeString(t), err),
		}}
	}
	return conv, nil
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Range, out[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}
