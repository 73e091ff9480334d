package body

import (
	"regexp"
	"strings"
	"time"

	"github.com/azapply/azapply/bodypath"
)

// Drift lists every path where live differs from output, declared or
// not, leaving out server bookkeeping (etag, systemData, provisioningState,
// timestamps the service moves) and ignore_changes paths. desired marks
// which paths are declared.
func Drift(output, live, desired map[string]any, r Rules) ([]PathChange, error) {
	rules, err := r.Compile()
	if err != nil {
		return nil, err
	}
	d := &drifter{r: rules, desired: desired, ix: keyIndexes{}}
	d.value(nil, output, live)
	return d.out, nil
}

type drifter struct {
	r       *Compiled
	desired map[string]any
	ix      keyIndexes
	out     []PathChange
}

func (d *drifter) add(path bodypath.Path, before, after any) {
	_, declared := d.ix.lookup(d.desired, path)
	d.out = append(d.out, PathChange{
		Path: path.String(), Before: d.r.Redact(path, before), After: d.r.Redact(path, after),
		Sensitive: d.r.changeSensitive(path, before, after), Declared: declared, at: path,
	})
}

func (d *drifter) value(path bodypath.Path, was, now any) {
	if d.r.ignored(path) || bookkeeping(path, was, now) {
		return
	}
	if IsMasked(now) || IsMasked(was) {
		return // a placeholder tells nothing of the value behind it
	}
	switch w := was.(type) {
	case map[string]any:
		n, ok := now.(map[string]any)
		if !ok {
			if !(now == nil && len(w) == 0) {
				d.add(path, was, now)
			}
			return
		}
		for _, k := range sortedKeys(w) {
			p := path.Key(k)
			if v, has := n[k]; has {
				d.value(p, w[k], v)
			} else if !isEmpty(w[k]) && !d.r.ignored(p) && !bookkeeping(p, w[k], nil) {
				d.add(p, w[k], Absent{})
			}
		}
		for _, k := range sortedKeys(n) {
			p := path.Key(k)
			if _, has := w[k]; !has && !isEmpty(n[k]) && !d.r.ignored(p) && !bookkeeping(p, nil, n[k]) {
				d.add(p, Absent{}, n[k])
			}
		}
	case []any:
		n, ok := now.([]any)
		if !ok {
			if !(now == nil && len(w) == 0) {
				d.add(path, was, now)
			}
			return
		}
		d.array(path, w, n)
	default:
		if d.r.secretEqual(was, now) {
			return // the hash of a sensitive object or array, unchanged
		}
		switch now.(type) {
		case map[string]any, []any:
			if !(was == nil && isEmpty(now)) {
				d.add(path, was, now)
			}
			return
		}
		if !scalarEqual(path, was, now) && !d.r.secretEqual(was, now) {
			d.add(path, was, now)
		}
	}
}

func (d *drifter) array(path bodypath.Path, was, now []any) {
	if anyExact(d.r.unordered, path) {
		if !sameSet(path, was, now) {
			d.add(path, was, now)
		}
		return
	}
	// Match elements as the diff does when the array is declared, so that
	// drift and planned changes name a path alike.
	field := d.r.KeyField(path, was)
	if declared, ok := d.ix.lookup(d.desired, path); ok {
		if arr, ok := declared.([]any); ok && len(arr) > 0 {
			field = d.r.KeyField(path, arr)
		}
	}
	if field == "" || !distinctKeys(now, field) {
		for i := 0; i < len(was) || i < len(now); i++ {
			switch {
			case i >= len(now):
				d.add(path.Elem(i), was[i], Absent{})
			case i >= len(was):
				d.add(path.Elem(i), Absent{}, now[i])
			default:
				d.value(path.Elem(i), was[i], now[i])
			}
		}
		return
	}
	taken := make([]bool, len(now))
	for i, w := range was {
		k := KeyOf(w, field)
		j := d.ix.findKey(now, field, k, taken)
		if j < 0 {
			d.add(path.Matched(i, field, k), w, Absent{})
			continue
		}
		taken[j] = true
		d.value(path.Matched(i, field, k), w, now[j])
	}
	for j, n := range now {
		if !taken[j] {
			d.add(path.Matched(j, field, KeyOf(n, field)), Absent{}, n)
		}
	}
}

var timestampKey = regexp.MustCompile(`(?i)(time|timestamp|date|at|on|utc)$`)

// bookkeeping reports whether a path is server bookkeeping that moves on its
// own: etag, systemData, provisioningState, and timestamps the service sets
// (a key named like one whose values are both dates).
func bookkeeping(path bodypath.Path, was, now any) bool {
	k := path.LastKey()
	switch strings.ToLower(k) {
	case "etag", "systemdata", "provisioningstate":
		return true
	}
	if !timestampKey.MatchString(k) {
		return false
	}
	return (was == nil || isTimestamp(was)) && (now == nil || isTimestamp(now))
}

// WithoutBookkeeping is v without the server bookkeeping that Drift
// ignores (etag, systemData, provisioningState, timestamps the service
// moves): what is left changes only when the resource does.
func WithoutBookkeeping(v any) any {
	return withoutBookkeeping(nil, v)
}

func withoutBookkeeping(path bodypath.Path, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			p := path.Key(k)
			if bookkeeping(p, e, e) {
				continue
			}
			out[k] = withoutBookkeeping(p, e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutBookkeeping(path.Elem(i), e)
		}
		return out
	}
	return v
}

func isTimestamp(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// AcceptedOutput is the output to record when drift (what Drift found
// between output and live) is accepted into the state (apply
// --refresh-only): the live body, except that declared paths
// keep the value read right after the last apply. The plan still changes
// those back, and "values the service keeps differently" must keep
// comparing what was sent with what the service answered to it.
func AcceptedOutput(output, live map[string]any, drift []PathChange) map[string]any {
	out := Copy(live).(map[string]any)
	for _, pc := range drift {
		if !pc.Declared || len(pc.at) == 0 {
			continue
		}
		parentPath, last := pc.at[:len(pc.at)-1], pc.at[len(pc.at)-1]
		parent, ok := lookup(out, parentPath)
		if !ok {
			continue
		}
		was, had := lookup(output, pc.at)
		switch p := parent.(type) {
		case map[string]any:
			if had {
				p[last.Key] = Copy(was)
			} else {
				delete(p, last.Key)
			}
		case []any:
			if i := elementAt(p, last); i >= 0 && had {
				p[i] = Copy(was)
			}
		}
	}
	return out
}

func elementAt(arr []any, s bodypath.Step) int {
	if s.MatchField == "" {
		if s.Index < len(arr) {
			return s.Index
		}
		return -1
	}
	for i, e := range arr {
		if KeyOf(e, s.MatchField) == s.MatchValue {
			return i
		}
	}
	return -1
}
