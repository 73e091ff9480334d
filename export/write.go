package export

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/azapply/azapply/arm/armid"
)

// Names of the files every export writes beside the resources' files.
const (
	ProviderFile  = "provider.hcl"
	VariablesFile = "variables.hcl"
)

// write builds the bodies and the files of the resources.
func write(res []*Resource, o Options) (*Result, error) {
	g := newGraph(res)
	secrets := &secretNames{taken: map[string]bool{}}
	out := &Result{Resources: res, Files: map[string][]byte{}}
	texts := map[string]*strings.Builder{}
	var order []string
	for _, r := range res {
		r.Body = withoutServiceOwned(r.Type, r.Live)
		r.Body = withoutInlineChildren(r, g)
		r.Omitted = omitMasked(r)
		found := secretsOf(r, secrets, o.Known)
		out.Secrets = append(out.Secrets, found...)
		r.File = fileFor(r, o.SplitByType)
		b, ok := texts[r.File]
		if !ok {
			b = &strings.Builder{}
			texts[r.File] = b
			order = append(order, r.File)
		}
		w := &bodyWriter{g: g, self: r, secrets: found}
		writeResource(b, r, w)
	}
	for _, name := range order {
		src, err := finish(name, texts[name].String())
		if err != nil {
			return nil, err
		}
		out.Files[name] = src
	}
	var p strings.Builder
	p.WriteString("provider {\n")
	for _, a := range o.Provider {
		fmt.Fprintf(&p, "  %s = %s\n", a.Name, quote(a.Value))
	}
	p.WriteString("}\n")
	src, err := finish(ProviderFile, p.String())
	if err != nil {
		return nil, err
	}
	out.Files[ProviderFile] = src
	if len(out.Secrets) > 0 {
		var v strings.Builder
		v.WriteString("# Values that look secret, read from Azure and never written here: give\n# each one with --var NAME=VALUE or AZAPPLY_VAR_NAME before plan.\n")
		for _, s := range out.Secrets {
			fmt.Fprintf(&v, "\nvariable %s {\n  description = %s\n  type = string\n  sensitive = true\n}\n",
				quote(s.Variable), quote(s.Path+" of "+s.Resource))
		}
		src, err := finish(VariablesFile, v.String())
		if err != nil {
			return nil, err
		}
		out.Files[VariablesFile] = src
	}
	return out, nil
}

// finish checks that src parses and formats it as azapply fmt does.
func finish(name, src string) ([]byte, error) {
	if _, diags := hclwrite.ParseConfig([]byte(src), name, hcl.InitialPos); diags.HasErrors() {
		return nil, fmt.Errorf("export wrote %s that does not parse (a bug): %s", name, diags.Error())
	}
	return hclwrite.Format([]byte(src)), nil
}

// fileFor is the file a resource is written in: its group's, else the
// subscription's or the tenant's; with byType, its top-level type's.
func fileFor(r *Resource, byType bool) string {
	id := armid.MustParse(r.ID)
	if byType {
		typ := r.Type
		if parts := strings.Split(typ, "/"); len(parts) > 2 {
			typ = parts[0] + "/" + parts[1]
		}
		return identifier(strings.NewReplacer("/", "_", ".", "_").Replace(typ)) + ".hcl"
	}
	name := "tenant"
	switch {
	case id.ResourceGroup() != "":
		name = identifier(id.ResourceGroup())
	case id.SubscriptionID() != "":
		name = "subscription"
	}
	if f := name + ".hcl"; f == ProviderFile || f == VariablesFile {
		name = "rg_" + name
	}
	return name + ".hcl"
}

func writeResource(b *strings.Builder, r *Resource, w *bodyWriter) {
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "import {\n  to = resource.%s\n  id = %s\n}\n\n", r.Name, quote(r.ID))
	fmt.Fprintf(b, "resource %s {\n  id = %s\n  api_version = %s\n", quote(r.Name), w.ownID(), quote(r.APIVersion))
	for _, p := range r.Omitted {
		fmt.Fprintf(b, "  # %s\n", p)
	}
	b.WriteString("  body = ")
	w.value(b, nil, r.Body, 1)
	b.WriteString("\n}\n")
}

// bodyWriter writes a resource's body as an HCL expression: references
// for the IDs of other exported resources, variables for secrets.
type bodyWriter struct {
	g       *graph
	self    *Resource
	secrets []Secret
}

// ownID is the expression of the resource's id: on its nearest exported
// ancestor when there is one.
func (w *bodyWriter) ownID() string {
	if a := w.g.ancestor(w.self); a != nil {
		return template(a.Name, w.self.ID[len(a.ID):])
	}
	return quote(w.self.ID)
}

func (w *bodyWriter) value(b *strings.Builder, path []string, v any, depth int) {
	ind := strings.Repeat("  ", depth+1)
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{\n")
		for _, k := range keys {
			b.WriteString(ind + objectKey(k) + " = ")
			w.value(b, append(path[:len(path):len(path)], k), v[k], depth+1)
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat("  ", depth) + "}")
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v {
			b.WriteString(ind)
			w.value(b, append(path[:len(path):len(path)], fmt.Sprintf("[%d]", i)), e, depth+1)
			b.WriteString(",\n")
		}
		b.WriteString(strings.Repeat("  ", depth) + "]")
	case string:
		p := joinPath(path)
		for _, s := range w.secrets {
			if s.Path == p {
				b.WriteString("var." + s.Variable)
				return
			}
		}
		if ref := w.g.reference(w.self, v); ref != "" {
			b.WriteString(ref)
			return
		}
		b.WriteString(quote(v))
	case json.Number:
		b.WriteString(v.String())
	case float64, int, int64:
		fmt.Fprint(b, v)
	case bool:
		fmt.Fprint(b, v)
	case nil:
		b.WriteString("null")
	default:
		// A decoded JSON body holds nothing else.
		data, _ := json.Marshal(v)
		b.WriteString(quote(string(data)))
	}
}

// objectKey writes a key bare when it is an identifier HCL would not read
// as something else, quoted otherwise.
func objectKey(k string) string {
	if hclsyntax.ValidIdentifier(k) {
		switch k {
		case "true", "false", "null", "for", "if", "in", "endfor", "endif":
		default:
			return k
		}
	}
	return quote(k)
}

// quote is s as an HCL string literal (with ${ and %{ escaped).
func quote(s string) string {
	return strings.TrimSpace(string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes()))
}

// template is "${resource.NAME.id}rest".
func template(name, rest string) string {
	if rest == "" {
		return "resource." + name + ".id"
	}
	q := quote(rest)
	return `"${resource.` + name + `.id}` + q[1:]
}
