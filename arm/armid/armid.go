// Package armid parses and compares Azure Resource Manager resource IDs. It
// has no HTTP in it, so that the configuration language can use it to find
// ARM containment between declared resources.
//
// An ID is a path of type/name pairs: a subscription, optionally a resource
// group, then one or more provider sections
// (providers/{namespace}/{type}/{name}[/{childType}/{childName}...]). A
// provider section may hang from any scope, including another resource: that
// is an extension resource, such as a role assignment on a virtual network.
// Tenant-level IDs start with /providers/ (management groups, for instance).
//
// An ID has one spelling, Canonical: no trailing or doubled slash, and the
// keywords spelled subscriptions, resourceGroups and providers. The
// configuration stores every declared ID in that form, so requests, plans
// and state entries never differ by a cosmetic change; Key (the canonical
// form in lower case) is how maps and comparisons identify a resource.
package armid

import (
	"fmt"
	"strings"
	"unicode"
)

// ID is a parsed ARM resource ID. The zero ID is the tenant root "/", which
// Parse never returns.
type ID struct {
	raw  string
	segs []string
}

// Parse checks that s is an ARM resource ID and splits it. A cosmetic
// difference (a trailing or doubled slash, a keyword's casing) is no error:
// the ID is taken in its Canonical form. The error says what is wrong and
// what an ID looks like.
func Parse(s string) (ID, error) {
	segs, err := split(s)
	if err != nil {
		return ID{}, err
	}
	if len(segs)%2 != 0 {
		return ID{}, fmt.Errorf("%q has an odd number of segments (%d): every type segment needs a name after it (a POST action such as .../regenerateCredential is not a resource ID)", s, len(segs))
	}
	if err := checkGrammar(s, segs); err != nil {
		return ID{}, err
	}
	return ID{raw: "/" + strings.Join(segs, "/"), segs: segs}, nil
}

// ParseAction splits the target of a POST action, a resource ID followed by
// the action's name (".../registries/acr1/regenerateCredential"), into the
// resource's ID (in canonical form) and the action.
func ParseAction(s string) (ID, string, error) {
	segs, err := split(s)
	if err != nil {
		return ID{}, "", err
	}
	if len(segs)%2 == 0 {
		return ID{}, "", fmt.Errorf("%q names no action: an action target is a resource ID followed by the action's name, such as .../registries/acr1/listCredentials", s)
	}
	action := segs[len(segs)-1]
	id, err := Parse("/" + strings.Join(segs[:len(segs)-1], "/"))
	if err != nil {
		return ID{}, "", fmt.Errorf("the action %q: %w", action, err)
	}
	return id, action, nil
}

// split checks the characters of s and splits it into segments.
func split(s string) ([]string, error) {
	switch {
	case s == "":
		return nil, fmt.Errorf("the resource ID is empty: a resource ID looks like /subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name}")
	case strings.Contains(s, "://"):
		return nil, fmt.Errorf("%q is a URL, not a resource ID: give the path only, starting with /subscriptions/", s)
	case !strings.HasPrefix(s, "/"):
		return nil, fmt.Errorf("%q does not start with \"/\": a resource ID looks like /subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name}", s)
	case strings.ContainsAny(s, "?#"):
		return nil, fmt.Errorf("%q contains a query or fragment: a resource ID is a path only (the api-version goes in api_version)", s)
	}
	c := Canonical(s)
	if c == "/" {
		return nil, fmt.Errorf("%q is the tenant root, not a resource ID", s)
	}
	segs := strings.Split(c[1:], "/")
	for _, seg := range segs {
		if seg == "." || seg == ".." {
			return nil, fmt.Errorf("%q contains a %q segment: resource IDs have no relative parts", s, seg)
		}
		if j := strings.IndexFunc(seg, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar }); j >= 0 {
			return nil, fmt.Errorf("%q contains white space or a control character in segment %q", s, seg)
		}
	}
	return segs, nil
}

// checkGrammar checks the keywords of an even list of segments: where the
// subscription, the resource group and the provider sections may be.
func checkGrammar(s string, segs []string) error {
	i := 0
	switch {
	case strings.EqualFold(segs[0], "subscriptions"):
		i = 2
		if i < len(segs) && strings.EqualFold(segs[i], "resourceGroups") {
			i = 4
			if i < len(segs) && !strings.EqualFold(segs[i], "providers") {
				return fmt.Errorf("%q has %q after the resource group at segment %d: resources in a group are written providers/{namespace}/{type}/{name}", s, segs[i], i+1)
			}
		}
	case strings.EqualFold(segs[0], "providers"):
	default:
		return fmt.Errorf("%q starts with %q: a resource ID starts with /subscriptions/{id} (or /providers/ for tenant-level resources)", s, segs[0])
	}
	for ; i < len(segs); i += 2 {
		if !strings.EqualFold(segs[i], "providers") {
			continue
		}
		ns := segs[i+1]
		if !strings.Contains(ns, ".") {
			return fmt.Errorf("%q has provider namespace %q at segment %d: a namespace has a dot in it, such as Microsoft.Network", s, ns, i+2)
		}
		if i+2 < len(segs) && strings.EqualFold(segs[i+2], "providers") {
			return fmt.Errorf("%q has a provider section with no type at segment %d: write providers/%s/{type}/{name}", s, i+1, ns)
		}
	}
	return nil
}

