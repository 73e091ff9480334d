package state

import (
	"bytes"

	"github.com/azapply/azapply/secret"
)

// hideNamed replaces, in r's recorded bodies, every string that package
// secret names a secret (a ConnectionString or a listKeys value the service
// returned, a password the configuration forgot to declare) with its salted
// hash, as Redact does for declared paths. The maps on the way are copied:
// the caller's bodies are left as they were.
func (s *State) hideNamed(r *Resource) {
	if r == nil {
		return
	}
	if b, ok := s.hideNamedIn(r.ID, r.LastApplied); ok {
		r.LastApplied = b
	}
	if b, ok := s.hideNamedIn(r.ID, r.Output); ok {
		r.Output = b
	}
	if op := r.InFlight; op != nil {
		if b, ok := s.hideNamedIn(r.ID, op.Sent); ok {
			cp := *op
			cp.Sent = b
			r.InFlight = &cp
		}
	}
}

func (s *State) hideNamedIn(id string, body map[string]any) (map[string]any, bool) {
	if body == nil {
		return nil, false
	}
	out, changed := secret.Redact(id, body, func(v any) any {
		if IsRedacted(v) {
			return v
		}
		return s.HashValue(v)
	})
	if !changed {
		return nil, false
	}
	m, _ := out.(map[string]any)
	return m, true
}

// HideSecrets hashes every secret by name in every recorded body and
// output, for a state written before azapply hashed them: what state show
// and state pull print passes through the same redaction as what apply
// records.
func (s *State) HideSecrets() {
	for _, r := range s.Resources {
		s.hideNamed(r)
	}
	for _, o := range s.Outputs {
		if o == nil || o.Sensitive {
			continue
		}
		if v, ok := secret.Redact("", o.Value, func(v any) any {
			if IsRedacted(v) {
				return v
			}
			return s.HashValue(v)
		}); ok {
			o.Value = v
		}
	}
}

// HoldsHashes reports whether a recorded body holds a salted hash in place
// of a secret: such a body cannot stand for the live one where a
// configuration reads its values, and callers read it again.
func HoldsHashes(v any) bool {
	switch v := v.(type) {
	case string:
		return IsRedacted(v)
	case map[string]any:
		for _, e := range v {
			if HoldsHashes(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if HoldsHashes(e) {
				return true
			}
		}
	}
	return false
}

// OutputValue is what the state records for an output whose value is v: a
// salted hash when the output is sensitive, else v with the secrets by name
// inside it hashed (an output that returns a whole listKeys answer).
func (s *State) OutputValue(v any, sensitive bool) any {
	if sensitive {
		return s.HashValue(v)
	}
	out, _ := secret.Redact("", v, func(v any) any {
		if IsRedacted(v) {
			return v
		}
		return s.HashValue(v)
	})
	return out
}

// OutputMatches reports whether the recorded output rec stands for the
// value v: a plan that finds them equal has no change to the output.
func (s *State) OutputMatches(rec *Output, v any, sensitive bool) bool {
	if rec == nil || rec.Sensitive != sensitive {
		return false
	}
	if sensitive {
		return s.SensitiveMatches(rec.Value, v)
	}
	return bytes.Equal(canonicalJSON(rec.Value), canonicalJSON(s.OutputValue(v, false)))
}
