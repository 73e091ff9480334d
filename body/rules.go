package body

import (
	"fmt"
	"sort"
	"strings"

	"github.com/azapply/azapply/bodypath"
	"github.com/azapply/azapply/secret"
)

// Rules are the per-resource settings the diff obeys. Paths are bodypath
// patterns: dotted (properties.rules), with [*] for every element of an
// array and [N] for one.
type Rules struct {
	// IgnoreChanges are paths never diffed, the provider's and the resource's.
	IgnoreChanges []string
	// Sensitive are paths whose values are never printed.
	Sensitive []string
	// ArrayKeys names, per array path, the field that matches its elements.
	ArrayKeys map[string]string
	// Unordered are paths of scalar arrays compared as sets.
	Unordered []string
	// ReplaceOnChanges are paths whose change means delete-then-create.
	ReplaceOnChanges []string
	// Immutable are paths the service refused to change in place on this
	// resource type (learned by apply, kept in the state): their change
	// means delete-then-create too. A change of location always does.
	Immutable []string
	// UpdateInPlace are paths updated in place even when location or a
	// learned immutable path says otherwise (the resource's
	// update_in_place): the configuration overrides what azapply learned.
	UpdateInPlace []string
	// ID is the resource's ARM ID: what a property name means can depend on
	// the resource type (a Key Vault secret's properties.value).
	ID string
	// SecretMatches reports whether a value stored in the state (a salted
	// hash of a sensitive value) stands for clear. When nil, only equal
	// values match. The state package provides it (State.SensitiveMatches).
	SecretMatches func(stored, clear any) bool
}

// Compiled are Rules with their paths parsed once. Renderers ask it what
// is sensitive (IsSensitive, Redact); its zero value has no rule paths.
type Compiled struct {
	ignore, sensitive, unordered, replace []bodypath.Path
	// immutable are the learned paths and location; inPlace overrides them.
	immutable, inPlace []bodypath.Path
	arrayKeys          []arrayKey
	secretMatches      func(stored, clear any) bool
	id                 string
}

type arrayKey struct {
	at    bodypath.Path
	field string
}

// Compile parses every path of the rules; a malformed one is an error that
// names it.
func (r Rules) Compile() (*Compiled, error) {
	c := &Compiled{secretMatches: r.SecretMatches, id: r.ID}
	var problems []string
	parse := func(kind string, texts []string) []bodypath.Path {
		var out []bodypath.Path
		for _, t := range texts {
			p, err := bodypath.Parse(t)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", kind, err))
				continue
			}
			out = append(out, p)
		}
		return out
	}
	c.ignore = parse("ignore_changes", r.IgnoreChanges)
	c.sensitive = parse("sensitive", r.Sensitive)
	c.unordered = parse("unordered", r.Unordered)
	c.replace = parse("replace_on_changes", r.ReplaceOnChanges)
	c.immutable = parse("immutable", append([]string{"location"}, r.Immutable...))
	c.inPlace = parse("update_in_place", r.UpdateInPlace)
	keys := make([]string, 0, len(r.ArrayKeys))
	for k := range r.ArrayKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ps := parse("array_keys", []string{k})
		field := strings.TrimSpace(r.ArrayKeys[k])
		if len(ps) == 1 {
			if field == "" {
				problems = append(problems, fmt.Sprintf("array_keys: %q names no field", k))
				continue
			}
			c.arrayKeys = append(c.arrayKeys, arrayKey{at: ps[0], field: field})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return c, nil
}

func anyPrefix(ps []bodypath.Path, path bodypath.Path) bool {
	for _, p := range ps {
		if p.MatchPrefix(path) {
			return true
		}
	}
	return false
}

func anyExact(ps []bodypath.Path, path bodypath.Path) bool {
	for _, p := range ps {
		if p.Match(path) {
			return true
		}
	}
	return false
}

func (c *Compiled) ignored(path bodypath.Path) bool { return anyPrefix(c.ignore, path) }

// IsSensitive reports whether the value v at path is secret: declared so,
// or a string that package secret names a secret (a safety net for values
// the configuration forgot, and for what the service returns).
func (c *Compiled) IsSensitive(path bodypath.Path, v any) bool {
	if anyPrefix(c.sensitive, path) {
		return true
	}
	switch v.(type) {
	case string, Sensitive:
		return secret.Named(c.id, path)
	}
	return false
}

// changeSensitive reports whether a change from before to after at path
// is secret (either side being so).
func (c *Compiled) changeSensitive(path bodypath.Path, before, after any) bool {
	return c.IsSensitive(path, before) || c.IsSensitive(path, after)
}

// Why a path forces a replacement, as the plan shows it.
const (
	ReasonReplaceOnChanges = "replace_on_changes"
	ReasonLocation         = "the location of a resource cannot change in place"
	ReasonImmutable        = "the service refused to change it in place at an earlier apply (update_in_place overrides)"
)

// forcesReplacement returns why a change at path means delete-then-create
// ("" when it does not): it falls under a replace_on_changes path or
// contains one; or it is location, or a path the service refused to
// change in place, and update_in_place does not name it.
func (c *Compiled) forcesReplacement(path bodypath.Path) string {
	if underAny(c.replace, path) {
		return ReasonReplaceOnChanges
	}
	if underAny(c.immutable, path) && !anyPrefix(c.inPlace, path) {
		if len(path) == 1 && !path[0].Elem && path[0].Key == "location" {
			return ReasonLocation
		}
		return ReasonImmutable
	}
	return ""
}

// underAny reports whether path falls under one of ps, or contains one.
func underAny(ps []bodypath.Path, path bodypath.Path) bool {
	for _, p := range ps {
		if p.MatchPrefix(path) {
			return true
		}
		if len(path) < len(p) && p[:len(path)].Match(path) {
			return true
		}
	}
	return false
}

// KeyField chooses how the elements of the declared array at path are
// matched with the live ones: by the field the user named, else by name,
// else by id; "" means by position. A field is used only when every declared
// element is an object with a distinct scalar value for it.
func (c *Compiled) KeyField(path bodypath.Path, want []any) string {
	for _, ak := range c.arrayKeys {
		if ak.at.Match(path) && distinctKeys(want, ak.field) {
			return ak.field
		}
	}
	for _, f := range []string{"name", "id"} {
		if distinctKeys(want, f) {
			return f
		}
	}
	return ""
}

func distinctKeys(arr []any, field string) bool {
	if len(arr) == 0 {
		return false
	}
	seen := map[string]bool{}
	for _, e := range arr {
		k := KeyOf(e, field)
		if k == "" || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// Redact returns v with every sensitive value inside it (v itself when path
// is sensitive) replaced by a marker, so that no renderer and no plan file
// ever sees a secret.
func (c *Compiled) Redact(path bodypath.Path, v any) any {
	if IsAbsent(v) || isUnknown(v) {
		return v
	}
	if c.IsSensitive(path, v) {
		return Sensitive{}
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = c.Redact(path.Key(k), e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = c.Redact(path.Elem(i), e)
		}
		return out
	}
	return v
}

// secretEqual reports whether stored is the state's salted hash of clear
// (the state keeps sensitive values only so).
func (c *Compiled) secretEqual(stored, clear any) bool {
	return c.secretMatches != nil && c.secretMatches(stored, clear)
}
