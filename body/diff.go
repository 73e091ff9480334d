package body

import (
	"sort"

	"github.com/azapply/azapply/bodypath"
)

// Bodies are the three bodies the diff compares for one resource (DESIGN.md,
// "The diff"), plus the output recorded after the last apply.
type Bodies struct {
	// Desired is the configuration's body, with Unknown for values
	// known only after apply.
	Desired map[string]any
	// Live is what the refresh read.
	Live map[string]any
	// LastApplied is the body azapply last sent (sensitive values hashed).
	LastApplied map[string]any
	// Output is the body read right after the last apply.
	Output map[string]any
	// Managed is true when the state records the resource: without it,
	// nothing is known of the last apply.
	Managed bool
}

// Comparison is what the diff found.
type Comparison struct {
	// Changes are the paths apply will change.
	Changes []PathChange
	// KeptDifferently are declared values the service keeps in its own way
	// (it answered so right after the last apply, the configuration still
	// asks for the same value, and the live value is still that answer): no
	// action, listed so that nothing is hidden.
	KeptDifferently []PathChange
}

// Diff compares a desired body with a live one with no state and no rules:
// the paths where they differ.
func Diff(desired, live map[string]any) []PathChange {
	c, _ := Compare(Bodies{Desired: desired, Live: live}, Rules{})
	return c.Changes
}

// Compare is the three-way diff of DESIGN.md. It fails only when a rule path
// is malformed.
func Compare(b Bodies, r Rules) (Comparison, error) {
	rules, err := r.Compile()
	if err != nil {
		return Comparison{}, err
	}
	d := &differ{b: b, r: rules, ix: keyIndexes{}}
	d.value(nil, b.Desired, b.Live, b.Live != nil)
	return d.out, nil
}

type differ struct {
	b   Bodies
	r   *Compiled
	ix  keyIndexes
	out Comparison
	// strict compares a request body (as Desired) with live: a live value
	// the request leaves out is a change (the write drops it), whatever
	// the state says, except ARM's bookkeeping and masked secrets.
	strict bool
	// declared is the declared body of a strict comparison: its arrays,
	// not the request's, choose how elements are matched, as in the diff.
	declared map[string]any
}

func (d *differ) change(path bodypath.Path, before, after any) {
	reason := d.r.forcesReplacement(path)
	d.out.Changes = append(d.out.Changes, PathChange{
		Path: path.String(), Before: d.r.Redact(path, before), After: d.r.Redact(path, after),
		Sensitive:     d.r.changeSensitive(path, before, after),
		ForcesReplace: reason != "", ReplaceReason: reason,
	})
}

// differs records a difference between a declared and a live value, unless
// it is one the service keeps differently.
func (d *differ) differs(path bodypath.Path, want, got any) {
	if d.keptDifferently(path, want, got) {
		d.out.KeptDifferently = append(d.out.KeptDifferently, PathChange{
			Path: path.String(), Before: d.r.Redact(path, got), After: d.r.Redact(path, want), Sensitive: d.r.changeSensitive(path, got, want),
		})
		return
	}
	d.change(path, got, want)
}

// keptDifferently: the configuration asks for what was sent last time, the
// service answered something else right after that apply, and the live value
// is still that answer.
func (d *differ) keptDifferently(path bodypath.Path, want, got any) bool {
	if !d.b.Managed || isUnknown(want) {
		return false
	}
	sent, ok := d.ix.lookup(d.b.LastApplied, path)
	if !ok || !d.sameAsSent(path, sent, want) {
		return false
	}
	answered, ok := d.ix.lookup(d.b.Output, path)
	return ok && d.equalLive(path, answered, got)
}

// sameAsSent reports whether the configuration asks for what was sent last
// time. Sensitive values inside it (an array of app settings whose values
// are secrets, say) are stored hashed, so the comparison goes member by
// member, matching each hash against the clear value.
func (d *differ) sameAsSent(path bodypath.Path, sent, want any) bool {
	if d.r.secretEqual(sent, want) {
		return true
	}
	switch sv := sent.(type) {
	case map[string]any:
		wv, ok := want.(map[string]any)
		if !ok || len(wv) != len(sv) {
			return false
		}
		for k, s := range sv {
			w, ok := wv[k]
			if !ok || !d.sameAsSent(path.Key(k), s, w) {
				return false
			}
		}
		return true
	case []any:
		wv, ok := want.([]any)
		if !ok || len(wv) != len(sv) {
			return false
		}
		for i := range sv {
			if !d.sameAsSent(path.Elem(i), sv[i], wv[i]) {
				return false
			}
		}
		return true
	}
	return Equal(path, sent, want)
}

