package export

import (
	"strconv"
	"strings"
	"unicode"
)

// identifier makes s a valid resource name: letters, digits, _ and -,
// starting with a letter (config's rule, stricter than HCL's). Other
// characters become _; a name that does not start with a letter gets r_ in
// front; an empty name is "r".
func identifier(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '-'):
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" {
		return "r"
	}
	if c := out[0]; !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		out = "r_" + out
	}
	return out
}

// namer hands out resource names, each once. Called in the order of the
// sorted IDs, it gives the same resources the same names every time.
type namer struct{ taken map[string]bool }

// name is the resource's name made an identifier; if that is taken, its
// type's last segment and the name; then with _2, _3….
func (n *namer) name(resourceName, typ string) string {
	base := identifier(resourceName)
	if !n.taken[strings.ToLower(base)] {
		n.taken[strings.ToLower(base)] = true
		return base
	}
	kind := typ[strings.LastIndex(typ, "/")+1:]
	base = identifier(kind + "_" + resourceName)
	cand := base
	for i := 2; n.taken[strings.ToLower(cand)]; i++ {
		cand = base + "_" + strconv.Itoa(i)
	}
	n.taken[strings.ToLower(cand)] = true
	return cand
}
