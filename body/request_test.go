package body

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMergedBody(t *testing.T) {
	cases := []struct {
		name                               string
		live, desired, lastApplied, output string
		rules                              Rules
		want                               string
	}{
		{name: "an undeclared live value survives a declared change",
			live:    `{"id":"/x","name":"x","type":"t","etag":"e","systemData":{"a":1},"location":"westus","sku":{"name":"Standard"},"properties":{"provisioningState":"Succeeded","publicNetworkAccess":"Disabled","loginServer":"x.azurecr.io"}}`,
			desired: `{"location":"westus","sku":{"name":"Premium"}}`, lastApplied: `{"location":"westus","sku":{"name":"Standard"}}`,
			want: `{"location":"westus","properties":{"loginServer":"x.azurecr.io","publicNetworkAccess":"Disabled"},"sku":{"name":"Premium"}}`},
		{name: "a path removed from the configuration is taken out",
			live: `{"tags":{"a":"1","b":"2"},"properties":{"x":1,"y":2}}`, desired: `{"tags":{"a":"1"},"properties":{"x":1}}`,
			lastApplied: `{"tags":{"a":"1","b":"2"},"properties":{"x":1,"y":2}}`,
			want:        `{"properties":{"x":1},"tags":{"a":"1"}}`},
		{name: "a tag added in the portal survives",
			live: `{"tags":{"a":"1","portal":"yes"}}`, desired: `{"tags":{"a":"2"}}`, lastApplied: `{"tags":{"a":"1"}}`,
			want: `{"tags":{"a":"2","portal":"yes"}}`},
		{name: "ignore_changes carries the live value",
			live: `{"properties":{"policies":{"p":1},"x":1}}`, desired: `{"properties":{"policies":{"p":2},"x":2}}`,
			rules: Rules{IgnoreChanges: []string{"properties.policies"}},
			want:  `{"properties":{"policies":{"p":1},"x":2}}`},
		{name: "an ignored path absent from live is not sent",
			live: `{"properties":{"x":1}}`, desired: `{"properties":{"policies":{"p":2},"x":2}}`,
			rules: Rules{IgnoreChanges: []string{"properties.policies"}},
			want:  `{"properties":{"x":2}}`},
		{name: "inline children that are not declared survive as read (a network's subnets)",
			live:    `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"app","id":"/s/app","etag":"e","properties":{"addressPrefix":"10.0.1.0/24","provisioningState":"Succeeded"}}]}}`,
			desired: `{"location":"westus","tags":{"env":"prod"},"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`,
			want:    `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"etag":"e","id":"/s/app","name":"app","properties":{"addressPrefix":"10.0.1.0/24","provisioningState":"Succeeded"}}]},"tags":{"env":"prod"}}`},
		{name: "a declared array owns its elements, each merged with the live one it matches",
			live:        `{"properties":{"rules":[{"name":"b","properties":{"p":2,"server":"s"}},{"name":"a","properties":{"p":1,"server":"s"}},{"name":"portal","properties":{"p":9}}]}}`,
			desired:     `{"properties":{"rules":[{"name":"a","properties":{"p":10}},{"name":"b","properties":{"p":2}}]}}`,
			lastApplied: `{"properties":{"rules":[{"name":"a","properties":{"p":1}},{"name":"b","properties":{"p":2}}]}}`,
			output:      `{"properties":{"rules":[{"name":"b","properties":{"p":2,"server":"s"}},{"name":"a","properties":{"p":1,"server":"s"}}]}}`,
			want:        `{"properties":{"rules":[{"name":"a","properties":{"p":10,"server":"s"}},{"name":"b","properties":{"p":2,"server":"s"}}]}}`},
		{name: "an element the service added at the last apply is kept",
			live:        `{"properties":{"traffic":[{"weight":100,"latest":true},{"weight":0,"label":"server"}]}}`,
			desired:     `{"properties":{"traffic":[{"weight":100,"latest":true}]}}`,
			lastApplied: `{"properties":{"traffic":[{"weight":100,"latest":true}]}}`,
			output:      `{"properties":{"traffic":[{"weight":100,"latest":true},{"weight":0,"label":"server"}]}}`,
			want:        `{"properties":{"traffic":[{"latest":true,"weight":100},{"label":"server","weight":0}]}}`},
		{name: "masked secrets are not sent back",
			live: `{"properties":{"password":"****","x":1}}`, desired: `{"properties":{"x":2}}`,
			want: `{"properties":{"x":2}}`},
		{name: "a declared object the service lacks is sent as declared",
			live: `{"location":"westus"}`, desired: `{"location":"westus","identity":{"type":"SystemAssigned"}}`,
			want: `{"identity":{"type":"SystemAssigned"},"location":"westus"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := Bodies{Live: obj(t, tc.live), Desired: obj(t, tc.desired), LastApplied: obj(t, tc.lastApplied), Output: obj(t, tc.output),
				Managed: tc.lastApplied != ""}
			got, err := mergedBody(b, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			if s := mustJSON(t, got); s != tc.want {
				t.Errorf("body = %s\nwant   %s", s, tc.want)
			}
		})
	}
}

func TestMergedBodyKeepsUnknowns(t *testing.T) {
	got, err := mergedBody(Bodies{Live: map[string]any{"properties": map[string]any{"x": 1.0, "y": 2.0}},
		Desired: map[string]any{"properties": map[string]any{"x": Unknown{}}}}, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	props := got["properties"].(map[string]any)
	if _, ok := props["x"].(Unknown); !ok || props["y"] != 2.0 {
		t.Fatalf("body = %#v; want x unknown and y kept", got)
	}
}

func TestDeclaredBody(t *testing.T) {
	live := obj(t, `{"properties":{"policies":{"p":1},"x":1,"portal":true}}`)
	desired := obj(t, `{"properties":{"x":2}}`)
	got, err := declaredBody(live, desired, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if s := mustJSON(t, got); s != `{"properties":{"x":2}}` {
		t.Errorf("body = %s", s)
	}
	got, err = declaredBody(live, desired, Rules{IgnoreChanges: []string{"properties.policies"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := mustJSON(t, got); s != `{"properties":{"policies":{"p":1},"x":2}}` {
		t.Errorf("with ignore_changes, body = %s", s)
	}
}

// TestRequestEffects checks that an update's paths are every effect of the
// request it sends: with update_body = "declared", each live value dropped.
func TestRequestEffects(t *testing.T) {
	live := obj(t, `{"id":"/x","etag":"e","location":"westus","sku":{"name":"Standard"},"properties":{"provisioningState":"Succeeded","publicNetworkAccess":"Disabled","adminUserEnabled":true}}`)
	desired := obj(t, `{"location":"westus","sku":{"name":"Premium"}}`)
	lastApplied := obj(t, `{"location":"westus","sku":{"name":"Standard"}}`)
	output := obj(t, `{"location":"westus","sku":{"name":"Standard"},"properties":{"publicNetworkAccess":"Enabled","adminUserEnabled":true}}`)
	for _, tc := range []struct {
		body UpdateBody
		want []string
	}{
		{UpdateMerge, []string{"sku.name"}},
		{UpdateDeclared, []string{"sku.name", "properties"}},
	} {
		t.Run(string(tc.body), func(t *testing.T) {
			b := Bodies{Desired: desired, Live: live, LastApplied: lastApplied, Output: output, Managed: true}
			req, err := BuildRequest("PUT", tc.body, b, Rules{})
			if err != nil {
				t.Fatal(err)
			}
			eff, err := requestEffects(req, b, Rules{})
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(eff.Changes); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("effects = %q, want %q", got, tc.want)
			}
			cmp, err := Compare(b, Rules{})
			if err != nil {
				t.Fatal(err)
			}
			all, err := Effects(req, b, Rules{}, cmp)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(all); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Effects = %q, want %q", got, tc.want)
			}
			for _, pc := range all {
				if want := pc.Path == "properties"; pc.Dropped != want {
					t.Errorf("%s: Dropped = %v, want %v", pc.Path, pc.Dropped, want)
				}
			}
		})
	}
}

// TestPatchKeepsIgnoredPaths: with update_method = "PATCH", a path under
// ignore_changes is neither set nor removed by the patch.
func TestPatchKeepsIgnoredPaths(t *testing.T) {
	b := Bodies{Live: obj(t, `{"sku":{"name":"Basic"},"tags":{"a":"portal"}}`), Desired: obj(t, `{"sku":{"name":"Standard"},"tags":{"a":"config"}}`),
		LastApplied: obj(t, `{"sku":{"name":"Basic"},"tags":{"a":"config"},"properties":{"x":1}}`), Managed: true}
	rules := Rules{IgnoreChanges: []string{"tags", "properties.x"}}
	req, err := BuildRequest("PATCH", UpdateMerge, b, rules)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, req.Body); got != `{"sku":{"name":"Standard"}}` {
		t.Errorf("patch = %s, want the sku only", got)
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
			got := mustJSON(t, patchFor(obj(t, tc.live), obj(t, tc.last), obj(t, tc.desired)))
			if got != tc.want {
				t.Fatalf("patchFor = %s, want %s", got, tc.want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
