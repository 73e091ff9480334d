package config

import (
	"sort"
	"strings"

	"github.com/azapply/azapply/bodypath"
	"github.com/azapply/azapply/secret"
	"github.com/zclconf/go-cty/cty"
)

// sensitiveMark is the type of SensitiveMark.
type sensitiveMark string

// SensitiveMark is the cty mark carried by every sensitive value: values of
// sensitive variables, declared sensitive paths, and values found by name.
// cty keeps marks through expressions and functions, so a value computed
// from a secret is a secret too. ToJSONValue drops the marks; renderers and
// the state use Instance.Sensitive (the paths) instead.
const SensitiveMark = sensitiveMark("sensitive")

// markSensitive marks the values at the declared paths and the string
// values that package secret names a secret (in the body of the resource
// id), and returns the marked body with the full sorted list of sensitive
// paths.
func markSensitive(id string, body cty.Value, declared []string) (cty.Value, []string) {
	for _, p := range declared {
		steps, err := bodypath.Parse(p)
		if err != nil {
			continue
		}
		body = markPath(body, steps)
	}
	body = markByName(id, body)
	set := map[string]bool{}
	for _, p := range declared {
		set[p] = true
	}
	collectMarked(body, make(bodypath.Path, 0, 16), set)
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return body, out
}

// markPath marks the value at steps. A path into an unknown value marks the
// unknown value, since whatever it becomes holds the secret.
func markPath(v cty.Value, steps bodypath.Path) cty.Value {
	if len(steps) == 0 {
		return v.Mark(SensitiveMark)
	}
	if !v.IsKnown() {
		return v.Mark(SensitiveMark)
	}
	if v.IsNull() {
		return v
	}
	v, marks := v.Unmark()
	t := v.Type()
	s := steps[0]
	switch {
	case (t.IsObjectType() || t.IsMapType()) && !s.Elem:
		// Keys match case-insensitively, as ARM and bodypath read them.
		attrs := v.AsValueMap()
		found := false
		for k, e := range attrs {
			if strings.EqualFold(k, s.Key) {
				attrs[k] = markPath(e, steps[1:])
				found = true
			}
		}
		if !found {
			return v.WithMarks(marks)
		}
		return rebuild(t, attrs, nil).WithMarks(marks)
	case (t.IsTupleType() || t.IsListType()) && s.Elem:
		elems := v.AsValueSlice()
		for i := range elems {
			if stepNames(s, i, elems[i]) {
				elems[i] = markPath(elems[i], steps[1:])
			}
		}
		return rebuild(t, nil, elems).WithMarks(marks)
	}
	return v.WithMarks(marks)
}

// markByName marks the strings (and values not yet known) that package
// secret names a secret, in the body of the resource id ("" when unknown).
func markByName(id string, v cty.Value) cty.Value {
	out, _ := markByNameChanged(id, v, make(bodypath.Path, 0, 16))
	return out
}

// markByNameChanged is markByName, saying whether it marked anything, so
// that collections without secrets are not rebuilt.
func markByNameChanged(id string, v cty.Value, path bodypath.Path) (cty.Value, bool) {
	if len(path) > 0 && !path[len(path)-1].Elem {
		uv, _ := v.Unmark()
		if (!uv.IsKnown() || uv.Type() == cty.String) && secret.Named(id, path) {
			return v.Mark(SensitiveMark), true
		}
	}
	if !v.IsKnown() || v.IsNull() {
		return v, false
	}
	uv, marks := v.Unmark()
	t := uv.Type()
	switch {
	case t.IsObjectType() || t.IsMapType():
		var attrs map[string]cty.Value
		for it := uv.ElementIterator(); it.Next(); {
			k, e := it.Element()
			ne, changed := markByNameChanged(id, e, append(path, bodypath.Step{Key: k.AsString()}))
			if !changed {
				continue
			}
			if attrs == nil {
				attrs = uv.AsValueMap()
			}
			attrs[k.AsString()] = ne
		}
		if attrs == nil {
			return v, false
		}
		return rebuild(t, attrs, nil).WithMarks(marks), true
	case t.IsTupleType() || t.IsListType():
		var elems []cty.Value
		i := 0
		for it := uv.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			ne, changed := markByNameChanged(id, e, append(path, bodypath.Step{Elem: true}))
			if !changed {
				continue
			}
			if elems == nil {
				elems = uv.AsValueSlice()
			}
			elems[i] = ne
		}
		if elems == nil {
			return v, false
		}
		return rebuild(t, nil, elems).WithMarks(marks), true
	}
	return v, false
}

