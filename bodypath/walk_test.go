package bodypath

import (
	"encoding/json"
	"strings"
	"testing"
)

func body(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLookup(t *testing.T) {
	b := body(t, `{"properties":{"subnets":[{"name":"a","id":"x"},{"name":"App","id":"y"}],"n":[1,2]},"tags":{"a.b":"c"}}`)
	upper := func(arr []any, field, value string) int {
		for i, e := range arr {
			if s, _ := e.(map[string]any)[field].(string); strings.EqualFold(s, value) {
				return i
			}
		}
		return -1
	}
	tests := []struct {
		path  string
		find  Finder
		want  any
		found bool
	}{
		{"properties.subnets[1].id", nil, "y", true},
		{"properties.subnets[name=a].id", nil, "x", true},
		{"properties.subnets[name=app].id", nil, nil, false},
		{"properties.subnets[name=app].id", upper, "y", true},
		{"properties.subnets[5]", nil, nil, false},
		{"properties.subnets[*]", nil, nil, false},
		{`tags["a.b"]`, nil, "c", true},
		{"properties.n[1]", nil, 2.0, true},
		{"properties.n.x", nil, nil, false},
		{"location", nil, nil, false},
	}
	for _, tt := range tests {
		p, err := Parse(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := Lookup(b, p, tt.find)
		if ok != tt.found || (ok && got != tt.want) {
			t.Errorf("Lookup(%s) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.found)
		}
	}
}

func TestReplace(t *testing.T) {
	tests := []struct {
		pattern, in, want string
	}{
		{"properties.adminPassword", `{"properties":{"adminPassword":"p","x":1}}`, `{"properties":{"adminPassword":"#","x":1}}`},
		{"properties.users[*].password", `{"properties":{"users":[{"password":"a"},{"password":"b"},{"name":"c"}]}}`, `{"properties":{"users":[{"password":"#"},{"password":"#"},{"name":"c"}]}}`},
		{"keys[1]", `{"keys":["a","b"]}`, `{"keys":["a","#"]}`},
		{"keys[name=b].v", `{"keys":[{"name":"a","v":1},{"name":"b","v":2}]}`, `{"keys":[{"name":"a","v":1},{"name":"b","v":"#"}]}`},
		{"keys[name=B].v", `{"keys":[{"name":"a","v":1},{"name":"b","v":2}]}`, `{"keys":[{"name":"a","v":1},{"name":"b","v":"#"}]}`},
		{"properties.customsetting", `{"properties":{"customSetting":"s","x":1}}`, `{"properties":{"customSetting":"#","x":1}}`},
		{"Properties.Users[*].Password", `{"properties":{"users":[{"password":"a"}]}}`, `{"properties":{"users":[{"password":"#"}]}}`},
		{"missing.deeper", `{"a":1}`, `{"a":1}`},
		{"a.b", `{"a":[1]}`, `{"a":[1]}`},
		{"a[0]", `{"a":{"0":1}}`, `{"a":{"0":1}}`},
	}
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		b := body(t, tt.in)
		Replace(b, p, func(any) any { return "#" })
		got, _ := json.Marshal(b)
		want, _ := json.Marshal(body(t, tt.want))
		if string(got) != string(want) {
			t.Errorf("Replace(%s) = %s, want %s", tt.pattern, got, want)
		}
	}
}
