package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/export"
	"github.com/azapply/azapply/secret"
	"github.com/azapply/azapply/state"
)

type exportOptions struct {
	factory      *Factory
	common       commonFlags
	groups       []string
	ids          []string
	types        []string
	apiVersions  []string
	out          string
	force        bool
	splitByType  bool
	subscription string
}

// NewCmdExport defines azapply export; runF, when a test gives it, runs
// instead of exportRun.
func NewCmdExport(f *Factory, runF func(context.Context, *exportOptions) error) *command {
	o := &exportOptions{factory: f}
	c := newCommand(f, "export", "--out DIR (--resource-group ID | --id ID | --type TYPE)...", "Write the configuration of resources that already exist",
		"Write a configuration for resources that already exist in Azure: a resource block and an\nimport block for each, with its live body less what the service owns, references between\nthem, and a sensitive variable for each value that looks secret. Nothing is changed in\nAzure. The provider block is the one of the configuration in --chdir (or --subscription\nwith the default credentials). Then run 'azapply init' and 'azapply plan' in DIR: the plan\nonly imports.",
		"azapply export --resource-group /subscriptions/SUB/resourceGroups/demo --out adopted")
	fs := c.flags
	// Export reads the configuration only for its provider block, and
	// takes no state lock.
	fs.StringVar(&o.common.chdir, "chdir", ".", "the configuration whose provider block says where to read")
	fs.Var(&varFlag{args: &o.common.vars}, "var", "set a variable of that configuration: --var name=value (repeatable)")
	fs.Var(&varFlag{args: &o.common.vars, file: true}, "var-file", "read variables from an HCL or JSON file of name = value lines (repeatable)")
	fs.BoolVar(&o.common.noColor, "no-color", false, "never print colour codes")
	fs.StringArrayVar(&o.groups, "resource-group", nil, "export a resource group, everything in it and their children: its ID, or its name in the provider's subscription (repeatable)")
	fs.StringArrayVar(&o.ids, "id", nil, "export the resource with this ID and its children (repeatable)")
	fs.StringArrayVar(&o.types, "type", nil, "export every resource of this type in the subscription, with their children, e.g. Microsoft.Network/virtualNetworks (repeatable)")
	fs.StringArrayVar(&o.apiVersions, "api-version", nil, "write a type with this api-version: TYPE=VERSION (repeatable; default: the newest stable version its provider registration lists)")
	fs.StringVar(&o.out, "out", "", "the directory to write the configuration in (required)")
	fs.BoolVar(&o.force, "force", false, "overwrite files that already exist in --out")
	fs.BoolVar(&o.splitByType, "split-by-type", false, "write one file per resource type instead of one per resource group")
	fs.StringVar(&o.subscription, "subscription", "", "the subscription ID, when --chdir holds no configuration with a provider block")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("export takes no arguments (got %q): name what to export with --resource-group, --id or --type", args)
		}
		if o.out == "" {
			return errors.New("--out DIR is required: the directory to write the configuration in")
		}
		if len(o.groups)+len(o.ids)+len(o.types) == 0 {
			return errors.New("say what to export: --resource-group ID, --id ID or --type TYPE")
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return exportRun(ctx, o)
	}
	return c
}

func exportRun(ctx context.Context, o *exportOptions) error {
	versions := map[string]string{}
	for _, a := range o.apiVersions {
		typ, v, ok := strings.Cut(a, "=")
		if !ok || typ == "" || v == "" || !strings.Contains(typ, "/") {
			return fmt.Errorf("--api-version %q: write it as TYPE=VERSION, e.g. Microsoft.Network/virtualNetworks=2024-07-01", a)
		}
		versions[typ] = v
	}
	provider, known, err := exportProvider(ctx, o)
	if err != nil {
		return err
	}
	conn, err := o.factory.Client(ctx, provider, o.common.chdir, arm.ClientOptions{})
	if err != nil {
		return err
	}
	// The export only reads: the emulator's world is not saved back.
	groups := make([]string, len(o.groups))
	for i, g := range o.groups {
		if !strings.HasPrefix(g, "/") {
			g = "/subscriptions/" + provider.SubscriptionID + "/resourceGroups/" + g
		}
		groups[i] = g
	}
	res, err := export.Export(ctx, conn.client, export.Options{
		Subscription: provider.SubscriptionID, ResourceGroups: groups, IDs: o.ids, Types: o.types,
		APIVersions: versions, SplitByType: o.splitByType, Provider: providerAttributes(provider),
		Known: known.holds,
	})
	if err != nil {
		return err
	}
	if err := writeExport(o, provider, res); err != nil {
		return err
	}
	views.NewExport(viewStreams(o.factory.IOStreams, o.common.noColor)).Exported(o.out, res)
	return nil
}

