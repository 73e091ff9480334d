package apply

import (
	"encoding/json"
	"testing"
)

func TestMergePatch(t *testing.T) {
	cases := []struct {
		name, before, after, want string
	}{
		{"no change", `{"a":1}`, `{"a":1}`, `{}`},
		{"changed leaf", `{"sku":{"name":"Standard"}}`, `{"sku":{"name":"Premium"}}`, `{"sku":{"name":"Premium"}}`},
		{"nested, only what changed", `{"properties":{"a":true,"b":1}}`, `{"properties":{"a":false,"b":1}}`, `{"properties":{"a":false}}`},
		{"added member", `{}`, `{"tags":{"env":"dev"}}`, `{"tags":{"env":"dev"}}`},
		{"removed member is null", `{"tags":{"env":"dev","team":"a"}}`, `{"tags":{"env":"dev"}}`, `{"tags":{"team":null}}`},
		{"removed object is null", `{"properties":{"x":{"y":1}}}`, `{"properties":{}}`, `{"properties":{"x":null}}`},
		{"arrays replaced whole", `{"a":[1,2,3]}`, `{"a":[1,2]}`, `{"a":[1,2]}`},
		{"object becomes scalar", `{"a":{"b":1}}`, `{"a":"x"}`, `{"a":"x"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after, want map[string]any
			for _, p := range []struct {
				s string
				v *map[string]any
			}{{tc.before, &before}, {tc.after, &after}, {tc.want, &want}} {
				if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
					t.Fatal(err)
				}
			}
			got := MergePatch(before, after)
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if string(gb) != string(wb) {
				t.Fatalf("MergePatch = %s, want %s", gb, wb)
			}
		})
	}
}

func TestPatchFor(t *testing.T) {
	cases := []struct {
		name, live, last, desired, want string
	}{
		{"nothing differs", `{"a":1,"b":{"c":2},"server":"x"}`, `{"a":1,"b":{"c":2}}`, `{"a":1,"b":{"c":2}}`, `{}`},
		{"changed outside azapply is set back", `{"a":2}`, `{"a":1}`, `{"a":1}`, `{"a":1}`},
		{"server-only members are left alone", `{"a":1,"etag":"x","properties":{"loginServer":"y"}}`, `{}`, `{"a":1,"properties":{}}`, `{}`},
		{"removed from the configuration is null", `{"a":1,"tags":{"x":"1"}}`, `{"a":1,"tags":{"x":"1"}}`, `{"a":1}`, `{"tags":null}`},
		{"nested removal", `{"p":{"x":1,"y":2}}`, `{"p":{"x":1,"y":2}}`, `{"p":{"x":1}}`, `{"p":{"y":null}}`},
		{"new member", `{}`, `{}`, `{"a":[1]}`, `{"a":[1]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var live, last, desired map[string]any
			for _, p := range []struct {
				s string
				v *map[string]any
			}{{tc.live, &live}, {tc.last, &last}, {tc.desired, &desired}} {
				if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := json.Marshal(PatchFor(live, last, desired))
			if string(got) != tc.want {
				t.Fatalf("PatchFor = %s, want %s", got, tc.want)
			}
		})
	}
}
