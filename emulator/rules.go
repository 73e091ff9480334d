package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"
	"time"
)

// TypeRule is the server-side behaviour of one resource type: what ARM's
// resource provider adds, computes, hides, re-cases and re-orders.
type TypeRule struct {
	// Defaults are merged under the request body on every PUT: a value the
	// client sent wins, a value it left out takes the default. Maps merge
	// key by key; arrays and scalars are taken whole.
	Defaults map[string]any
	// Compute sets read-only values (loginServer, resourceGuid, ...) on the
	// body being stored, after Defaults. The paths it writes with Set or
	// Stable are read-only: a request may send there only the value the
	// service holds (or the one this write stores), else it is refused.
	Compute func(c *ComputeContext)
	// WriteOnly are paths accepted on PUT and never stored or returned
	// (passwords). Paths are dotted; "a.b[].c" visits c in every element of
	// the array a.b.
	WriteOnly []string
	// Properties, when set, are the members of properties the resource
	// provider knows at every api-version: any other member a write sends
	// (a misspelled one) is dropped without a word, as ARM's providers
	// drop what their schema lacks.
	Properties []string
	// Recase maps a path to the function the server passes its string
	// value through (e.g. strings.ToLower).
	Recase map[string]func(string) string
	// SortArrays maps a path of an array to the element key the server
	// sorts it by ("" sorts an array of strings).
	SortArrays map[string]string
	// Children maps a path of an array in the body to a child resource
	// type segment: each element is stored as a child resource (a virtual
	// network's subnets), a PUT with the array creates, updates and
	// deletes children to match it, a PUT without it deletes them all
	// (unless KeepOmittedFrom), and a GET builds the array from the
	// children that exist.
	Children map[string]string
	// KeepOmittedFrom maps a Children path to the first api-version at
	// which a PUT that leaves the array out keeps the children (an empty
	// array still deletes them): virtual networks' subnets from
	// 2023-09-01, as Network announced.
	KeepOmittedFrom map[string]string
	// InUse refuses to delete a resource of the type while another
	// resource references it (a subnet a network interface sits in):
	// DELETE of it or of anything above it, and a PUT or PATCH of its
	// parent that drops it.
	InUse *InUseRule
	// RequireLocation refuses a PUT without location (400
	// LocationRequired), as ARM does for tracked resources.
	RequireLocation bool
	// KeepLocation returns location as sent instead of in short form.
	KeepLocation bool
	// NoETag and NoSystemData leave those fields out (resource groups).
	NoETag, NoSystemData bool
	// ProvisioningState is the terminal state stored ("Succeeded" when
	// empty); "-" stores none.
	ProvisioningState string
	// Validate refuses a write before anything is stored, as the resource
	// provider would (a name it does not accept, a property that cannot
	// change). Its error is answered with status 400, or 409 when the
	// error's code ends in "NotPermitted" or "Conflict".
	Validate func(c *ComputeContext) *ErrorDetail
	// Actions answer POST {id}/{action}, keyed by the action name in lower
	// case. Without an entry, list*Keys actions return two stable keys,
	// regenerate*Key(s) rotate one, and any other action answers 200.
	Actions map[string]Action
	// ListOmits are paths (dotted, as WriteOnly's) that a collection GET
	// leaves out of each item while a GET of the resource returns them, as
	// some providers list less than they read (a virtual machine's
	// instanceView). No built-in rule sets it.
	ListOmits []string
	// ListError, when set, answers every collection GET of the type with
	// this error and ListStatus (403 when 0), while GETs of its resources
	// still work: a provider or a role that does not allow listing.
	ListError  *ErrorDetail
	ListStatus int
}

// ComputeContext is what a TypeRule's Compute sees.
type ComputeContext struct {
	ID, Name, Type, Subscription, ResourceGroup string
	// Body is the body being stored: Compute sets values on it.
	Body map[string]any
	// Old is the body stored before this write, nil on create.
	Old map[string]any
	// Parent is the body of the enclosing resource (nil for a top-level
	// resource): read it, never change it.
	Parent map[string]any
	Now    time.Time
	// readOnly are the paths Set and Stable wrote.
	readOnly []string
}

// Set stores v at a dotted path of Body, creating maps on the way, and
// makes the path a read-only value: a request that sends another value
// there than the one the service holds is refused.
func (c *ComputeContext) Set(path string, v any) {
	setPath(c.Body, path, v)
	c.readOnly = append(c.readOnly, path)
}

// rewrite stores v at path as the service's normal form of a value the
// client may set (a display location, a re-scoped ID): unlike Set, a
// request that sent another spelling is not refused.
func (c *ComputeContext) rewrite(path string, v any) { setPath(c.Body, path, v) }

// Get reads a dotted path of Body.
func (c *ComputeContext) Get(path string) (any, bool) { return getPath(c.Body, path) }

// String reads a string at a dotted path of Body ("" when absent).
func (c *ComputeContext) String(path string) string {
	v, _ := getPath(c.Body, path)
	s, _ := v.(string)
	return s
}

