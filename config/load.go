package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// LoadOptions are the inputs to Load that do not come from the files.
type LoadOptions struct {
	// Vars are --var name=value pairs; they win over everything else.
	Vars map[string]string
	// Args are --var and --var-file as given on the command line, in order:
	// a later one wins over an earlier one.
	Args []VarArg
	// Env is the environment as os.Environ gives it; AZAPPLY_VAR_name=value
	// sets variable name. Nil means no environment variables are read.
	Env []string
	// UnknownMissingVars gives required variables that have no value an
	// unknown value instead of reporting them, and accepts the values that
	// are unknown because of them: `azapply validate` checks a
	// configuration "regardless of the variables", as Terraform's does. A
	// Config loaded so is for checking only: EvaluateAll refuses it.
	UnknownMissingVars bool
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
	// Locals are the evaluated local values that do not refer to resources,
	// data or actions (those are evaluated by Evaluate).
	Locals map[string]cty.Value
	// Resources are the resource blocks in file order.
	Resources []*Resource
	// Data and Actions are the data and action blocks in file order.
	Data, Actions []*Resource
	// Outputs are the output blocks in file order, the root's and every
	// module instance's (see OutputBlock.Module).
	Outputs []*OutputBlock
	// Backend is the azapply { backend "TYPE" { ... } } block; nil means the
	// local backend at azapply.state.json.
	Backend *Backend
	// Imports are the import { to = ..., id = ... } blocks.
	Imports []*Import
	// Removed are the removed { from = ..., destroy = false } blocks.
	Removed []*Removed
	// Moved are the moved { from = ..., to = ... } blocks, in file order.
	Moved []*Moved

	parser *hclparse.Parser
	// modules are the module instances by scope (module.app["dev"].);
	// calls the module calls by address; rootCalls the root's calls.
	modules   map[string]*ModuleInstance
	calls     map[string]*ModuleCall
	rootCalls []*ModuleCall
	// modVars are the module instances' variables by address
	// (module.app.var.name); nodeScope is the scope each block, local,
	// output and module variable is evaluated in.
	modVars   map[string]*modVar
	nodeScope map[string]string
	// callRefs are the module calls each node refers to, by name in its
	// scope.
	callRefs map[string][]string
	// staticCtx are the contexts of module calls' for_each, count and
	// arguments at load, by scope.
	staticCtx map[string]*hcl.EvalContext
	// moduleOutputs are the output blocks of module instances by address.
	moduleOutputs map[string]*OutputBlock
	// varFiles are the paths of the variables files read (--var-file and
	// *.auto.hcl), whose source Files leaves out.
	varFiles map[string]bool
	// localExprs are every local value's expression; dynamicLocals are the
	// ones that refer to resources, data or actions, evaluated by Evaluate.
	localExprs    map[string]*hcl.Attribute
	dynamicLocals map[string]bool
	// declared maps the address of every resource, data, action and output
	// block to where it is, including blocks that failed to decode.
	declared map[string]hcl.Range
	// edges are each block's and local's dependencies (graph.go).
	edges map[string][]edge
	// instRefs and repRefs are what each block's and local's expressions
	// refer to, and by which keys (uses.go); blocks are the decoded
	// blocks by address.
	instRefs, repRefs map[string]*refs
	blocks            map[string]*Resource
	// uses are what expressions read of each block they refer to
	// (outputuse.go).
	uses  map[string]refUse
	funcs map[string]function.Function
	// loadErrors says Load reported errors; reported are their ranges, so
	// that EvaluateAll, which still evaluates what it can (for validate),
	// leaves out problems that follow from those.
	loadErrors bool
	reported   []hcl.Range
	// checkOnly says variables may be unknown (UnknownMissingVars).
	checkOnly bool
	// first is Load's evaluation, until EvaluateAll takes it or another
	// evaluation drops it (see firstEvaluation).
	first atomic.Pointer[firstEvaluation]
	// order is every block and local, in an order where each follows what
	// it refers to (see graph.go).
	order []node
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
	// AuxiliaryTenantIDs are the other tenants whose tokens every request
	// carries (x-ms-authorization-auxiliary), for resources that refer to
	// resources in those tenants.
	AuxiliaryTenantIDs []string
	// IgnoreChanges are paths never diffed on any resource (tags that Azure
	// Policy adds, for instance).
	IgnoreChanges []string
	// AdoptExisting lets plan take over a declared resource that exists in
	// Azure but not in the state, instead of refusing.
	AdoptExisting bool
	// Refresh is how plan reads live resources: "resource" (a GET each),
	// "collection" (a verified list per collection), or "" for the default.
	Refresh string
	// Ops are the settings for ARM's refusals (provider_ops.go).
	Ops OpsSettings
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
	From    string
	Destroy bool
	// DeleteUnmanagedContents lets the delete of a resource group that
	// holds resources azapply does not manage go ahead (see
	// Instance.DeleteUnmanagedContents); only with Destroy.
	DeleteUnmanagedContents bool
	DeclRange               hcl.Range
}

