package export

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// Reader is what export needs of an ARM client: reads only.
type Reader interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
	List(ctx context.Context, collection, apiVersion string, fn func(arm.Page) bool) error
}

// Options say what to export and how to write it.
type Options struct {
	// Subscription is the subscription whose provider registrations give
	// the api-versions, and where Types are listed.
	Subscription string
	// ResourceGroups are resource group IDs: each group, everything in it
	// and their children.
	ResourceGroups []string
	// IDs are resources to export with their children.
	IDs []string
	// Types are resource types (Microsoft.Network/virtualNetworks) whose
	// resources in the subscription are exported with their children.
	Types []string
	// APIVersions name the api-version of a type, by type.
	APIVersions map[string]string
	// SplitByType writes a file per resource type instead of per group.
	SplitByType bool
	// Provider are the provider block's attributes, in order.
	Provider []Attribute
	// Known, when set, reports whether a string holds a secret the run
	// knows (a sensitive variable's value of the configuration export runs
	// in): such a value is written as a sensitive variable whatever its
	// name, as a tag holding a password would otherwise be written out.
	Known func(string) bool
}

// Attribute is a provider block attribute with a string value.
type Attribute struct{ Name, Value string }

// Resource is one exported resource.
type Resource struct {
	// Name is its name in the configuration (resource.NAME).
	Name       string
	ID         string
	Type       string
	APIVersion string
	// Live is the body the GET answered.
	Live map[string]any
	// Body is what the configuration declares: Live less what the service
	// owns, the inline children, masked values and secrets.
	Body map[string]any
	// File is the file it is written in.
	File string
	// Omitted are the paths left out because the service masks them or
	// never returns them.
	Omitted []string
}

// Secret is a value written as a sensitive variable.
type Secret struct {
	Variable string
	Resource string // resource.NAME
	Path     string
}

// Result is what an export wrote.
type Result struct {
	Resources []*Resource
	Secrets   []Secret
	// Files are the files' contents by name.
	Files map[string][]byte
	// Unreadable are the child collections ARM refused to list for want
	// of permission (401, 403): the export is incomplete there, and the
	// command says so.
	Unreadable []Unreadable
}

// Unreadable is a child collection the credential may not list.
type Unreadable struct {
	// Collection is the collection's URL path ({id}/subnets).
	Collection string
	// Type is the child type (Microsoft.Network/virtualNetworks/subnets).
	Type string
	// StatusCode and Code are ARM's answer (403, AuthorizationFailed).
	StatusCode int
	Code       string
}

// Export reads the resources o asks for and writes their configuration.
// Nothing is written to Azure.
func Export(ctx context.Context, r Reader, o Options) (*Result, error) {
	if o.Subscription == "" {
		return nil, errors.New("export needs the subscription ID: set subscription_id in the provider block")
	}
	if len(o.ResourceGroups)+len(o.IDs)+len(o.Types) == 0 {
		return nil, errors.New("say what to export: --resource-group ID, --id ID or --type TYPE")
	}
	overrides := map[string]string{}
	for t, v := range o.APIVersions {
		overrides[strings.ToLower(t)] = v
	}
	e := &exporter{r: r, o: o, regs: &registrations{r: r, sub: o.Subscription, cache: map[string]*registration{}, overrides: overrides},
		found: map[string]*Resource{}}
	if err := e.collect(ctx); err != nil {
		return nil, err
	}
	res := e.sorted()
	if len(res) == 0 {
		return nil, errors.New("found nothing to export")
	}
	n := namer{taken: map[string]bool{}}
	for _, x := range res {
		x.Name = n.name(lastSegment(x.ID), x.Type)
	}
	out, err := write(res, o)
	if err != nil {
		return nil, err
	}
	out.Unreadable = e.unreadable
	sort.Slice(out.Unreadable, func(i, j int) bool {
		return armid.Key(out.Unreadable[i].Collection) < armid.Key(out.Unreadable[j].Collection)
	})
	return out, nil
}

// readers is how many reads an export has in flight at once.
const readers = 8

type exporter struct {
	r    Reader
	o    Options
	regs *registrations
	// sem bounds the requests in flight; wg waits for the reads.
	sem chan struct{}
	wg  sync.WaitGroup

	mu    sync.Mutex
	found map[string]*Resource
	// seen are the IDs being read or read, by armid.Key.
	seen map[string]bool
	// unreadable are the child collections refused for want of
	// permission.
	unreadable []Unreadable
	err        error
}

// collect finds and reads every resource the options name.
func (e *exporter) collect(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.sem = make(chan struct{}, readers)
	e.seen = map[string]bool{}
	roots, err := e.roots(ctx)
	if err != nil {
		return err
	}
	for _, id := range roots {
		e.spawn(ctx, cancel, id)
	}
	e.wg.Wait()
	return e.err
}