// servicesOwn reports whether a live value that a request leaves out is
// the service's own: the last apply did not send it, and the service
// answered it, as it is now (a default, a read-only value). A write without
// it gets it again, so leaving it out changes nothing.
func (d *differ) servicesOwn(path bodypath.Path, got any) bool {
	if !d.b.Managed {
		return false
	}
	if _, sent := d.ix.lookup(d.b.LastApplied, path); sent {
		return false
	}
	answered, ok := d.ix.lookup(d.b.Output, path)
	return ok && (isTimestamp(answered) && isTimestamp(got) || d.equalLive(path, answered, got))
}

// plainlySent reports whether the configuration asks for what was sent
// with no value of it stored as a hash: the state hashes only sensitive
// values, so one that needed a hash to match is a secret.
func (d *differ) plainlySent(path bodypath.Path, sent, want any) bool {
	plain := *d.r
	plain.secretMatches = nil
	pd := &differ{r: &plain, ix: d.ix}
	return pd.sameAsSent(path, sent, want)
}

// equalLive compares two values read from the service, with the same rules
// as the diff, so that arrays matched by key compare alike.
func (d *differ) equalLive(path bodypath.Path, a, b any) bool {
	if d.r.secretEqual(a, b) {
		return true
	}
	probe := &differ{b: Bodies{}, r: d.r, ix: d.ix}
	probe.value(path, a, b, true)
	if len(probe.out.Changes) > 0 {
		return false
	}
	back := &differ{b: Bodies{}, r: d.r, ix: d.ix}
	back.value(path, b, a, true)
	return len(back.out.Changes) == 0
}

// value compares the declared want with the live got at path.
func (d *differ) value(path bodypath.Path, want, got any, present bool) {
	if d.r.ignored(path) {
		return
	}
	if isUnknown(want) {
		d.change(path, beforeOf(got, present), want)
		return
	}
	if !present || IsMasked(got) {
		d.missing(path, want, present)
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if !(got == nil && len(w) == 0) {
				d.differs(path, want, got)
			}
			return
		}
		d.object(path, w, g)
	case []any:
		g, ok := got.([]any)
		if !ok {
			if !(got == nil && len(w) == 0) {
				d.differs(path, want, got)
			}
			return
		}
		d.array(path, w, g)
	default:
		switch got.(type) {
		case map[string]any, []any:
			if !(want == nil && isEmpty(got)) {
				d.differs(path, want, got)
			}
			return
		}
		if !scalarEqual(path, want, got) {
			d.differs(path, want, got)
		}
	}
}

func (d *differ) object(path bodypath.Path, want, got map[string]any) {
	for _, k := range sortedKeys(want) {
		g, has := got[k]
		d.value(path.Key(k), want[k], g, has)
	}
	// A live key that is not declared is the service's (a default, a
	// read-only value), unless the last apply sent it: then the user removed
	// it from the configuration.
	for _, k := range sortedKeys(got) {
		if _, declared := want[k]; declared {
			continue
		}
		p := path.Key(k)
		if d.strict {
			if !d.r.ignored(p) && !isBookkeepingPath(p) && !IsMasked(got[k]) && !d.servicesOwn(p, got[k]) {
				d.change(p, got[k], Absent{})
			}
			continue
		}
		if d.r.ignored(p) || !d.b.Managed {
			continue
		}
		if sent, ok := d.ix.lookup(d.b.LastApplied, p); ok && !isEmpty(sent) {
			d.change(p, got[k], Absent{})
		}
	}
}

// missing handles a declared value the service did not return, or masked
// (then masked is true).
func (d *differ) missing(path bodypath.Path, want any, masked bool) {
	if isEmpty(want) {
		return // services leave out null, {} and []
	}
	if !d.b.Managed {
		d.change(path, Absent{}, want)
		return
	}
	if answered, ok := d.ix.lookup(d.b.Output, path); ok && !masked && !IsMasked(answered) && !isEmpty(answered) {
		// It came back after the last apply, and is gone now: removed
		// outside azapply. (A masked value is not gone: the service shows
		// that it holds one, and the state may keep the answer hashed.)
		d.change(path, Absent{}, want)
		return
	}
	if sent, ok := d.ix.lookup(d.b.LastApplied, path); ok && d.sameAsSent(path, sent, want) {
		// Write-only, and the configuration asks for what was sent: no
		// change. A value that does not look like a secret is listed, as
		// the service may have dropped it (a misspelled property, or one
		// the api-version does not have).
		if !masked && !d.strict && !d.r.IsSensitive(path, want) && d.plainlySent(path, sent, want) {
			d.out.KeptDifferently = append(d.out.KeptDifferently, PathChange{
				Path: path.String(), Before: Absent{}, After: d.r.Redact(path, want), NotReturned: true,
			})
		}
		return
	}
	d.change(path, Absent{}, want)
}