// Files returns the parsed files, for printing diagnostics with snippets.
//
// Variables files are left out: they are where secrets are kept, so a
// diagnostic in one gives its file, line and column, never its source.
func (c *Config) Files() map[string]*hcl.File {
	files := c.parser.Files()
	if len(c.varFiles) == 0 {
		return files
	}
	out := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		if !c.varFiles[name] {
			out[name] = f
		}
	}
	return out
}

// Load reads every .hcl and .hcl.json file in dir as one configuration
// (*.auto.hcl and *.auto.hcl.json files are variable files), decodes every
// block, gives the variables their values, evaluates the locals that need
// no resource, checks references and the dependency graph, and evaluates
// every block once with nothing applied (the checks of `azapply validate`;
// no network). The diagnostics hold every problem found, in source order,
// leaving out those that only follow from others. When any is an error the
// Config is returned anyway, so that Files can show snippets, but it must
// not be planned: EvaluateAll then returns an error.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	cfg := &Config{Dir: dir, parser: hclparse.NewParser(), Variables: map[string]*Variable{}}
	cfg.funcs = functions(dir)
	// validate: variables without a value are unknown, from the start.
	cfg.checkOnly = opts.UnknownMissingVars
	names, autoFiles, err := configFiles(dir)
	if err != nil {
		return cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the configuration directory",
			Detail:   fmt.Sprintf("%s. Run azapply in a directory of .hcl files, or point --chdir at one.", err),
		}}
	}
	var diags hcl.Diagnostics
	var bodies []*hcl.BodyContent
	var schemaDiags hcl.Diagnostics
	for _, name := range names {
		var f *hcl.File
		var d hcl.Diagnostics
		isJSON := strings.HasSuffix(name, ".json")
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read a configuration file", Detail: err.Error()})
			continue
		}
		if d := checkNesting(src, name, isJSON); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		if isJSON {
			f, d = cfg.parser.ParseJSON(src, name)
		} else {
			f, d = cfg.parser.ParseHCL(src, name)
		}
		diags = append(diags, d...)
		if f == nil || d.HasErrors() {
			continue
		}
		content, d := f.Body.Content(fileSchema)
		schemaDiags = append(schemaDiags, d...)
		bodies = append(bodies, content)
	}
	if diags.HasErrors() {
		// A file that does not parse may declare what the others use: stop
		// here rather than report problems that are not there.
		cfg.loadErrors = true
		return cfg, diags
	}
	diags = append(diags, schemaDiags...)
	diags = append(diags, cfg.decodeBlocks(bodies)...)
	diags = append(diags, cfg.assignVariables(opts, autoFiles)...)
	if !diags.HasErrors() {
		diags = append(diags, cfg.expandModules(cfg.rootCalls, 0)...)
	}
	diags = append(diags, cfg.checkReferences()...)
	diags = append(diags, cfg.evalLocals()...)
	diags = append(diags, cfg.decodeSettings(bodies)...)
	diags = append(diags, cfg.buildOrder()...)
	if diags.HasErrors() {
		cfg.loadErrors = true
		for _, d := range diags {
			if d.Subject != nil {
				cfg.reported = append(cfg.reported, *d.Subject)
			}
		}
	}
	// Evaluate once, with nothing applied and no data read, for the
	// problems only evaluation finds (resource IDs, api-versions, bodies,
	// duplicate IDs, containment cycles): data sources are not read here,
	// so an id made from one is accepted (plan reads them first).
	first, evalDiags := cfg.evaluate(nil, true)
	if opts.UnknownMissingVars {
		evalDiags = dropUnknown(evalDiags)
	}
	if evalDiags.HasErrors() {
		cfg.loadErrors = true
	}
	if first != nil && !first.lenientUsed && !cfg.loadErrors && !cfg.checkOnly {
		cfg.first.Store(&firstEvaluation{ev: first, diags: evalDiags})
	}
	return cfg, mergeInstances(sortDiags(append(addHints(diags), evalDiags...)))
}

