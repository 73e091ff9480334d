package body

import (
	"reflect"
	"strings"

	"github.com/azapply/azapply/bodypath"

	"github.com/azapply/azapply/arm/armid"
)

// UpdateBody is how an update's PUT body is built (the update_body
// setting of a resource).
type UpdateBody string

const (
	// UpdateMerge builds the body from what is live (DESIGN.md, "The
	// request"): the live body without ARM's bookkeeping, the declared
	// values laid over it, and the paths removed from the configuration
	// since the last apply taken out. What the configuration does not
	// declare survives the write. The default.
	UpdateMerge UpdateBody = "merge"
	// UpdateDeclared sends exactly the declared body, for services that
	// want a full replacement: every live value it leaves out is dropped,
	// and the plan lists each one.
	UpdateDeclared UpdateBody = "declared"
)

// Request is the exact request apply sends for a create or an update.
type Request struct {
	// Method is PUT or PATCH.
	Method string
	// Body is the request body, with Unknown where a value is known
	// only after apply.
	Body map[string]any
}

// isOwnBookkeeping reports whether path is the resource's own bookkeeping,
// which an update's request leaves out: its id, name, type, etag,
// systemData and properties.provisioningState. The rest of a GET is sent
// back as read (ARM's contract: a GET's output can be PUT back), the
// bookkeeping of inline children included, so that read-only arrays such
// as a security group's defaultSecurityRules go back as the service holds
// them.
func isOwnBookkeeping(path bodypath.Path) bool {
	switch len(path) {
	case 1:
		for _, b := range []string{"id", "name", "type", "etag", "systemData"} {
			if strings.EqualFold(path[0].Key, b) && !path[0].Elem {
				return true
			}
		}
	case 2:
		return !path[0].Elem && !path[1].Elem && strings.EqualFold(path[0].Key, "properties") &&
			strings.EqualFold(path[1].Key, "provisioningState")
	}
	return false
}

// isBookkeepingPath reports whether path is ARM's bookkeeping, which a
// request leaves out and whose absence from it changes nothing: the
// resource's id, name and type, and an etag, systemData or
// provisioningState at any depth (the elements of a network's subnets carry
// their own).
func isBookkeepingPath(path bodypath.Path) bool {
	if len(path) == 0 || path[len(path)-1].Elem {
		return false
	}
	k := path[len(path)-1].Key
	if len(path) == 1 {
		for _, b := range []string{"id", "name", "type"} {
			if strings.EqualFold(k, b) {
				return true
			}
		}
	}
	for _, b := range []string{"etag", "systemData", "provisioningState"} {
		if strings.EqualFold(k, b) {
			return true
		}
	}
	return false
}

// mergedBody is the body of a read-merge-write update: live without ARM's
// bookkeeping (and without masked secrets, which the service shows in place
// of values it never returns), the desired values laid over it, and every
// path the last apply sent that the configuration no longer declares taken
// out. Objects merge member by member; a declared array owns the set of its
// elements, and each declared element is merged with the live element it
// matches (by key, as the diff matches them) so that the values the service
// keeps in an element survive. Paths under ignore_changes carry their live
// value. It fails only when a rule path is malformed.
//
// A live element of a declared array that the diff counts as the
// service's (it came back after the last apply, which did not send it) is
// kept too, so that the request changes nothing the plan does not show.
func mergedBody(b Bodies, r Rules) (map[string]any, error) {
	rules, err := r.Compile()
	if err != nil {
		return nil, err
	}
	m := &merger{r: rules, ix: keyIndexes{}, b: b}
	return m.object(nil, b.Live, b.Desired, b.LastApplied), nil
}