func (d *differ) array(path bodypath.Path, want, got []any) {
	if anyExact(d.r.unordered, path) {
		if !sameSet(path, want, got) {
			d.differs(path, want, got)
		}
		return
	}
	field := d.r.KeyField(path, want)
	if d.strict {
		field = ""
		if decl, ok := d.ix.lookup(d.declared, path); ok {
			if arr, ok := decl.([]any); ok {
				field = d.r.KeyField(path, arr)
			}
		}
	}
	if field == "" {
		d.byPosition(path, want, got)
		return
	}
	matched := make([]bool, len(got))
	for i, w := range want {
		k := KeyOf(w, field)
		p := path.Matched(i, field, k)
		j := d.ix.findKey(got, field, k, matched)
		if j < 0 {
			d.elementMissing(p, w)
			continue
		}
		matched[j] = true
		d.value(p, w, got[j], true)
	}
	for j, g := range got {
		if matched[j] {
			continue
		}
		k := KeyOf(g, field)
		if k == "" {
			d.extraElement(path.Elem(j), g)
			continue
		}
		d.extraElement(path.Matched(j, field, k), g)
	}
}

// findKey is the first element of arr with key k not taken yet, or -1.
func (ix keyIndexes) findKey(arr []any, field, k string, taken []bool) int {
	for _, j := range ix.positions(arr, field, k) {
		if !taken[j] {
			return j
		}
	}
	return -1
}

func (d *differ) byPosition(path bodypath.Path, want, got []any) {
	for i, w := range want {
		if i < len(got) {
			d.value(path.Elem(i), w, got[i], true)
			continue
		}
		d.elementMissing(path.Elem(i), w)
	}
	for j := len(want); j < len(got); j++ {
		d.extraElement(path.Elem(j), got[j])
	}
}

// elementMissing: a declared element the service does not have. Elements
// are never write-only, so it is a change, unless the service dropped it at
// the last apply and the configuration still asks for it (kept differently).
func (d *differ) elementMissing(path bodypath.Path, want any) {
	if d.r.ignored(path) {
		return
	}
	if d.b.Managed {
		sent, wasSent := d.ix.lookup(d.b.LastApplied, path)
		_, answered := d.ix.lookup(d.b.Output, path)
		if wasSent && !answered && d.sameAsSent(path, sent, want) {
			d.out.KeptDifferently = append(d.out.KeptDifferently, PathChange{
				Path: path.String(), Before: Absent{}, After: d.r.Redact(path, want), Sensitive: d.r.IsSensitive(path, want),
			})
			return
		}
	}
	d.change(path, Absent{}, want)
}

// extraElement: a live element that is not declared. It is a change when
// the last apply sent it (the user removed it) or when the output recorded
// after the last apply did not have it (it was added outside azapply, and
// the next PUT of the array would drop it). An element the service added at
// apply time, or one seen with no state, is not a change.
func (d *differ) extraElement(path bodypath.Path, got any) {
	if d.strict && !d.r.ignored(path) {
		if !d.servicesOwn(path, got) {
			d.change(path, got, Absent{})
		}
		return
	}
	if d.r.ignored(path) || !d.b.Managed {
		return
	}
	if _, sent := d.ix.lookup(d.b.LastApplied, path); sent {
		d.change(path, got, Absent{})
		return
	}
	if _, answered := d.ix.lookup(d.b.Output, path); !answered {
		d.change(path, got, Absent{})
	}
}

// sameSet compares two scalar arrays as multisets.
func sameSet(path bodypath.Path, a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
	for _, x := range a {
		found := false
		for j, y := range b {
			if !used[j] && Equal(path, x, y) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func beforeOf(got any, present bool) any {
	if !present {
		return Absent{}
	}
	return got
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// KeptDifferently lists the declared values the service answered
// differently right after an apply: what apply warns about once, and what
// later plans list under "Values the service keeps differently". sent is the
// body apply sent, answered the body it read back. Values the service does
// not return (write-only) are not listed.
func KeptDifferently(sent, answered map[string]any, r Rules) ([]PathChange, error) {
	c, err := Compare(Bodies{Desired: sent, Live: answered, LastApplied: sent, Output: answered, Managed: true}, r)
	return c.KeptDifferently, err
}
