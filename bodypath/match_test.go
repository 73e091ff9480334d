package bodypath

import "testing"

func TestMatch(t *testing.T) {
	named := Path{}.Key("properties").Key("subnets").Matched(1, "name", "app").Key("id")
	tests := []struct {
		pattern       string
		path          Path
		prefix, exact bool
	}{
		{"properties.subnets", named, true, false},
		{"properties.subnets[*].id", named, true, true},
		{"properties.subnets[1].id", named, true, true},
		{"properties.subnets[0].id", named, false, false},
		{"Properties.Subnets[*].ID", named, true, true},
		{"properties.subnets.id", named, false, false},
		{"properties.subnets[*].id.x", named, false, false},
		{"tags", Path{}.Key("tags").Key("a.b"), true, false},
		{`tags["a.b"]`, Path{}.Key("tags").Key("a.b"), true, true},
		{"[*]", Path{}.Elem(4), true, true},
		{"[*]", Path{}.Key("a"), false, false},
		{"properties.subnets[name=app].id", named, true, true},
		{"properties.subnets[name=APP]", named, true, false},
		{"properties.subnets[name=db].id", named, false, false},
		{"properties.subnets[id=app].id", named, false, false},
		{"properties.subnets[name=app].id", Path{}.Key("properties").Key("subnets").Elem(1).Key("id"), false, false},
	}
	for _, tt := range tests {
		pt, err := Parse(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := pt.MatchPrefix(tt.path); got != tt.prefix {
			t.Errorf("%s MatchPrefix(%s) = %v", tt.pattern, tt.path, got)
		}
		if got := pt.Match(tt.path); got != tt.exact {
			t.Errorf("%s Match(%s) = %v", tt.pattern, tt.path, got)
		}
	}
}
