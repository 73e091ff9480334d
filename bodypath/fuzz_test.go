package bodypath

import "testing"

// FuzzParse: paths come from users; parsing never panics, a path it
// accepts, written back, reads the same, and a parsed pattern matches the
// concrete path it names.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"location", "properties.rules[*].name", "a[0][1]", `tags["x.y"]`, `a["q\"]"]`, `tags["hidden-link:/x"]`,
		"properties.subnets[name=app].id", "a..b", "[*]", "", "[", `["\"]`, "a[*", ".", "x.y.z[12]", "a[b=c=d]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		back := p.String()
		again, err := Parse(back)
		if err != nil {
			t.Fatalf("%q reads, but %q, written back, does not: %v", s, back, err)
		}
		if again.String() != back {
			t.Fatalf("%q -> %q -> %q", s, back, again.String())
		}
		var path Path
		for _, st := range p {
			switch {
			case !st.Elem:
				path = path.Key(st.Key)
			case st.All:
				path = path.Elem(3)
			case st.MatchField != "":
				path = path.Matched(3, st.MatchField, st.MatchValue)
			default:
				path = path.Elem(st.Index)
			}
		}
		if !p.Match(path) || !p.MatchPrefix(path) {
			t.Fatalf("%q does not match the path it names (%s)", s, path)
		}
	})
}
