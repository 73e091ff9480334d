package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// LoadOptions are the inputs to Load that do not come from the files.
type LoadOptions struct {
	// Vars are --var name=value pairs, as given on the command line.
	Vars map[string]string
}

// Config is a loaded configuration: its blocks, decoded but with resource
// attributes not yet evaluated (see Evaluate).
type Config struct {
	// Dir is the configuration directory.
	Dir string
	// Provider is the provider block, evaluated (it may use variables only).
	Provider Provider
	// Variables are the declared variables with their final values.
	Variables map[string]*Variable
	// Locals are the evaluated local values.
	Locals map[string]cty.Value
	// Resources are the resource blocks in file order.
	Resources []*Resource
	// Backend is the azapply { backend "TYPE" { ... } } block; nil means the
	// local backend at azapply.state.json.
	Backend *Backend
	// Imports are the import { to = ..., id = ... } blocks.
	Imports []*Import
	// Removed are the removed { from = ..., destroy = false } blocks.
	Removed []*Removed

	parser *hclparse.Parser
}

// Provider is the evaluated provider block.
type Provider struct {
	SubscriptionID string
	// Endpoint is "emulator", an https URL, or "" for the cloud's endpoint.
	Endpoint string
	Cloud    string
	// Credentials and clouds (see package arm): Auth is "" (the default
	// chain), "cli", "env", "workload_identity", "managed_identity",
	// "client_secret", "client_certificate" or "username_password".
	Audience              string
	AuthorityHost         string
	MetadataEndpoint      string
	Auth                  string
	TenantID              string
	ClientID              string
	ClientSecret          string
	ClientCertificatePath string
	ClientCertificatePass string
	FederatedTokenFile    string
	Username              string
	Password              string
	// IgnoreChanges are paths never diffed on any resource (tags that Azure
	// Policy adds, for instance).
	IgnoreChanges []string
	// AdoptExisting lets plan take over a declared resource that exists in
	// Azure but not in the state, instead of refusing.
	AdoptExisting bool
	// DeclRange is where the block is, for diagnostics.
	DeclRange hcl.Range
}

// Backend is where the state is kept.
type Backend struct {
	// Type is "local" or "azureblob".
	Type string
	// Path is the local backend's file, relative to the configuration.
	Path string
	// AccountURL, Container and Key locate the azureblob backend's blob.
	AccountURL, Container, Key string
	DeclRange                  hcl.Range
}

// Import adopts an existing Azure resource at a declared address.
type Import struct {
	// To is the address, e.g. resource.registry or resource.subnet["app"].
	To        string
	ID        string
	DeclRange hcl.Range
}

// Removed stops managing the resource at From; Destroy says whether apply
// deletes it in Azure (true) or only forgets it (false).
type Removed struct {
	From      string
	Destroy   bool
	DeclRange hcl.Range
}

// Resource is a resource block as written.
type Resource struct {
	Name       string
	DeclRange  hcl.Range
	ID         hcl.Expression
	APIVersion hcl.Expression
	// Body is nil when the block has no body attribute.
	Body hcl.Expression
	// refs are the names of the resources its expressions refer to.
	refs []string
}

// Address is how plans and state name the resource: resource.NAME.
func (r *Resource) Address() string { return "resource." + r.Name }

// Files returns the parsed files, for printing diagnostics with snippets.
func (c *Config) Files() map[string]*hcl.File { return c.parser.Files() }

// Load reads every .hcl file in dir as one configuration. The diagnostics
// hold every problem found; the Config is nil when any is an error.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	cfg := &Config{Dir: dir, parser: hclparse.NewParser(), Variables: map[string]*Variable{}}
	names, err := configFiles(dir)
	if err != nil {
		return cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the configuration directory",
			Detail:   fmt.Sprintf("%s. Run azapply in a directory of .hcl files, or point --chdir at one.", err),
		}}
	}
	var diags hcl.Diagnostics
	var bodies []*hcl.BodyContent
	for _, name := range names {
		f, d := cfg.parser.ParseHCLFile(name)
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		content, d := f.Body.Content(fileSchema)
		diags = append(diags, d...)
		bodies = append(bodies, content)
	}
	if diags.HasErrors() {
		return cfg, diags
	}
	var providerBlock *hcl.Block
	var localAttrs []*hcl.Attribute
	seen := map[string]hcl.Range{}
	for _, content := range bodies {
		for _, b := range content.Blocks {
			switch b.Type {
			case "provider":
				if providerBlock != nil {
					diags = append(diags, duplicate("provider block", "", providerBlock.DefRange, b.DefRange))
					continue
				}
				providerBlock = b
			case "variable":
				v, d := decodeVariable(b)
				diags = append(diags, d...)
				if v == nil {
					continue
				}
				if prev, ok := cfg.Variables[v.Name]; ok {
					diags = append(diags, duplicate("variable", v.Name, prev.DeclRange, b.DefRange))
					continue
				}
				cfg.Variables[v.Name] = v
			case "locals":
				attrs, d := b.Body.JustAttributes()
				diags = append(diags, d...)
				for _, a := range attrs {
					localAttrs = append(localAttrs, a)
				}
			case "resource":
				r, d := decodeResource(b)
				diags = append(diags, d...)
				if r == nil {
					continue
				}
				if prev, ok := seen[r.Name]; ok {
					diags = append(diags, duplicate("resource", r.Name, prev, b.DefRange))
					continue
				}
				seen[r.Name] = b.DefRange
				cfg.Resources = append(cfg.Resources, r)
			}
		}
	}
	diags = append(diags, cfg.assignVariables(opts.Vars)...)
	if diags.HasErrors() {
		return cfg, diags
	}
	diags = append(diags, cfg.evalLocals(localAttrs)...)
	if providerBlock != nil {
		diags = append(diags, cfg.decodeProvider(providerBlock)...)
	}
	diags = append(diags, cfg.checkReferences()...)
	return cfg, diags
}

// configFiles lists the .hcl files of dir in a stable order.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		names = append(names, filepath.Join(dir, e.Name()))
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s has no .hcl files", dir)
	}
	return names, nil
}

func decodeResource(b *hcl.Block) (*Resource, hcl.Diagnostics) {
	content, diags := b.Body.Content(resourceSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	r := &Resource{Name: b.Labels[0], DeclRange: b.DefRange}
	if !hclsyntaxValidName(r.Name) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid resource name",
			Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", r.Name),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	r.ID = content.Attributes["id"].Expr
	r.APIVersion = content.Attributes["api_version"].Expr
	if a, ok := content.Attributes["body"]; ok {
		r.Body = a.Expr
	}
	return r, diags
}

func (c *Config) decodeProvider(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(providerSchema)
	c.Provider.DeclRange = b.DefRange
	ctx := c.baseContext()
	for name, dst := range map[string]*string{
		"subscription_id": &c.Provider.SubscriptionID,
		"endpoint":        &c.Provider.Endpoint,
		"cloud":           &c.Provider.Cloud,
	} {
		a, ok := content.Attributes[name]
		if !ok {
			continue
		}
		s, d := evalString(a.Expr, ctx, name)
		diags = append(diags, d...)
		*dst = s
	}
	return diags
}

func duplicate(what, name string, first, second hcl.Range) *hcl.Diagnostic {
	label := what
	if name != "" {
		label = fmt.Sprintf("%s %q", what, name)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + what,
		Detail:   fmt.Sprintf("The %s was already declared at %s. Each name may be declared once in a configuration: rename or remove one.", label, first),
		Subject:  second.Ptr(),
	}
}

func hclsyntaxValidName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