// declaredBody is the body of an update_body = "declared" update: the
// desired body, with the paths under ignore_changes carrying their live
// value.
func declaredBody(live, desired map[string]any, r Rules) (map[string]any, error) {
	rules, err := r.Compile()
	if err != nil {
		return nil, err
	}
	if len(rules.ignore) == 0 {
		return desired, nil
	}
	m := &merger{r: rules, ix: keyIndexes{}, declaredOnly: true}
	return m.object(nil, live, desired, nil), nil
}

type merger struct {
	r  *Compiled
	ix keyIndexes
	// b are the bodies of a mergedBody: the state's, to tell the elements
	// the service added from those added outside azapply.
	b Bodies
	// declaredOnly keeps only the declared members (and the ignored ones'
	// live values): declaredBody.
	declaredOnly bool
}

func (m *merger) object(path bodypath.Path, live, want, sent map[string]any) map[string]any {
	out := make(map[string]any, len(live)+len(want))
	if !m.declaredOnly {
		for k, lv := range live {
			p := path.Key(k)
			if isOwnBookkeeping(p) || IsMasked(lv) {
				continue
			}
			out[k] = stripped(p, lv)
		}
		// Removed from the configuration since the last apply: the user
		// wants it gone.
		for k := range sent {
			if _, declared := want[k]; declared {
				continue
			}
			if m.r.ignored(path.Key(k)) {
				continue
			}
			delete(out, k)
		}
	}
	for k, wv := range want {
		p := path.Key(k)
		lv, inLive := live[k]
		if m.r.ignored(p) {
			if inLive && !IsMasked(lv) && !isOwnBookkeeping(p) {
				out[k] = lv
			} else {
				delete(out, k)
			}
			continue
		}
		sv := sent[k]
		if !inLive {
			lv = nil
		}
		out[k] = m.value(p, lv, wv, sv)
	}
	if m.declaredOnly {
		// Ignored members the configuration does not declare keep their
		// live value too.
		for k, lv := range live {
			if _, declared := want[k]; declared {
				continue
			}
			if p := path.Key(k); m.r.ignored(p) && !isOwnBookkeeping(p) && !IsMasked(lv) {
				out[k] = lv
			}
		}
	}
	return out
}

// stripped is a live value without the masked secrets inside it (and,
// for the properties object, without the resource's provisioningState); v
// itself when it has none.
func stripped(path bodypath.Path, v any) any {
	switch v := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range v {
			p := path.Key(k)
			drop := isOwnBookkeeping(p) || IsMasked(e)
			var s any
			if !drop {
				s = stripped(p, e)
			}
			if out == nil && (drop || !same(s, e)) {
				out = make(map[string]any, len(v))
				for k2, e2 := range v {
					out[k2] = e2
				}
			}
			if out != nil {
				if drop {
					delete(out, k)
				} else {
					out[k] = s
				}
			}
		}
		if out == nil {
			return v
		}
		return out
	case []any:
		var out []any
		for i, e := range v {
			s := stripped(path.Elem(i), e)
			if out == nil && !same(s, e) {
				out = append([]any(nil), v...)
			}
			if out != nil {
				out[i] = s
			}
		}
		if out == nil {
			return v
		}
		return out
	}
	return v
}

// same reports whether stripped returned its argument unchanged: the same
// map or slice, or an equal scalar.
func same(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		return ok && reflect.ValueOf(av).Pointer() == reflect.ValueOf(bv).Pointer()
	case []any:
		bv, ok := b.([]any)
		return ok && len(av) == len(bv) && (len(av) == 0 || &av[0] == &bv[0])
	}
	return true
}

// value merges one declared value with the live one at the same path.
func (m *merger) value(path bodypath.Path, live, want, sent any) any {
	if isUnknown(want) {
		return want
	}
	switch w := want.(type) {
	case map[string]any:
		l, _ := live.(map[string]any)
		s, _ := sent.(map[string]any)
		if l == nil && !m.declaredOnly && !m.hasIgnoredBelow(path) {
			return w
		}
		return m.object(path, l, w, s)
	case []any:
		l, ok := live.([]any)
		if !ok || anyExact(m.r.unordered, path) {
			return w
		}
		return m.array(path, l, w, sent)
	}
	return want
}