// Stable sets path to its value in Old when there is one (a creation time
// or a GUID does not change on update), else to gen(). Like Set, it makes
// the path a read-only value.
func (c *ComputeContext) Stable(path string, gen func() any) {
	if c.Old != nil {
		if v, ok := getPath(c.Old, path); ok {
			c.Set(path, deepCopy(v))
			return
		}
	}
	c.Set(path, gen())
}

// Action answers a POST action on a resource. It returns the status (200
// when 0), a body (none when nil), or an error answered with status 400
// when status is 0.
type Action func(c *ActionContext) (status int, body any, err *ErrorDetail)

// ActionContext is what an Action sees.
type ActionContext struct {
	ID, Type, Name string
	// Resource is the resource's body as a GET returns it.
	Resource map[string]any
	// Request is the POST body (nil when none was sent).
	Request map[string]any
	Now     time.Time
	res     *Resource
}

// Key returns the current value of the named access key: stable for a
// resource until Regenerate.
func (c *ActionContext) Key(name string) string {
	gen := c.res.KeyGenerations[strings.ToLower(name)]
	sum := sha256.Sum256([]byte("azapply-emulator|" + strings.ToLower(c.ID) + "|" + strings.ToLower(name) + "|" + itoa(gen)))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Regenerate rotates the named key.
func (c *ActionContext) Regenerate(name string) {
	if c.res.KeyGenerations == nil {
		c.res.KeyGenerations = map[string]int{}
	}
	c.res.KeyGenerations[strings.ToLower(name)]++
}

// rule returns the rule for typ, or an empty one.
func (s *Server) rule(typ string) *TypeRule {
	if r, ok := s.rules[strings.ToLower(typ)]; ok {
		return r
	}
	return &TypeRule{}
}

// splitPath splits a dotted path, keeping "[]" on the segment it follows.
func splitPath(path string) []string { return strings.Split(path, ".") }

// visit calls fn(parent, key) for every place path names in v; "x[]"
// descends into every element of the array x.
func visit(v any, segs []string, fn func(parent map[string]any, key string)) {
	m, ok := v.(map[string]any)
	if !ok || len(segs) == 0 {
		return
	}
	seg := segs[0]
	each := strings.HasSuffix(seg, "[]")
	seg = strings.TrimSuffix(seg, "[]")
	if len(segs) == 1 && !each {
		fn(m, seg)
		return
	}
	child, ok := m[seg]
	if !ok {
		return
	}
	if !each {
		visit(child, segs[1:], fn)
		return
	}
	arr, _ := child.([]any)
	if len(segs) == 1 {
		fn(m, seg)
		return
	}
	for _, e := range arr {
		visit(e, segs[1:], fn)
	}
}

func getPath(v any, path string) (any, bool) {
	cur := v
	for _, seg := range splitPath(path) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func setPath(m map[string]any, path string, v any) {
	segs := splitPath(path)
	for _, seg := range segs[:len(segs)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
	m[segs[len(segs)-1]] = v
}

func deletePath(m map[string]any, path string) {
	visit(m, splitPath(path), func(parent map[string]any, k string) { delete(parent, k) })
}

// mergeUnder fills dst with the values of defaults it does not have.
func mergeUnder(dst, defaults map[string]any) {
	for k, dv := range defaults {
		cur, ok := dst[k]
		if !ok || cur == nil {
			if !ok {
				dst[k] = deepCopy(dv)
			}
			continue
		}
		cm, ok1 := cur.(map[string]any)
		dm, ok2 := dv.(map[string]any)
		if ok1 && ok2 {
			mergeUnder(cm, dm)
		}
	}
}

// applyShape runs the declarative parts of r on body: write-only paths,
// re-casing and re-ordering.
func (r *TypeRule) applyShape(body map[string]any) {
	for _, p := range r.WriteOnly {
		deletePath(body, p)
	}
	if props, ok := body["properties"].(map[string]any); ok && r.Properties != nil {
		for k := range props {
			if !containsFold(r.Properties, k) {
				delete(props, k)
			}
		}
	}
	for p, fn := range r.Recase {
		visit(body, splitPath(p), func(parent map[string]any, k string) {
			if s, ok := parent[k].(string); ok {
				parent[k] = fn(s)
			}
		})
	}
	for p, by := range r.SortArrays {
		visit(body, splitPath(p), func(parent map[string]any, k string) {
			if arr, ok := parent[k].([]any); ok {
				sortArray(arr, by)
			}
		})
	}
}

func sortArray(arr []any, by string) {
	keyOf := func(v any) string {
		if by == "" {
			s, _ := v.(string)
			return strings.ToLower(s)
		}
		m, _ := v.(map[string]any)
		s, _ := m[by].(string)
		if s == "" {
			if f, ok := m[by].(float64); ok {
				return itoa(int(f) + 1<<30)
			}
		}
		return strings.ToLower(s)
	}
	sort.SliceStable(arr, func(i, j int) bool { return keyOf(arr[i]) < keyOf(arr[j]) })
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