// rebuild makes a value of the same kind as t from new attributes or
// elements (marks on them are kept).
func rebuild(t cty.Type, attrs map[string]cty.Value, elems []cty.Value) cty.Value {
	switch {
	case t.IsObjectType():
		return cty.ObjectVal(attrs)
	case t.IsMapType():
		if len(attrs) == 0 {
			return cty.MapValEmpty(t.ElementType())
		}
		return cty.MapVal(attrs)
	case t.IsTupleType():
		return cty.TupleVal(elems)
	case t.IsListType():
		if len(elems) == 0 {
			return cty.ListValEmpty(t.ElementType())
		}
		return cty.ListVal(elems)
	}
	panic("rebuild: not a collection: " + t.FriendlyName())
}

// stepNames reports whether the element step s names the element e at
// position i: [*] every element, [N] one position, [field=value] the
// elements whose field is that string (case-insensitively). An element
// whose field is not known yet may become that one: it is named, so that
// a secret is never left unmarked.
func stepNames(s bodypath.Step, i int, e cty.Value) bool {
	switch {
	case s.All:
		return true
	case s.MatchField == "":
		return s.Index == i
	}
	e, _ = e.Unmark()
	if !e.IsKnown() {
		return true
	}
	if e.IsNull() || !(e.Type().IsObjectType() || e.Type().IsMapType()) {
		return false
	}
	var f cty.Value
	switch key := cty.StringVal(s.MatchField); {
	case e.Type().IsObjectType() && e.Type().HasAttribute(s.MatchField):
		f = e.GetAttr(s.MatchField)
	case e.Type().IsMapType() && e.HasIndex(key).True():
		f = e.Index(key)
	default:
		return false
	}
	f, _ = f.Unmark()
	if !f.IsKnown() {
		return true
	}
	if f.IsNull() {
		return false
	}
	if f.Type() == cty.Number {
		return f.AsBigFloat().Text('g', -1) == s.MatchValue
	}
	return f.Type() == cty.String && strings.EqualFold(f.AsString(), s.MatchValue)
}

// collectMarked adds the path of every marked value in v to set, with [*]
// for array elements.
func collectMarked(v cty.Value, path bodypath.Path, set map[string]bool) {
	// A marked body (body = jsondecode(var.secret_json)) has no path of its
	// own: each of its attributes is sensitive.
	rootMarked := false
	if v.IsMarked() {
		if len(path) > 0 {
			set[path.String()] = true
		}
		v, _ = v.Unmark()
		if len(path) > 0 {
			return
		}
		rootMarked = true
	}
	if !v.IsKnown() || v.IsNull() {
		return
	}
	t := v.Type()
	switch {
	case t.IsObjectType() || t.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if rootMarked {
				e = e.Mark(SensitiveMark)
			}
			// Appending in place: path is only read, as text, where a
			// mark is found, so siblings may reuse one backing array.
			collectMarked(e, append(path, bodypath.Step{Key: k.AsString()}), set)
		}
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectMarked(e, append(path, bodypath.Step{Elem: true, All: true}), set)
		}
	}
}

// SensitivePaths lists the paths of the marked values inside v, the way
// Instance.Sensitive writes them; a marked v itself is reported as "".
func SensitivePaths(v cty.Value) []string {
	set := map[string]bool{}
	if v.IsMarked() {
		set[""] = true
	}
	collectMarked(v, make(bodypath.Path, 0, 16), set)
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// SensitiveStrings returns the clear text of every sensitive value inside v
// (strings, and numbers as they print; never booleans, which would blank
// every true and false), for cleaning text that may quote them (an ARM error that echoes a request). Unknown values are
// skipped.
func SensitiveStrings(v cty.Value) []string {
	var out []string
	var walk func(v cty.Value, marked bool)
	walk = func(v cty.Value, marked bool) {
		if v.IsMarked() {
			marked = true
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return
		}
		t := v.Type()
		switch {
		case t == cty.String:
			if marked {
				out = append(out, v.AsString())
			}
		case t == cty.Number:
			if marked {
				out = append(out, v.AsBigFloat().Text('f', -1))
			}
		case t.IsObjectType() || t.IsMapType() || t.IsTupleType() || t.IsListType() || t.IsSetType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				walk(e, marked)
			}
		}
	}
	walk(v, false)
	return out
}

// SensitiveValues returns the clear text of every sensitive variable's
// value and of every sensitive value in the bodies, IDs and api-versions of
// the instances: what a run must never print.
func (c *Config) SensitiveValues(insts ...*Instance) []string {
	var out []string
	if c != nil {
		for _, v := range c.Variables {
			if v.Sensitive && v.Value != cty.NilVal {
				out = append(out, SensitiveStrings(v.Value.Mark(SensitiveMark))...)
			}
		}
	}
	for _, in := range insts {
		if in != nil && in.Body != cty.NilVal {
			out = append(out, SensitiveStrings(in.Body)...)
		}
	}
	return out
}