// exportProvider is the provider block of the configuration in --chdir,
// or one made of --subscription, with the values of that configuration's
// sensitive variables: export writes a value holding one as a sensitive
// variable.
func exportProvider(ctx context.Context, o *exportOptions) (config.Provider, *knownSecrets, error) {
	known := &knownSecrets{}
	if o.subscription != "" {
		if hasHCL(o.common.chdir) {
			return config.Provider{}, nil, fmt.Errorf("--subscription is for a directory without a configuration; %s has one, whose provider block export uses", o.common.chdir)
		}
		return config.Provider{SubscriptionID: o.subscription}, known, nil
	}
	if !hasHCL(o.common.chdir) {
		return config.Provider{}, nil, fmt.Errorf("%s holds no configuration to take the provider block from: run export in a configuration's directory (--chdir), or give --subscription", o.common.chdir)
	}
	cfg, err := loadFiles(o.common)
	if err != nil {
		return config.Provider{}, nil, err
	}
	if cfg.Provider.SubscriptionID == "" {
		return config.Provider{}, nil, fmt.Errorf("the provider block in %s sets no subscription_id: export needs it", o.common.chdir)
	}
	known.values.Add(cfg.SensitiveValues()...)
	// The state of that configuration, where there is one, holds hashes of
	// the secrets it recorded: a value whose hash it holds is one.
	if _, backend, err := loadConfig(ctx, o.factory, o.common); err == nil {
		if st, err := backend.Read(ctx); err == nil && st != nil {
			known.fromState(st)
		}
	}
	return cfg.Provider, known, nil
}

// knownSecrets are the secrets export knows of: the clear values of the
// configuration's sensitive variables, and the salted hashes its state
// recorded in place of secrets.
type knownSecrets struct {
	values secret.Values
	st     *state.State
	hashes map[string]bool
}

// fromState takes the hashes recorded in st.
func (k *knownSecrets) fromState(st *state.State) {
	if st.Salt == "" {
		return // nothing was ever hashed
	}
	k.st, k.hashes = st, map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if state.IsRedacted(v) {
				k.hashes[v] = true
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, r := range st.Resources {
		walk(r.LastApplied)
		walk(r.Output)
	}
}

// holds reports whether v holds a known secret, or is one whose hash the
// state recorded.
func (k *knownSecrets) holds(v string) bool {
	if k.values.Len() > 0 && k.values.Redact(v) != v {
		return true
	}
	return len(k.hashes) > 0 && k.hashes[k.st.HashValue(v)]
}

func hasHCL(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
	return len(m) > 0
}

// providerAttributes are the provider block export writes: where to
// connect, never a credential.
func providerAttributes(p config.Provider) []export.Attribute {
	attrs := []export.Attribute{{Name: "subscription_id", Value: p.SubscriptionID}}
	for _, a := range []export.Attribute{
		{Name: "cloud", Value: p.Cloud}, {Name: "endpoint", Value: p.Endpoint},
		{Name: "metadata_endpoint", Value: p.MetadataEndpoint}, {Name: "audience", Value: p.Audience},
		{Name: "authority_host", Value: p.AuthorityHost},
	} {
		if a.Value != "" {
			attrs = append(attrs, a)
		}
	}
	return attrs
}

// writeExport writes the files, refusing to overwrite any unless --force.
// With the embedded emulator, the world it read is copied beside them
// (when DIR has none), so that the new configuration sees the same
// resources.
func writeExport(o *exportOptions, p config.Provider, res *export.Result) error {
	names := make([]string, 0, len(res.Files))
	for n := range res.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	if !o.force {
		var existing []string
		for _, n := range names {
			if _, err := os.Stat(filepath.Join(o.out, n)); err == nil {
				existing = append(existing, filepath.Join(o.out, n))
			}
		}
		if len(existing) > 0 {
			return fmt.Errorf("%s already exist: nothing was written. Choose another --out, or pass --force to overwrite them", strings.Join(existing, ", "))
		}
	}
	// Everything that can fail is checked before the first file is
	// written: a missing world fails with nothing written.
	world, err := exportWorld(o, p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.out, err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(o.out, n), res.Files[n], 0o644); err != nil {
			return fmt.Errorf("writing the configuration: %w", err)
		}
	}
	if world == nil {
		return nil
	}
	dst := filepath.Join(o.out, ".azapply", "emulator.json")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("copying the emulator's world: %w", err)
	}
	if err := os.WriteFile(dst, world, 0o600); err != nil {
		return fmt.Errorf("copying the emulator's world: %w", err)
	}
	return nil
}

// exportWorld is the embedded emulator's world to copy beside the
// exported files: nil when the provider is no embedded emulator or --out
// has a world already.
func exportWorld(o *exportOptions, p config.Provider) ([]byte, error) {
	if !strings.EqualFold(armSettings(p, os.Getenv).Endpoint, "emulator") {
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(o.out, ".azapply", "emulator.json")); err == nil {
		return nil, nil
	}
	src := filepath.Join(o.common.chdir, ".azapply", "emulator.json")
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("reading the emulator's world to copy beside the configuration (nothing was written): %w", err)
	}
	return data, nil
}