// decodeBlocks decodes the root's variable, locals, resource, data,
// action, output and module blocks; the blocks evaluated with variables
// (provider, azapply, import, removed, moved) wait for decodeSettings.
func (c *Config) decodeBlocks(bodies []*hcl.BodyContent) hcl.Diagnostics {
	c.localExprs = map[string]*hcl.Attribute{}
	c.declared = map[string]hcl.Range{}
	c.modules = map[string]*ModuleInstance{}
	c.modVars = map[string]*modVar{}
	c.nodeScope = map[string]string{}
	c.calls = map[string]*ModuleCall{}
	var diags hcl.Diagnostics
	for _, content := range bodies {
		for _, b := range content.Blocks {
			if b.Type != "variable" {
				continue
			}
			v, d := decodeVariable(b)
			diags = append(diags, d...)
			if v == nil {
				continue
			}
			if prev, ok := c.Variables[v.Name]; ok {
				diags = append(diags, duplicate("variable", v.Name, prev.DeclRange, b.DefRange))
				continue
			}
			c.Variables[v.Name] = v
		}
	}
	d, calls := c.decodeScopeBlocks(bodies, "")
	c.rootCalls = calls
	return append(diags, d...)
}

// decodeScopeBlocks decodes the locals, resource, data, action, output and
// module blocks of the root (scope "") or of a module instance, and returns
// its module calls.
func (c *Config) decodeScopeBlocks(bodies []*hcl.BodyContent, scope string) (hcl.Diagnostics, []*ModuleCall) {
	var diags hcl.Diagnostics
	var calls []*ModuleCall
	for _, content := range bodies {
		for _, b := range content.Blocks {
			switch b.Type {
			case "locals":
				attrs, d := b.Body.JustAttributes()
				diags = append(diags, d...)
				for _, a := range sortedAttrs(attrs) {
					addr := scope + "local." + a.Name
					if prev, ok := c.localExprs[addr]; ok {
						diags = append(diags, duplicate("local value", a.Name, prev.NameRange, a.NameRange))
						continue
					}
					c.localExprs[addr] = a
					c.nodeScope[addr] = scope
				}
			case "resource", "data", "action":
				kind := Kind(b.Type)
				addr := scope + b.Type + "." + b.Labels[0]
				if prev, ok := c.declared[addr]; ok {
					diags = append(diags, duplicate(b.Type, b.Labels[0], prev, b.DefRange))
					continue
				}
				c.declared[addr] = b.DefRange
				r, d := decodeBlock(kind, b)
				diags = append(diags, d...)
				if r == nil {
					continue
				}
				r.Module = scope
				c.nodeScope[addr] = scope
				switch kind {
				case KindResource:
					c.Resources = append(c.Resources, r)
				case KindData:
					c.Data = append(c.Data, r)
				case KindAction:
					c.Actions = append(c.Actions, r)
				}
			case "output":
				addr := scope + "output." + b.Labels[0]
				if prev, ok := c.declared[addr]; ok {
					diags = append(diags, duplicate("output", b.Labels[0], prev, b.DefRange))
					continue
				}
				c.declared[addr] = b.DefRange
				o, d := decodeOutput(b)
				diags = append(diags, d...)
				if o != nil {
					o.Module = scope
					c.nodeScope[addr] = scope
					if scope != "" {
						if c.moduleOutputs == nil {
							c.moduleOutputs = map[string]*OutputBlock{}
						}
						c.moduleOutputs[addr] = o
					}
					c.Outputs = append(c.Outputs, o)
				}
			case "module":
				m, d := decodeModuleCall(b, scope)
				diags = append(diags, d...)
				if prev, ok := c.calls[m.Address()]; ok {
					diags = append(diags, duplicate("module", m.Name, prev.DeclRange, b.DefRange))
					continue
				}
				c.calls[m.Address()] = m
				calls = append(calls, m)
			}
		}
	}
	return diags, calls
}