// MustParse is Parse for IDs written in Go source; it panics on a bad ID.
func MustParse(s string) ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// String returns the ID in its Canonical form: as it was written, less
// extra slashes, with the keywords spelled canonically.
func (id ID) String() string {
	if id.raw == "" {
		return "/"
	}
	return id.raw
}

// IsRoot reports whether id is the tenant root (the zero ID).
func (id ID) IsRoot() bool { return len(id.segs) == 0 }

// Name is the last name segment: the resource's own name.
func (id ID) Name() string {
	if id.IsRoot() {
		return ""
	}
	return id.segs[len(id.segs)-1]
}

// SubscriptionID is the subscription the ID lies in, or "" for tenant-level
// IDs.
func (id ID) SubscriptionID() string {
	if len(id.segs) >= 2 && strings.EqualFold(id.segs[0], "subscriptions") {
		return id.segs[1]
	}
	return ""
}

// ResourceGroup is the resource group the ID lies in (or is), or "".
func (id ID) ResourceGroup() string {
	if len(id.segs) >= 4 && strings.EqualFold(id.segs[0], "subscriptions") && strings.EqualFold(id.segs[2], "resourceGroups") {
		return id.segs[3]
	}
	return ""
}

// providersAt is the index of the last "providers" keyword, or -1.
func (id ID) providersAt() int {
	for i := len(id.segs) - 2; i >= 0; i -= 2 {
		if strings.EqualFold(id.segs[i], "providers") {
			return i
		}
	}
	return -1
}

// Namespace is the provider namespace of the resource, such as
// Microsoft.Network; Microsoft.Resources for subscriptions and groups.
func (id ID) Namespace() string {
	p := id.providersAt()
	if p < 0 || p+2 == len(id.segs) {
		return "Microsoft.Resources"
	}
	return id.segs[p+1]
}

// ResourceType is the full type, such as Microsoft.Network/virtualNetworks/subnets.
// Subscriptions and resource groups are Microsoft.Resources/subscriptions
// and Microsoft.Resources/resourceGroups; a provider registration
// (/subscriptions/{id}/providers/Microsoft.Network) is
// Microsoft.Resources/providers.
func (id ID) ResourceType() string {
	if id.IsRoot() {
		return ""
	}
	p := id.providersAt()
	if p >= 0 && p+2 == len(id.segs) {
		return "Microsoft.Resources/providers"
	}
	types := []string{id.Namespace()}
	start := p + 2
	if p < 0 {
		// Microsoft.Resources/subscriptions[/locations...], but a group is
		// Microsoft.Resources/resourceGroups.
		start = 0
		if id.ResourceGroup() != "" {
			start = 2
		}
	}
	for i := start; i < len(id.segs); i += 2 {
		types = append(types, id.segs[i])
	}
	return strings.Join(types, "/")
}

// Scope is the ID the resource's provider section hangs from: a resource
// group, a subscription, the tenant root, or another resource for extension
// resources. For subscriptions and resource groups it is their parent.
func (id ID) Scope() ID {
	p := id.providersAt()
	if p < 0 {
		return id.Parent()
	}
	return id.prefix(p)
}

// IsExtension reports whether the resource extends another resource: its
// provider section hangs from a resource rather than a group, a
// subscription or the tenant.
func (id ID) IsExtension() bool {
	return id.Scope().providersAt() >= 0
}

// Parent is the ID that directly contains id: the parent resource of a child
// type, the scope of a top-level resource, the subscription of a group. The
// parent of a subscription, or of a tenant-level resource, is the root.
func (id ID) Parent() ID {
	if len(id.segs) <= 2 {
		return ID{}
	}
	n := len(id.segs) - 2
	if n >= 2 && strings.EqualFold(id.segs[n-2], "providers") {
		n -= 2
	}
	return id.prefix(n)
}

// IsChild reports whether id is a child resource: one whose parent is
// another resource of its provider section (a subnet of a virtual network),
// not the scope that section hangs from. Top-level and extension
// resources, groups and subscriptions are no children.
func (id ID) IsChild() bool {
	p := id.providersAt()
	return p >= 0 && len(id.segs)-p > 4
}

