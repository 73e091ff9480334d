package export

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm/armid"
)

// registrationAPIVersion is the api-version export reads provider
// registrations and resource-group listings with.
const registrationAPIVersion = "2021-04-01"

// registration is what a provider registration says of a namespace's
// types: their api-versions, by lower-cased type (Microsoft.Network/virtualNetworks).
type registration struct {
	versions map[string][]string
	// types keeps each type's casing as the registration writes it.
	types map[string]string
}

// registrations reads and caches provider registrations.
type registrations struct {
	// mu guards cache; it is held while a registration is read, so that
	// each is read once.
	mu    sync.Mutex
	r     Reader
	sub   string
	cache map[string]*registration
	// overrides are Options.APIVersions by lower-cased type.
	overrides map[string]string
}

// namespace reads the registration of ns in the subscription.
func (rs *registrations) namespace(ctx context.Context, ns string) (*registration, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	k := strings.ToLower(ns)
	if reg, ok := rs.cache[k]; ok {
		return reg, nil
	}
	resp, err := rs.r.Get(ctx, "/subscriptions/"+rs.sub+"/providers/"+ns, registrationAPIVersion)
	if err != nil {
		return nil, fmt.Errorf("reading the provider registration of %s: %w", ns, err)
	}
	reg := &registration{versions: map[string][]string{}, types: map[string]string{}}
	canonical, _ := resp.Body["namespace"].(string)
	if canonical == "" {
		canonical = ns
	}
	types, _ := resp.Body["resourceTypes"].([]any)
	for _, t := range types {
		m, _ := t.(map[string]any)
		name, _ := m["resourceType"].(string)
		if name == "" {
			continue
		}
		full := canonical + "/" + name
		var vs []string
		list, _ := m["apiVersions"].([]any)
		for _, v := range list {
			if s, ok := v.(string); ok && s != "" {
				vs = append(vs, s)
			}
		}
		reg.versions[strings.ToLower(full)] = vs
		reg.types[strings.ToLower(full)] = full
	}
	rs.cache[k] = reg
	return reg, nil
}

// apiVersion is the api-version a resource of typ is read and written
// with: Options.APIVersions' when it names the type, else the newest
// stable version the registration lists, else the newest preview.
func (rs *registrations) apiVersion(ctx context.Context, typ string) (string, error) {
	if v, ok := rs.overrides[strings.ToLower(typ)]; ok {
		return v, nil
	}
	ns, _, _ := strings.Cut(typ, "/")
	reg, err := rs.namespace(ctx, ns)
	if err != nil {
		return "", err
	}
	vs, ok := reg.versions[strings.ToLower(typ)]
	if !ok || len(vs) == 0 {
		return "", fmt.Errorf("the provider registration of %s lists no api-version for %s: name one with --api-version %s=VERSION", ns, typ, typ)
	}
	return newest(vs), nil
}

// newest is the newest stable version of vs, or the newest preview when
// there is no stable one. ARM's versions are dates with an optional suffix
// (2024-07-01, 2025-01-01-preview), so they sort as strings.
func newest(vs []string) string {
	sorted := append([]string(nil), vs...)
	sort.Sort(sort.Reverse(sort.StringSlice(sorted)))
	for _, v := range sorted {
		if isStable(v) {
			return v
		}
	}
	return sorted[0]
}

// isStable reports whether an api-version is a plain date, not a preview,
// beta or private version.
func isStable(v string) bool {
	return len(v) == len("2006-01-02") && strings.Count(v, "-") == 2
}

// childTypes lists the types the registration names directly under typ
// (virtualNetworks/subnets under virtualNetworks), as full types.
func (rs *registrations) childTypes(ctx context.Context, typ string) ([]string, error) {
	ns, _, _ := strings.Cut(typ, "/")
	reg, err := rs.namespace(ctx, ns)
	if err != nil {
		return nil, err
	}
	prefix := strings.ToLower(typ) + "/"
	var out []string
	for k, full := range reg.types {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			out = append(out, full)
		}
	}
	sort.Strings(out)
	return out, nil
}

// resourceType is the type of the resource at id.
func resourceType(id string) (string, error) {
	p, err := armid.Parse(id)
	if err != nil {
		return "", err
	}
	return p.ResourceType(), nil
}
