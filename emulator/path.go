package emulator

import (
	"fmt"
	"strings"
)

// target is a request path split into the parts ARM routes on.
type target struct {
	// id is the path as the client spelled it, without a trailing slash.
	id string
	// subscription is the subscription ID segment ("" for a tenant-level
	// resource).
	subscription string
	// resourceGroup is the resource group name, or "" above resource groups.
	resourceGroup string
	// typ is the full resource type, e.g. Microsoft.Network/virtualNetworks/subnets,
	// or Microsoft.Resources/resourceGroups, or Microsoft.Resources/subscriptions.
	typ string
	// name is the last name segment.
	name string
	// parent is the ID of the enclosing resource, resource group or
	// subscription ("" for a subscription itself).
	parent string
	// parentIsScope is true when the parent is the scope the provider section
	// hangs from (a resource group, a subscription, or an extended resource),
	// false when it is a parent resource of the same provider.
	parentIsScope bool
}

// key is the case-insensitive identity of an ID.
func key(id string) string { return strings.ToLower(strings.TrimSuffix(id, "/")) }

// parseTarget splits an ARM resource path. It accepts subscriptions, resource
// groups, provider resources with any depth of child types, tenant-level
// resources (/providers/Microsoft.Management/managementGroups/{name}), and
// extension resources (a second /providers/ section on any scope).
func parseTarget(path string) (target, error) {
	if !strings.HasPrefix(path, "/") {
		return target{}, fmt.Errorf("the resource ID %q does not start with /", path)
	}
	p := strings.TrimSuffix(path, "/")
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, s := range segs {
		if s == "" {
			return target{}, fmt.Errorf("the path %q has an empty segment", path)
		}
	}
	tenant := len(segs) >= 4 && strings.EqualFold(segs[0], "providers")
	if !tenant && (len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions")) {
		return target{}, fmt.Errorf("the path %q does not start with /subscriptions/{subscriptionId} or /providers/{namespace}", path)
	}
	t := target{id: p}
	i := 0
	if !tenant {
		t.subscription = segs[1]
		if len(segs) == 2 {
			t.typ, t.name = "Microsoft.Resources/subscriptions", segs[1]
			return t, nil
		}
		i = 2
	}
	if !tenant && strings.EqualFold(segs[i], "resourceGroups") {
		if len(segs) < 4 {
			return target{}, fmt.Errorf("the path %q names no resource group", path)
		}
		t.resourceGroup = segs[3]
		i = 4
		if len(segs) == 4 {
			t.typ, t.name = "Microsoft.Resources/resourceGroups", segs[3]
			t.parent, t.parentIsScope = "/"+strings.Join(segs[:2], "/"), true
			return t, nil
		}
	}
	// One or more provider sections: providers/{ns}/{type}/{name}[/{type}/{name}...]
	for i < len(segs) {
		if !strings.EqualFold(segs[i], "providers") || i+3 >= len(segs) {
			return target{}, fmt.Errorf("the path %q is not a resource ID: expected providers/{namespace}/{type}/{name} at segment %d", path, i+1)
		}
		scopeEnd := i
		ns := segs[i+1]
		types := []string{ns}
		j := i + 2
		for j+1 < len(segs) && !strings.EqualFold(segs[j], "providers") {
			types = append(types, segs[j])
			t.name = segs[j+1]
			switch {
			case j == i+2 && scopeEnd == 0:
				t.parent, t.parentIsScope = "", true // a tenant-level resource
			case j == i+2:
				t.parent, t.parentIsScope = "/"+strings.Join(segs[:scopeEnd], "/"), true
			default:
				t.parent, t.parentIsScope = "/"+strings.Join(segs[:j], "/"), false
			}
			j += 2
		}
		if j < len(segs) && !strings.EqualFold(segs[j], "providers") {
			return target{}, fmt.Errorf("the path %q has a type segment %q with no name after it", path, segs[j])
		}
		t.typ = strings.Join(types, "/")
		i = j
	}
	return t, nil
}
