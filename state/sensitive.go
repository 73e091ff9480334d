package state

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/bodypath"
)

// redactedPrefix starts every value that Redact put in place of a sensitive
// one, so that readers can tell a hash from a clear value.
const redactedPrefix = "hmac-sha256:"

// Redact returns a deep copy of b in which the value at each of paths is
// replaced by its HMAC-SHA256 keyed with the state's salt. Paths are dotted
// (properties.adminPassword), with [*] for every element of an array and [N]
// for one (properties.users[*].password). A path absent from b is skipped;
// a value that is already a hash is kept as it is. The clear values are not
// kept anywhere. The salt is made on first use when the state has none.
func (s *State) Redact(b map[string]any, paths []string) (map[string]any, error) {
	out, _ := body.Copy(b).(map[string]any)
	if out == nil {
		return nil, nil
	}
	for _, p := range paths {
		pt, err := bodypath.Parse(p)
		if err != nil {
			return nil, fmt.Errorf("the sensitive path: %w; write paths like properties.adminPassword, properties.users[*].password or tags[\"a-key\"]", err)
		}
		bodypath.Replace(out, pt, s.redactValue)
	}
	return out, nil
}

// HashValue returns the salted HMAC that Redact stores in place of v.
func (s *State) HashValue(v any) string {
	if s.Salt == "" {
		s.Salt = newSalt()
	}
	mac := hmac.New(sha256.New, []byte(s.Salt))
	mac.Write(canonicalJSON(v))
	return redactedPrefix + hex.EncodeToString(mac.Sum(nil))
}

// SensitiveMatches reports whether stored, a value Redact produced, is the
// hash of clear: the diff's way to tell that a write-only secret is unchanged
// without ever storing it.
func (s *State) SensitiveMatches(stored, clear any) bool {
	h, ok := stored.(string)
	if !ok || !IsRedacted(h) {
		return false
	}
	return hmac.Equal([]byte(h), []byte(s.HashValue(clear)))
}

// IsRedacted reports whether v is a hash that Redact put in place of a
// sensitive value.
func IsRedacted(v any) bool {
	h, ok := v.(string)
	return ok && strings.HasPrefix(h, redactedPrefix) && len(h) == len(redactedPrefix)+64
}

// canonicalJSON encodes v with sorted keys and numbers in one spelling, so
// that equal values hash equally (3, 3.0 and json.Number("3") alike).
func canonicalJSON(v any) []byte {
	data, err := json.Marshal(canonicalNumbers(v))
	if err != nil {
		return []byte(fmt.Sprintf("%#v", v))
	}
	return data
}

func canonicalNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = canonicalNumbers(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = canonicalNumbers(e)
		}
		return a
	case json.Number:
		if f, err := v.Float64(); err == nil {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
		return v
	case float64:
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
	case int:
		return json.Number(strconv.Itoa(v))
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	default:
		return v
	}
}

func (s *State) redactValue(v any) any {
	if v == nil || IsRedacted(v) {
		return v
	}
	return s.HashValue(v)
}

// RecordApplied records what apply sent to the resource at address and the
// body it read back, with the values at the sensitive paths replaced by
// their salted HMAC in both, and clears the resource's operation in flight.
// It is the one call apply needs after a finished PUT or PATCH.
//
// With no sensitive paths the bodies are recorded as they are, not copied:
// like every body in a state, they are read-only from then on.
func (s *State) RecordApplied(address, id, apiVersion string, sent, output map[string]any, sensitive []string) error {
	lastApplied, out := sent, output
	if len(sensitive) > 0 {
		var err error
		if lastApplied, err = s.Redact(sent, sensitive); err != nil {
			return fmt.Errorf("%s: %w", address, err)
		}
		if out, err = s.Redact(output, sensitive); err != nil {
			return fmt.Errorf("%s: %w", address, err)
		}
	}
	// Shared with what the state already holds, as a decoded state's
	// bodies are (see compact): apply records thousands of bodies alike
	// but for a name and an ID, and each was decoded with its own copy of
	// every key. They are read-only from here on, as a decoded state's.
	if s.shared == nil {
		in := newInterner()
		s.shared = &in
	}
	lastApplied, out = s.shared.body(lastApplied), s.shared.body(out)
	s.Set(&Resource{Address: address, ID: id, APIVersion: apiVersion, LastApplied: lastApplied, Output: out})
	return nil
}