// Ancestors are the IDs that contain id, nearest first: its Parent, that
// one's parent, and so on up to its subscription or tenant-level resource.
// The root is left out.
func (id ID) Ancestors() []ID {
	var out []ID
	for p := id.Parent(); !p.IsRoot(); p = p.Parent() {
		out = append(out, p)
	}
	return out
}

// isCanonical says whether s, which starts with "/", is its own
// Canonical form, without allocating: the usual case, since IDs are made
// canonical once and passed around after.
func isCanonical(s string) bool {
	if s == "/" {
		return true
	}
	if s[len(s)-1] == '/' {
		return false
	}
	from := 0 // the first segment index where a type (or providers) stands
	for i, rest := 0, s[1:]; rest != ""; i++ {
		seg, after, _ := strings.Cut(rest, "/")
		if seg == "" {
			return false
		}
		switch {
		case i == 0 && strings.EqualFold(seg, "subscriptions"):
			if seg != "subscriptions" {
				return false
			}
			from = 2
		case i == 2 && from == 2 && strings.EqualFold(seg, "resourceGroups"):
			if seg != "resourceGroups" {
				return false
			}
			from = 4
		case i >= from && (i-from)%2 == 0 && seg != "providers" && strings.EqualFold(seg, "providers"):
			return false
		}
		rest = after
	}
	return true
}

// Key is the identity of id for maps and comparisons, as the function Key
// gives it for a string.
func (id ID) Key() string { return strings.ToLower(id.String()) }

func (id ID) prefix(n int) ID {
	if n <= 0 {
		return ID{}
	}
	segs := id.segs[:n:n]
	return ID{raw: "/" + strings.Join(segs, "/"), segs: segs}
}

// Equal compares two IDs case-insensitively, as ARM does.
func (id ID) Equal(other ID) bool {
	if len(id.segs) != len(other.segs) {
		return false
	}
	for i := range id.segs {
		if !strings.EqualFold(id.segs[i], other.segs[i]) {
			return false
		}
	}
	return true
}

// IsUnder reports whether id lies strictly inside parent, on segment
// boundaries and case-insensitively. Everything is under the root.
func (id ID) IsUnder(parent ID) bool {
	if len(id.segs) <= len(parent.segs) {
		return false
	}
	for i := range parent.segs {
		if !strings.EqualFold(id.segs[i], parent.segs[i]) {
			return false
		}
	}
	return true
}

// Canonical is the one spelling of the ID s: runs of slashes made one, no
// trailing slash, and the keyword segments spelled subscriptions,
// resourceGroups and providers. Names, namespaces and types keep the
// casing they were written in (ARM keeps a resource's casing). It needs no
// parsing: a string that does not start with "/" is returned as it is.
func Canonical(s string) string {
	if !strings.HasPrefix(s, "/") || isCanonical(s) {
		return s
	}
	return canonical(s)
}

// canonical is Canonical of s, which starts with "/", made segment by
// segment.
func canonical(s string) string {
	segs := strings.FieldsFunc(s, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return "/"
	}
	keyword := func(i int, word string) {
		if i < len(segs) && segs[i] != word && strings.EqualFold(segs[i], word) {
			segs[i] = word
		}
	}
	i := 0
	if strings.EqualFold(segs[0], "subscriptions") {
		keyword(0, "subscriptions")
		i = 2
		if i < len(segs) && strings.EqualFold(segs[i], "resourceGroups") {
			keyword(i, "resourceGroups")
			i = 4
		}
	}
	// Keywords stand where a type segment may: every other segment from
	// here (a provider section is providers/{namespace}, two segments, so
	// the types after it keep the parity).
	for ; i < len(segs); i += 2 {
		keyword(i, "providers")
	}
	return "/" + strings.Join(segs, "/")
}

// Key is the identity of the ID s for maps and comparisons: its canonical
// form in lower case, since ARM compares IDs case-insensitively.
func Key(s string) string { return strings.ToLower(Canonical(s)) }

// Equal reports whether two ID strings name the same resource: equal
// canonical forms, compared case-insensitively, as ARM does. It needs no
// parsing, so it works on any string.
func Equal(a, b string) bool { return Key(a) == Key(b) }

// IsUnder reports whether child lies strictly inside parent: parent is a
// prefix of child on a segment boundary, compared as Key does.
func IsUnder(child, parent string) bool {
	c, p := Key(child), Key(parent)
	if p == "/" {
		return c != "/" && strings.HasPrefix(c, "/")
	}
	return len(c) > len(p)+1 && strings.HasPrefix(c, p) && c[len(p)] == '/'
}
