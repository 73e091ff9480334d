package secret

import (
	"strings"
	"unicode"

	"github.com/azapply/azapply/bodypath"
)

// Step is one step of a path into a body: an object key, or (Elem) an array
// element. Paths belong to package bodypath; Step stays here for callers
// that build a path step by step with secret.Step{Key: k}.
type Step = bodypath.Step

// Named reports whether a string at path, in the body of the resource with
// the ARM ID id ("" when it is not known), is a secret by its name and its
// place. Callers check that the value is a string (or not yet known): an
// object or a boolean is never a secret by name.
func Named(id string, path []Step) bool {
	n := len(path)
	if n == 0 || path[n-1].Elem {
		return false
	}
	for _, s := range path[:n-1] {
		if !s.Elem && strings.EqualFold(s.Key, "tags") {
			return false // tag names and values are the user's words, never a secret by name
		}
	}
	name := path[n-1].Key
	if !mayName(name) && (n < 2 || !mayName(path[n-2].Key)) && (n < 3 || !mayName(path[n-3].Key)) {
		// No word here or in the two keys above it can make a secret: the
		// common case, decided without splitting words.
		return false
	}
	switch strings.ToLower(name) {
	case "customdata", "scmuri":
		// A VM's custom data holds bootstrap secrets; a site's scmUri
		// carries its publishing password.
		return true
	}
	if typeValue(id, path) || sslCertificateData(path) {
		return true
	}
	ws := Words(name)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	prev := ""
	if len(ws) > 1 {
		prev = ws[len(ws)-2]
	}
	switch last {
	case "password", "passwd", "pwd", "passphrase", "secret", "token":
		return true
	case "string":
		return prev == "connection"
	case "key":
		if prev == "" {
			return answerPlace(path[:n-1])
		}
		return !notSecretKey[prev]
	case "value":
		if secretValue[prev] {
			return true
		}
		if prev != "" || n < 2 {
			return false
		}
		if path[n-2].Elem {
			return n >= 3 && container(path[n-3])
		}
		// A deployment's parameters.adminPassword.value.
		return Named(id, path[:n-1])
	}
	if len(ws) == 1 {
		// An all-lower-case name is one word: adminpassword.
		for _, suffix := range []string{"password", "pwd", "secret", "connectionstring"} {
			if strings.HasSuffix(last, suffix) {
				return true
			}
		}
	}
	// A string directly in a map of keys: a function app's
	// functionKeys.default, a cache's accessKeys.primaryKey.
	return n >= 2 && container(path[n-2])
}

// notSecretKey are the words that, before "key", name something that is no
// secret: publicKey, partitionKey, a sort or routing key.
var notSecretKey = map[string]bool{
	"public": true, "partition": true, "unique": true, "shard": true, "sort": true,
	"row": true, "foreign": true, "routing": true, "lookup": true, "cache": true,
	"group": true, "tag": true, "label": true, "hash": true, "ssh": true, "idempotency": true,
}

// secretValue are the words that, before "value", name a secret's value:
// secretValue, a container environment's certificateValue (a PFX), a
// container group's environmentVariables[*].secureValue.
var secretValue = map[string]bool{"secret": true, "password": true, "token": true, "certificate": true, "secure": true}

// answerPlace reports whether a bare "key" (key1, key2) sits where an
// action's answer puts it: at the top of the body (a Cognitive Services
// account's listKeys), in an element of a list (a search service's
// listQueryKeys value[*].key), or in a map or element of keys. Elsewhere
// key1 is a user's word: a node label, a metadata entry, a timestamp.
func answerPlace(parent []Step) bool {
	if len(parent) == 0 {
		return true
	}
	if !parent[len(parent)-1].Elem {
		return container(parent[len(parent)-1])
	}
	for _, s := range parent[:len(parent)-1] {
		if !s.Elem && !strings.EqualFold(s.Key, "value") && !container(s) {
			return false
		}
	}
	return true
}

// container reports whether s is the key of a collection of secrets: keys,
// passwords, secrets, tokens (a storage account's keys, a registry's
// passwords, a container app's secrets), but not publicKeys or uniqueKeys.
func container(s Step) bool {
	if s.Elem {
		return false
	}
	ws := Words(s.Key)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	switch last {
	case "keys":
		return len(ws) == 1 || !notSecretKey[ws[len(ws)-2]]
	case "passwords", "secrets", "tokens":
		return true
	}
	return false
}

// sslCertificateData: an application gateway's sslCertificates[*].properties.data
// is a PFX with its private key (trusted root certificates' data is public).
func sslCertificateData(path []Step) bool {
	n := len(path)
	if n < 4 || !strings.EqualFold(path[n-1].Key, "data") || !strings.EqualFold(path[n-2].Key, "properties") || !path[n-3].Elem {
		return false
	}
	return strings.EqualFold(path[n-4].Key, "sslCertificates")
}

// typeValue: a Key Vault secret's properties.value is the secret itself,
// though "value" alone names nothing.
func typeValue(id string, path []Step) bool {
	if len(path) != 2 || !strings.EqualFold(path[0].Key, "properties") || !strings.EqualFold(path[1].Key, "value") {
		return false
	}
	return strings.EqualFold(ResourceType(id), "Microsoft.KeyVault/vaults/secrets")
}

// ResourceType returns the resource type of an ARM ID:
// Microsoft.KeyVault/vaults/secrets for
// /subscriptions/…/providers/Microsoft.KeyVault/vaults/v/secrets/s; "" when
// id has no provider.
func ResourceType(id string) string {
	i := strings.LastIndex(strings.ToLower(id), "/providers/")
	if i < 0 {
		return ""
	}
	segs := strings.Split(strings.Trim(id[i+len("/providers/"):], "/"), "/")
	if len(segs) < 2 {
		return ""
	}
	t := []string{segs[0]}
	for j := 1; j < len(segs); j += 2 {
		t = append(t, segs[j])
	}
	return strings.Join(t, "/")
}

// Words splits a property name into its lower-case words: adminPassword is
// admin, password; SASToken is sas, token; daprAIConnectionString is dapr,
// ai, connection, string; admin_password is admin, password. Digits at the
// end of the last word are dropped (key1 is key).
func Words(name string) []string {
	var out []string
	rs := []rune(name)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		p := rs[i-1]
		switch {
		case unicode.IsUpper(r) && (unicode.IsLower(p) || unicode.IsDigit(p)):
			flush(i) // adminPassword
			start = i
		case unicode.IsUpper(r) && unicode.IsUpper(p) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i) // SASToken
			start = i
		}
	}
	flush(len(rs))
	if n := len(out); n > 0 {
		w := strings.TrimRightFunc(out[n-1], unicode.IsDigit)
		if w == "" {
			out = out[:n-1]
		} else {
			out[n-1] = w
		}
	}
	return out
}

// triggers are the substrings, in lower case, of every name Named can find a
// secret by, itself or as the container or parent of one.
var triggers = []string{"pass", "pwd", "secret", "token", "key", "string", "value", "data", "customdata", "scmuri"}

// mayName reports, without allocating, whether name contains one of the
// triggers in any case: when neither a name nor its parents do, Named is
// false.
func mayName(name string) bool {
	for _, t := range triggers {
		if containsFold(name, t) {
			return true
		}
	}
	return false
}

// containsFold is strings.Contains ignoring ASCII case; lower is lower case.
func containsFold(s, lower string) bool {
	n := len(lower)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