// roots lists the resources the options name: the groups and what they
// hold, the IDs, the resources of the types. Their children are found as
// each is read.
func (e *exporter) roots(ctx context.Context) ([]string, error) {
	// Every selection is checked before anything is sent.
	for _, g := range e.o.ResourceGroups {
		if id, err := armid.Parse(g); err != nil || id.ResourceType() != "Microsoft.Resources/resourceGroups" {
			return nil, fmt.Errorf("--resource-group %s is not a resource group ID: write it as /subscriptions/SUB/resourceGroups/NAME", g)
		}
	}
	for _, typ := range e.o.Types {
		if ns, rest, ok := strings.Cut(typ, "/"); !ok || ns == "" || rest == "" || strings.Contains(rest, "/") {
			return nil, fmt.Errorf("--type %s: name a top-level type, such as Microsoft.Network/virtualNetworks", typ)
		}
	}
	for _, id := range e.o.IDs {
		if _, err := armid.Parse(id); err != nil {
			return nil, fmt.Errorf("--id %s: %w", id, err)
		}
	}
	// IDs are sent in their one spelling: a doubled or trailing slash is
	// no new resource.
	var groups []string
	for _, g := range e.o.ResourceGroups {
		groups = append(groups, armid.Canonical(g))
	}
	var roots []string
	for _, id := range e.o.IDs {
		id = armid.Canonical(id)
		p := armid.MustParse(id)
		// A group's children are what it holds: --id of a group is
		// --resource-group.
		if p.ResourceType() == "Microsoft.Resources/resourceGroups" {
			groups = append(groups, id)
			continue
		}
		roots = append(roots, id)
	}
	for _, g := range groups {
		items, err := e.list(ctx, g+"/resources", registrationAPIVersion)
		if err != nil {
			return nil, fmt.Errorf("listing the resources of %s: %w", g, err)
		}
		roots = append(append(roots, g), items...)
	}
	for _, typ := range e.o.Types {
		ns, rest, _ := strings.Cut(typ, "/")
		v, err := e.regs.apiVersion(ctx, typ)
		if err != nil {
			return nil, err
		}
		items, err := e.list(ctx, "/subscriptions/"+e.o.Subscription+"/providers/"+ns+"/"+rest, v)
		if err != nil {
			return nil, fmt.Errorf("listing the %s of subscription %s: %w", typ, e.o.Subscription, err)
		}
		roots = append(roots, items...)
	}
	return roots, nil
}

// list is the IDs of a collection's items.
func (e *exporter) list(ctx context.Context, collection, apiVersion string) ([]string, error) {
	e.sem <- struct{}{}
	defer func() { <-e.sem }()
	var ids []string
	err := e.r.List(ctx, collection, apiVersion, func(p arm.Page) bool {
		for _, it := range p.Items {
			if s, ok := it["id"].(string); ok {
				ids = append(ids, s)
			}
		}
		return true
	})
	return ids, err
}

// spawn reads the resource at id, and its children, unless it is read
// already; the first error cancels the rest.
func (e *exporter) spawn(ctx context.Context, cancel context.CancelFunc, id string) {
	e.mu.Lock()
	k := armid.Key(id)
	if e.seen[k] || e.err != nil {
		e.mu.Unlock()
		return
	}
	e.seen[k] = true
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		children, err := e.read(ctx, id)
		if err != nil {
			e.mu.Lock()
			if e.err == nil {
				e.err = err
				cancel()
			}
			e.mu.Unlock()
			return
		}
		for _, c := range children {
			e.spawn(ctx, cancel, c)
		}
	}()
}

// read reads the resource at id and lists its children.
func (e *exporter) read(ctx context.Context, id string) ([]string, error) {
	typ, err := resourceType(id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	v, err := e.regs.apiVersion(ctx, typ)
	if err != nil {
		return nil, err
	}
	e.sem <- struct{}{}
	resp, err := e.r.Get(ctx, id, v)
	<-e.sem
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", id, err)
	}
	if s, ok := resp.Body["id"].(string); ok && armid.Equal(s, id) {
		id = s // ARM's casing
	}
	e.mu.Lock()
	e.found[armid.Key(id)] = &Resource{ID: id, Type: typ, APIVersion: v, Live: resp.Body}
	e.mu.Unlock()
	if typ == "Microsoft.Resources/resourceGroups" {
		return nil, nil // what it holds is listed by --resource-group
	}
	childTypes, err := e.regs.childTypes(ctx, typ)
	if err != nil {
		return nil, err
	}
	var children []string
	for _, ct := range childTypes {
		cv, err := e.regs.apiVersion(ctx, ct)
		if err != nil {
			return nil, err
		}
		collection := id + "/" + ct[strings.LastIndex(ct, "/")+1:]
		items, err := e.list(ctx, collection, cv)
		if err != nil {
			var ae *arm.Error
			if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden) {
				// The credential may not read what is there: what is
				// there is missing from the export, and the report says
				// so rather than claim it whole.
				e.mu.Lock()
				e.unreadable = append(e.unreadable, Unreadable{Collection: collection, Type: ct, StatusCode: ae.StatusCode, Code: ae.Code})
				e.mu.Unlock()
				continue
			}
			// Not every child type can be listed (singletons, types
			// reached only by name): export what can be listed.
			if errors.As(err, &ae) && ae.StatusCode < http.StatusInternalServerError && ae.StatusCode != http.StatusTooManyRequests {
				slog.Debug("export: a child collection cannot be listed", "collection", collection, "error", err)
				continue
			}
			return nil, fmt.Errorf("listing the %s under %s: %w", ct, id, err)
		}
		children = append(children, items...)
	}
	return children, nil
}

// sorted are the resources found, by ID.
func (e *exporter) sorted() []*Resource {
	out := make([]*Resource, 0, len(e.found))
	for _, r := range e.found {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return armid.Key(out[i].ID) < armid.Key(out[j].ID) })
	return out
}

func lastSegment(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}
