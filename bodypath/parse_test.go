package bodypath

import (
	"strings"
	"testing"
)

// TestParse pins the syntax: what each form reads as (String of the
// result), and the error of each kind of mistake. The cases come from the
// three parsers this package replaced (config, plan, state).
func TestParse(t *testing.T) {
	tests := []struct {
		path    string
		want    string // String of the result; "" for an error
		wantErr string
	}{
		{"location", "location", ""},
		{"properties.rules[*].name", "properties.rules[*].name", ""},
		{"properties.rules[3]", "properties.rules[3]", ""},
		{"a[0][1].b", "a[0][1].b", ""},
		{"[*]", "[*]", ""},
		{`tags["hidden-link:/x"]`, `tags["hidden-link:/x"]`, ""},
		{`tags["a.b"]`, `tags["a.b"]`, ""},
		{`properties["adminPassword"]`, "properties.adminPassword", ""},
		{`a["q\"]"].b`, `a["q\"]"].b`, ""},
		{`a[""]`, `a[""]`, ""},
		{"tags.hidden-link:/x", `tags["hidden-link:/x"]`, ""},
		{"properties.subnets[name=app].id", "properties.subnets[name=app].id", ""},
		{"ipRules[value=10.0.0.1]", "ipRules[value=10.0.0.1]", ""},
		{"", "", "empty"},
		{"a..b", "", "empty name"},
		{".a", "", "empty name"},
		{"a.", "", "ends with a dot"},
		{"a[x]", "", "not an array index"},
		{"a[-1]", "", "not an array index"},
		{"a[=x]", "", "not an array index"},
		{"a[*", "", "not closed"},
		{"a[", "", "not closed"},
		{"a b", "", "unexpected"},
		{"a]", "", "unexpected"},
		{`a["x`, "", "not closed"},
		{`a["x"b]`, "", "expected ] after the quoted key"},
		{"a[0]b", "", "expected . or ["},
	}
	for _, tt := range tests {
		p, err := Parse(tt.path)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.path, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestPathBuilders: the steps the diff appends print as the plan shows them,
// and never change the path they extend.
func TestPathBuilders(t *testing.T) {
	base := Path{}.Key("properties").Key("subnets")
	a := base.Matched(0, "name", "app").Key("id")
	b := base.Elem(2)
	c := base.Key("hidden-link:/x")
	for _, tt := range []struct {
		p    Path
		want string
	}{
		{base, "properties.subnets"},
		{a, "properties.subnets[name=app].id"},
		{b, "properties.subnets[2]"},
		{c, `properties.subnets["hidden-link:/x"]`},
		{base.All().Key("name"), "properties.subnets[*].name"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String = %q, want %q", got, tt.want)
		}
	}
	if a.LastKey() != "id" || b.LastKey() != "subnets" || (Path{}).LastKey() != "" {
		t.Errorf("LastKey: %q %q", a.LastKey(), b.LastKey())
	}
}
