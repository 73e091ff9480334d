package secret

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// Hidden is what Values.Redact writes in place of a secret.
const Hidden = "(sensitive value)"

// MinLength is the length under which a value is not searched for in text:
// a one- or two-character secret would hide every such letter of a message,
// and a guess of three characters is no secret worth the noise.
const MinLength = 4

// Values are the clear secrets known to a run (sensitive variables, values
// at sensitive paths), kept in memory only, so that text from elsewhere (an
// ARM error that quotes the request) can be cleaned of them before it is
// printed or logged. It is safe for concurrent use.
type Values struct {
	mu   sync.RWMutex
	seen map[string]bool
	list []string // longest first, with their JSON-escaped forms
}

// Add records secrets; those shorter than MinLength are ignored.
func (v *Values) Add(secrets ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]bool{}
	}
	for _, s := range secrets {
		for _, form := range forms(s) {
			if len(form) < MinLength || v.seen[form] {
				continue
			}
			v.seen[form] = true
			v.list = append(v.list, form)
		}
	}
	sort.Slice(v.list, func(i, j int) bool { return len(v.list[i]) > len(v.list[j]) })
}

// forms are s and the spellings a JSON body gives it.
func forms(s string) []string {
	out := []string{s}
	if b, err := json.Marshal(s); err == nil {
		if e := string(b[1 : len(b)-1]); e != s {
			out = append(out, e)
		}
	}
	return out
}

// Len is how many spellings of secrets v holds.
func (v *Values) Len() int {
	if v == nil {
		return 0
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.list)
}

// Redact returns text with every known secret replaced by Hidden. A text
// cut short ("…" or "..." at its end, as a long error body is) that ends in
// the start of a secret loses that start too.
func (v *Values) Redact(text string) string {
	if v == nil || text == "" {
		return text
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, s := range v.list {
		if strings.Contains(text, s) {
			text = strings.ReplaceAll(text, s, Hidden)
		}
	}
	for _, ellipsis := range []string{"...", "…"} {
		body, ok := strings.CutSuffix(text, ellipsis)
		if !ok {
			continue
		}
		for _, s := range v.list {
			for n := len(s) - 1; n >= MinLength; n-- {
				if strings.HasSuffix(body, s[:n]) {
					return body[:len(body)-n] + Hidden + ellipsis
				}
			}
		}
	}
	return text
}