// hasIgnoredBelow reports whether an ignore_changes path lies inside path,
// so that a declared object with no live counterpart still needs a walk.
func (m *merger) hasIgnoredBelow(path bodypath.Path) bool {
	for _, p := range m.r.ignore {
		if len(p) > len(path) && p[:len(path)].Match(path) {
			return true
		}
	}
	return false
}

// array merges a declared array with the live one: the declared elements,
// in their order, each merged with the live element it matches. Live
// elements the configuration does not declare are dropped (the diff shows
// them), except those under ignore_changes.
func (m *merger) array(path bodypath.Path, live, want []any, sent any) []any {
	s, _ := sent.([]any)
	out := make([]any, 0, len(want))
	field := m.r.KeyField(path, want)
	taken := make([]bool, len(live))
	for i, w := range want {
		var p bodypath.Path
		j := -1
		if field != "" {
			k := KeyOf(w, field)
			p = path.Matched(i, field, k)
			j = m.ix.findKey(live, field, k, taken)
		} else {
			p = path.Elem(i)
			if i < len(live) {
				j = i
			}
		}
		var lv, sv any
		if j >= 0 {
			taken[j] = true
			lv = live[j]
		}
		if field != "" {
			if at := m.ix.positions(s, field, KeyOf(w, field)); len(at) > 0 {
				sv = s[at[0]]
			}
		} else if i < len(s) {
			sv = s[i]
		}
		if m.r.ignored(p) {
			if lv != nil {
				out = append(out, lv)
			}
			continue
		}
		out = append(out, m.value(p, lv, w, sv))
	}
	for j, lv := range live {
		if taken[j] {
			continue
		}
		p := path.Elem(j)
		if field != "" {
			if k := KeyOf(lv, field); k != "" {
				p = path.Matched(j, field, k)
			}
		}
		if m.r.ignored(p) || m.servicesElement(p) {
			out = append(out, lv)
		}
	}
	return out
}

// servicesElement reports whether a live element that the configuration
// does not declare is the service's, as the diff tells it: the last apply
// did not send it and the service answered it.
func (m *merger) servicesElement(p bodypath.Path) bool {
	if m.declaredOnly || !m.b.Managed {
		return false
	}
	if _, sent := m.ix.lookup(m.b.LastApplied, p); sent {
		return false
	}
	_, answered := m.ix.lookup(m.b.Output, p)
	return answered
}

// BuildRequest builds the request of an update: a PUT of the merged (or
// declared) body, or, with method "PATCH" (update_method), a merge patch.
// It fails only when a rule path is malformed.
func BuildRequest(method string, ub UpdateBody, b Bodies, r Rules) (*Request, error) {
	if strings.EqualFold(method, "PATCH") {
		// Paths under ignore_changes carry their live value on both sides,
		// so that the patch neither sets nor removes them.
		desired, err := declaredBody(b.Live, b.Desired, r)
		if err != nil {
			return nil, err
		}
		last, err := declaredBody(b.Live, b.LastApplied, r)
		if err != nil {
			return nil, err
		}
		return &Request{Method: "PATCH", Body: patchFor(b.Live, last, desired)}, nil
	}
	var body map[string]any
	var err error
	if ub == UpdateDeclared {
		body, err = declaredBody(b.Live, b.Desired, r)
	} else {
		body, err = mergedBody(b, r)
	}
	if err != nil {
		return nil, err
	}
	return &Request{Method: "PUT", Body: body}, nil
}