// decodeSettings decodes the blocks whose attributes may use variables and
// locals: provider, azapply, import and removed.
func (c *Config) decodeSettings(bodies []*hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	var providerBlock, azapplyBlock *hcl.Block
	for _, content := range bodies {
		for _, b := range content.Blocks {
			switch b.Type {
			case "provider":
				if providerBlock != nil {
					diags = append(diags, duplicate("provider block", "", providerBlock.DefRange, b.DefRange))
					continue
				}
				providerBlock = b
				diags = append(diags, c.decodeProvider(b)...)
			case "azapply":
				if azapplyBlock != nil {
					diags = append(diags, duplicate("azapply block", "", azapplyBlock.DefRange, b.DefRange))
					continue
				}
				azapplyBlock = b
				diags = append(diags, c.decodeAzapply(b)...)
			case "import":
				diags = append(diags, c.decodeImport(b)...)
			case "removed":
				diags = append(diags, c.decodeRemoved(b)...)
			case "moved":
				diags = append(diags, c.decodeMoved(b)...)
			}
		}
	}
	diags = append(diags, c.checkImportsAndRemoved()...)
	diags = append(diags, c.checkMoved()...)
	return diags
}

// checkImportsAndRemoved checks that import blocks name declared resources,
// removed blocks name resources no longer declared, and neither repeats.
func (c *Config) checkImportsAndRemoved() hcl.Diagnostics {
	var diags hcl.Diagnostics
	to := map[string]hcl.Range{}
	for _, im := range c.Imports {
		block, _ := SplitAddress(im.To)
		if _, ok := c.declared[block]; !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Import into an undeclared resource",
				Detail:   fmt.Sprintf("import names %s, but no resource block declares it. Declare the resource it adopts, with the body you want it to have.", im.To),
				Subject:  im.DeclRange.Ptr(),
			})
		}
		if prev, ok := to[strings.ToLower(im.To)]; ok {
			diags = append(diags, duplicate("import of", im.To, prev, im.DeclRange))
		}
		to[strings.ToLower(im.To)] = im.DeclRange
	}
	from := map[string]hcl.Range{}
	for _, rm := range c.Removed {
		block, _ := SplitAddress(rm.From)
		if decl, ok := c.declared[block]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Removed resource is still declared",
				Detail:   fmt.Sprintf("removed names %s, which is still declared at %s. Delete the resource block, or this removed block.", rm.From, decl),
				Subject:  rm.DeclRange.Ptr(),
			})
		}
		if prev, ok := from[rm.From]; ok {
			diags = append(diags, duplicate("removed block for", rm.From, prev, rm.DeclRange))
		}
		from[rm.From] = rm.DeclRange
	}
	return diags
}

// configFiles lists the configuration files of dir (.hcl and .hcl.json) and
// its variable files (.auto.hcl, .auto.hcl.json), each in name order.
func configFiles(dir string) (config, auto []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") {
			continue
		}
		switch {
		case strings.HasSuffix(n, ".auto.hcl"), strings.HasSuffix(n, ".auto.hcl.json"):
			auto = append(auto, filepath.Join(dir, n))
		case strings.HasSuffix(n, ".hcl"), strings.HasSuffix(n, ".hcl.json"):
			config = append(config, filepath.Join(dir, n))
		}
	}
	sort.Strings(config)
	sort.Strings(auto)
	if len(config) == 0 {
		return nil, nil, fmt.Errorf("%s has no .hcl files", dir)
	}
	return config, auto, nil
}

func duplicate(what, name string, first, second hcl.Range) *hcl.Diagnostic {
	label := what
	if name != "" {
		label = fmt.Sprintf("%s %q", what, name)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + what,
		Detail:   fmt.Sprintf("The %s was already declared at %s. Each may be declared once in a configuration: rename or remove one.", label, first),
		Subject:  second.Ptr(),
	}
}