// Effects are the paths of an update as the plan shows them: the declared
// changes that Compare found (cmp), then every other path where the
// resource, once req is applied, differs from live (a live value an
// update_body = "declared" body drops, an element of a declared array that
// the service added), each marked Dropped when the write removes it. The
// values cmp lists as kept differently are not repeated. It fails only
// when a rule path is malformed.
func Effects(req *Request, b Bodies, r Rules, cmp Comparison) ([]PathChange, error) {
	effects, err := requestEffects(req, b, r)
	if err != nil {
		return nil, err
	}
	paths := cmp.Changes
	shown := map[string]bool{}
	for _, p := range paths {
		shown[p.Path] = true
	}
	kept := map[string]bool{}
	for _, p := range cmp.KeptDifferently {
		kept[p.Path] = true
	}
	for _, p := range effects.Changes {
		if !shown[p.Path] && !kept[p.Path] {
			p.Dropped = IsAbsent(p.After)
			paths = append(paths, p)
			shown[p.Path] = true
		}
	}
	return paths, nil
}

// requestEffects are the paths where the resource, once the request is
// applied, differs from live: every effect of the request, with the same
// normalization, write-only and kept-differently rules as the diff.
func requestEffects(req *Request, b Bodies, r Rules) (Comparison, error) {
	rules, err := r.Compile()
	if err != nil {
		return Comparison{}, err
	}
	after := req.Body
	if req.Method == "PATCH" {
		after = applyMergePatch(b.Live, req.Body)
	}
	d := &differ{b: Bodies{Desired: after, Live: b.Live, LastApplied: b.LastApplied, Output: b.Output, Managed: b.Managed},
		r: rules, ix: keyIndexes{}, strict: true, declared: b.Desired}
	d.value(nil, after, b.Live, b.Live != nil)
	return d.out, nil
}

// applyMergePatch is what an RFC 7396 merge patch makes of target (the
// service's side of a PATCH): members merged recursively, null removes,
// arrays and scalars replace.
func applyMergePatch(target, patch map[string]any) map[string]any {
	out := make(map[string]any, len(target)+len(patch))
	for k, v := range target {
		out[k] = v
	}
	for k, pv := range patch {
		if pv == nil {
			delete(out, k)
			continue
		}
		if pm, ok := pv.(map[string]any); ok {
			tm, _ := out[k].(map[string]any)
			out[k] = applyMergePatch(tm, pm)
			continue
		}
		out[k] = pv
	}
	return out
}

// patchFor is the merge patch of update_method = "PATCH": every declared
// value that differs from live, and null for every member the last apply
// sent that the configuration no longer declares. Members only the server
// sets are left alone.
func patchFor(live, lastApplied, desired map[string]any) map[string]any {
	patch := map[string]any{}
	for k, dv := range desired {
		lv, inLive := live[k]
		dm, dIsObj := dv.(map[string]any)
		lm, lIsObj := lv.(map[string]any)
		if dIsObj && lIsObj {
			la, _ := lastApplied[k].(map[string]any)
			if sub := patchFor(lm, la, dm); len(sub) > 0 {
				patch[k] = sub
			}
			continue
		}
		if !inLive || !reflect.DeepEqual(dv, lv) {
			patch[k] = dv
		}
	}
	for k, lv := range lastApplied {
		// An empty object sent nothing to remove (all of it was under
		// ignore_changes, say): null would clear what live holds there.
		if m, ok := lv.(map[string]any); ok && len(m) == 0 {
			continue
		}
		if _, declared := desired[k]; !declared {
			patch[k] = nil
		}
	}
	return patch
}

// WithoutElements is body without the array elements whose id is one of
// ids (lower-cased keys); body itself when it has none.
func WithoutElements(body map[string]any, ids []string) map[string]any {
	if len(ids) == 0 {
		return body
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	out, _ := dropElements(body, drop).(map[string]any)
	return out
}

func dropElements(v any, drop map[string]bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = dropElements(e, drop)
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if id, ok := m["id"].(string); ok && drop[armid.Key(id)] {
					continue
				}
			}
			out = append(out, dropElements(e, drop))
		}
		return out
	}
	return v
}
