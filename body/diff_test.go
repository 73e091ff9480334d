package body

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// obj decodes a JSON object the way the ARM client does (numbers as
// json.Number), for compact test tables.
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func paths(pcs []PathChange) []string {
	out := []string{}
	for _, pc := range pcs {
		out = append(out, pc.Path)
	}
	return out
}

type diffCase struct {
	name                               string
	desired, live, lastApplied, output string
	managed                            bool
	rules                              Rules
	changes                            []string
	kept                               []string
}

func runDiffCases(t *testing.T, cases []diffCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(Bodies{
				Desired: obj(t, tc.desired), Live: obj(t, tc.live),
				LastApplied: obj(t, tc.lastApplied), Output: obj(t, tc.output),
				Managed: tc.managed,
			}, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.changes
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(paths(got.Changes), want) {
				t.Errorf("changes = %q, want %q (%+v)", paths(got.Changes), want, got.Changes)
			}
			wantKept := tc.kept
			if wantKept == nil {
				wantKept = []string{}
			}
			if !reflect.DeepEqual(paths(got.KeptDifferently), wantKept) {
				t.Errorf("kept differently = %q, want %q", paths(got.KeptDifferently), wantKept)
			}
		})
	}
}

func TestCompareBasics(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "equal", desired: `{"a":"x"}`, live: `{"a":"x"}`},
		{name: "changed leaf", desired: `{"sku":{"name":"Premium"}}`, live: `{"sku":{"name":"Standard"}}`, changes: []string{"sku.name"}},
		{name: "server adds read-only values", desired: `{"a":1}`, live: `{"a":1,"id":"/subscriptions/x","properties":{"provisioningState":"Succeeded"}}`},
		{name: "type mismatch", desired: `{"a":{"b":1}}`, live: `{"a":"b"}`, changes: []string{"a"}},
		{name: "empty object vs absent", desired: `{"tags":{}}`, live: `{}`},
		{name: "empty array vs absent", desired: `{"rules":[]}`, live: `{}`},
		{name: "null vs absent", desired: `{"x":null}`, live: `{}`},
		{name: "empty object vs null", desired: `{"tags":{}}`, live: `{"tags":null}`},
		{name: "quoted key path", desired: `{"tags":{"hidden-link:/x":"a"}}`, live: `{"tags":{"hidden-link:/x":"b"}}`, changes: []string{`tags["hidden-link:/x"]`}},
	})
}

func TestCompareNormalization(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "location display name", desired: `{"location":"West US 2"}`, live: `{"location":"westus2"}`},
		{name: "nested locationName", desired: `{"p":{"locations":[{"locationName":"South Central US"}]}}`, live: `{"p":{"locations":[{"locationName":"southcentralus"}]}}`},
		{name: "location really differs", desired: `{"location":"westus"}`, live: `{"location":"eastus"}`, changes: []string{"location"}},
		{name: "resource ID case", desired: `{"p":{"subnet":{"id":"/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/a"}}}`, live: `{"p":{"subnet":{"id":"/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualNetworks/v/subnets/a"}}}`},
		{name: "resource ID really differs", desired: `{"p":{"id":"/subscriptions/s/resourceGroups/rg/x/a"}}`, live: `{"p":{"id":"/subscriptions/s/resourceGroups/rg/x/b"}}`, changes: []string{"p.id"}},
		{name: "role definition rescoped", desired: `{"p":{"roleDefinitionId":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/abc"}}`, live: `{"p":{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/abc"}}`},
		{name: "type casing", desired: `{"type":"Microsoft.ContainerService/managedClusters"}`, live: `{"type":"Microsoft.ContainerService/ManagedClusters"}`},
		{name: "name casing at top", desired: `{"name":"recordA"}`, live: `{"name":"recorda"}`},
		{name: "nested name casing is a value", desired: `{"p":{"name":"A"}}`, live: `{"p":{"name":"a"}}`, changes: []string{"p.name"}},
		{name: "string true vs bool", desired: `{"a":"true"}`, live: `{"a":true}`},
		{name: "bool vs string True", desired: `{"a":true}`, live: `{"a":"True"}`},
		{name: "string false vs bool true", desired: `{"a":"false"}`, live: `{"a":true}`, changes: []string{"a"}},
		{name: "string 3 vs number", desired: `{"a":"3"}`, live: `{"a":3}`},
		{name: "number vs string 3", desired: `{"a":3}`, live: `{"a":"3"}`},
		{name: "number vs other string", desired: `{"a":3}`, live: `{"a":"three"}`, changes: []string{"a"}},
		{name: "numbers by value", desired: `{"a":80.50,"b":1e2}`, live: `{"a":80.5,"b":100}`},
		{name: "numbers differ", desired: `{"a":1}`, live: `{"a":2}`, changes: []string{"a"}},
		{name: "masked stars are absent", desired: `{"p":{"pw":"x"}}`, live: `{"p":{"pw":"****"}}`, lastApplied: `{"p":{"pw":"x"}}`, output: `{"p":{"pw":"****"}}`, managed: true},
		{name: "masked redacted is absent", desired: `{"p":{"k":"x"}}`, live: `{"p":{"k":"<redacted>"}}`, lastApplied: `{"p":{"k":"x"}}`, output: `{"p":{}}`, managed: true},
		{name: "masked with new value is a change", desired: `{"p":{"k":"y"}}`, live: `{"p":{"k":"****"}}`, lastApplied: `{"p":{"k":"x"}}`, output: `{"p":{}}`, managed: true, changes: []string{"p.k"}},
	})
}

func TestCompareThreeWay(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "a value the service never returned, not named like a secret, is listed", desired: `{"p":{"publicNetworkAcces":"Disabled"}}`, live: `{"p":{}}`, lastApplied: `{"p":{"publicNetworkAcces":"Disabled"}}`, output: `{"p":{}}`, managed: true, kept: []string{"p.publicNetworkAcces"}},
		{name: "a masked value whose answer the state hashed is no change", desired: `{"p":{"password":"****"}}`, live: `{"p":{"password":"****"}}`, lastApplied: `{"p":{"password":"****"}}`, output: `{"p":{"password":"hmac:x"}}`, managed: true},
		{name: "write-only unchanged", desired: `{"p":{"password":"s3cret"}}`, live: `{"p":{}}`, lastApplied: `{"p":{"password":"s3cret"}}`, output: `{"p":{}}`, managed: true},
		{name: "write-only changed in config", desired: `{"p":{"pw":"new"}}`, live: `{"p":{}}`, lastApplied: `{"p":{"pw":"old"}}`, output: `{"p":{}}`, managed: true, changes: []string{"p.pw"}},
		{name: "write-only hashed in state", desired: `{"p":{"pw":"s3cret"}}`, live: `{"p":{}}`, lastApplied: `{"p":{"pw":"hmac:1"}}`, output: `{"p":{}}`, managed: true,
			rules: Rules{SecretMatches: func(stored, clear any) bool { return stored == "hmac:1" && clear == "s3cret" }}},
		{name: "write-only array with hashed values inside", desired: `{"s":{"app":[{"name":"A","value":"s3cret"},{"name":"B","value":"plain"}]}}`, live: `{"s":{}}`,
			lastApplied: `{"s":{"app":[{"name":"A","value":"hmac:1"},{"name":"B","value":"plain"}]}}`, output: `{"s":{}}`, managed: true,
			rules: Rules{SecretMatches: func(stored, clear any) bool { return stored == "hmac:1" && clear == "s3cret" }}},
		{name: "write-only array with a secret changed", desired: `{"s":{"app":[{"name":"A","value":"other"}]}}`, live: `{"s":{}}`,
			lastApplied: `{"s":{"app":[{"name":"A","value":"hmac:1"}]}}`, output: `{"s":{}}`, managed: true, changes: []string{"s.app"},
			rules: Rules{SecretMatches: func(stored, clear any) bool { return stored == "hmac:1" && clear == "s3cret" }}},
		{name: "removed outside azapply", desired: `{"p":{"a":"x"}}`, live: `{"p":{}}`, lastApplied: `{"p":{"a":"x"}}`, output: `{"p":{"a":"x"}}`, managed: true, changes: []string{"p.a"}},
		{name: "absent with no state", desired: `{"p":{"a":"x"}}`, live: `{"p":{}}`, changes: []string{"p.a"}},
		{name: "newly declared path absent", desired: `{"p":{"a":"x","b":"y"}}`, live: `{"p":{"a":"x"}}`, lastApplied: `{"p":{"a":"x"}}`, output: `{"p":{"a":"x"}}`, managed: true, changes: []string{"p.b"}},
		{name: "server default not declared", desired: `{"p":{"a":"x"}}`, live: `{"p":{"a":"x","d":1}}`, lastApplied: `{"p":{"a":"x"}}`, output: `{"p":{"a":"x","d":1}}`, managed: true},
		{name: "removed from config by user", desired: `{"p":{}}`, live: `{"p":{"a":"x"}}`, lastApplied: `{"p":{"a":"x"}}`, output: `{"p":{"a":"x"}}`, managed: true, changes: []string{"p.a"}},
		{name: "removed object from config", desired: `{}`, live: `{"tags":{"a":"b"}}`, lastApplied: `{"tags":{"a":"b"}}`, output: `{"tags":{"a":"b"}}`, managed: true, changes: []string{"tags"}},
		{name: "unknown is a change", desired: `{"a":"x"}`, live: `{"a":"x"}`},
	})
	t.Run("unknown value", func(t *testing.T) {
		c, _ := Compare(Bodies{Desired: map[string]any{"a": Unknown{}}, Live: map[string]any{"a": "x"}}, Rules{})
		if len(c.Changes) != 1 || c.Changes[0].Path != "a" || c.Changes[0].Before != "x" {
			t.Fatalf("changes = %+v, want a: x -> (known after apply)", c.Changes)
		}
	})
}

func TestCompareKeptDifferently(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "service keeps its own value", desired: `{"p":{"v":"1.29"}}`, live: `{"p":{"v":"1.29.7"}}`, lastApplied: `{"p":{"v":"1.29"}}`, output: `{"p":{"v":"1.29.7"}}`, managed: true, kept: []string{"p.v"}},
		{name: "configuration changed: a change again", desired: `{"p":{"v":"1.30"}}`, live: `{"p":{"v":"1.29.7"}}`, lastApplied: `{"p":{"v":"1.29"}}`, output: `{"p":{"v":"1.29.7"}}`, managed: true, changes: []string{"p.v"}},
		{name: "live drifted: a change again", desired: `{"p":{"v":"1.29"}}`, live: `{"p":{"v":"1.28.1"}}`, lastApplied: `{"p":{"v":"1.29"}}`, output: `{"p":{"v":"1.29.7"}}`, managed: true, changes: []string{"p.v"}},
		{name: "not managed: a change", desired: `{"p":{"v":"1.29"}}`, live: `{"p":{"v":"1.29.7"}}`, changes: []string{"p.v"}},
		{name: "array the service fills in", desired: `{"zones":["1"]}`, live: `{"zones":["1","2"]}`, lastApplied: `{"zones":["1"]}`, output: `{"zones":["1","2"]}`, managed: true},
	})
}

func TestCompareIgnoreChanges(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "ignored leaf", desired: `{"p":{"a":1,"b":1}}`, live: `{"p":{"a":2,"b":2}}`, rules: Rules{IgnoreChanges: []string{"p.a"}}, changes: []string{"p.b"}},
		{name: "ignored subtree", desired: `{"tags":{"env":"x"}}`, live: `{"tags":{"env":"y","policy":"z"}}`, rules: Rules{IgnoreChanges: []string{"tags"}}},
		{name: "policy tags: provider ignore on a key", desired: `{"tags":{"env":"x"}}`, live: `{"tags":{"env":"x","CostCenter":"1"}}`, lastApplied: `{"tags":{"env":"x","CostCenter":"1"}}`, output: `{"tags":{"env":"x"}}`, managed: true, rules: Rules{IgnoreChanges: []string{"tags.CostCenter"}}},
		{name: "wildcard element", desired: `{"p":{"subnets":[{"name":"a","x":1},{"name":"b","x":1}]}}`, live: `{"p":{"subnets":[{"name":"a","x":2},{"name":"b","x":3}]}}`, rules: Rules{IgnoreChanges: []string{"p.subnets[*].x"}}},
		{name: "position element", desired: `{"p":[1,2]}`, live: `{"p":[1,3]}`, rules: Rules{IgnoreChanges: []string{"p[1]"}}},
		{name: "key case-insensitive", desired: `{"Properties":{"a":1}}`, live: `{"Properties":{"a":2}}`, rules: Rules{IgnoreChanges: []string{"properties.a"}}},
	})
}

func TestCompareArrays(t *testing.T) {
	runDiffCases(t, []diffCase{
		{name: "reordered by name", desired: `{"s":[{"name":"a","v":1},{"name":"b","v":2}]}`, live: `{"s":[{"name":"b","v":2},{"name":"a","v":1}]}`},
		{name: "name case-insensitive", desired: `{"s":[{"name":"A","v":1}]}`, live: `{"s":[{"name":"a","v":1}]}`},
		{name: "changed element by name", desired: `{"s":[{"name":"a","v":1},{"name":"b","v":2}]}`, live: `{"s":[{"name":"b","v":3},{"name":"a","v":1}]}`, changes: []string{"s[name=b].v"}},
		{name: "missing element", desired: `{"s":[{"name":"a"},{"name":"b"}]}`, live: `{"s":[{"name":"a"}]}`, changes: []string{"s[name=b]"}},
		{name: "reordered by id", desired: `{"s":[{"id":"/subscriptions/x/a"},{"id":"/subscriptions/x/b"}]}`, live: `{"s":[{"id":"/subscriptions/X/B"},{"id":"/subscriptions/x/a"}]}`},
		{name: "reordered by user key", desired: `{"p":{"rules":[{"priority":100,"a":"x"},{"priority":200,"a":"y"}]}}`, live: `{"p":{"rules":[{"priority":200,"a":"y"},{"priority":100,"a":"x"}]}}`, rules: Rules{ArrayKeys: map[string]string{"p.rules": "priority"}}},
		{name: "user key change", desired: `{"p":{"rules":[{"priority":100,"a":"x"}]}}`, live: `{"p":{"rules":[{"priority":100,"a":"z"}]}}`, rules: Rules{ArrayKeys: map[string]string{"p.rules": "priority"}}, changes: []string{"p.rules[priority=100].a"}},
		{name: "reordered without key is a change", desired: `{"p":{"rules":[{"a":"x"},{"a":"y"}]}}`, live: `{"p":{"rules":[{"a":"y"},{"a":"x"}]}}`, changes: []string{"p.rules[0].a", "p.rules[1].a"}},
		{name: "unordered scalars", desired: `{"zones":["1","2","3"]}`, live: `{"zones":["3","1","2"]}`, rules: Rules{Unordered: []string{"zones"}}},
		{name: "unordered scalars differ", desired: `{"zones":["1","2"]}`, live: `{"zones":["1","3"]}`, rules: Rules{Unordered: []string{"zones"}}, changes: []string{"zones"}},
		{name: "ordered scalars reordered", desired: `{"zones":["1","2"]}`, live: `{"zones":["2","1"]}`, changes: []string{"zones[0]", "zones[1]"}},
		{name: "nested unordered with wildcard", desired: `{"s":[{"name":"a","p":["x","y"]}]}`, live: `{"s":[{"name":"a","p":["y","x"]}]}`, rules: Rules{Unordered: []string{"s[*].p"}}},
		{name: "element added outside", desired: `{"s":[{"name":"a"}]}`, live: `{"s":[{"name":"a"},{"name":"b"}]}`, lastApplied: `{"s":[{"name":"a"}]}`, output: `{"s":[{"name":"a"}]}`, managed: true, changes: []string{"s[name=b]"}},
		{name: "element removed from config", desired: `{"s":[{"name":"a"}]}`, live: `{"s":[{"name":"a"},{"name":"b"}]}`, lastApplied: `{"s":[{"name":"a"},{"name":"b"}]}`, output: `{"s":[{"name":"a"},{"name":"b"}]}`, managed: true, changes: []string{"s[name=b]"}},
		{name: "element the service added", desired: `{"s":[{"name":"a"}]}`, live: `{"s":[{"name":"a"},{"name":"default"}]}`, lastApplied: `{"s":[{"name":"a"}]}`, output: `{"s":[{"name":"a"},{"name":"default"}]}`, managed: true},
		{name: "extra element with no state", desired: `{"s":[{"name":"a"}]}`, live: `{"s":[{"name":"a"},{"name":"b"}]}`},
		{name: "position: longer live unmanaged", desired: `{"s":[1]}`, live: `{"s":[1,2]}`},
		{name: "position: missing element", desired: `{"s":[1,2]}`, live: `{"s":[1]}`, changes: []string{"s[1]"}},
	})
}

func TestCompareRuleErrors(t *testing.T) {
	for _, bad := range []string{"", "a..b", "a[", "a[x]", "a.", ".a"} {
		_, err := Compare(Bodies{Desired: map[string]any{}}, Rules{IgnoreChanges: []string{bad}})
		if err == nil {
			t.Errorf("ignore_changes %q: no error", bad)
		}
	}
}

func TestSensitiveValuesAreRedacted(t *testing.T) {
	c, err := Compare(Bodies{
		Desired: obj(t, `{"p":{"adminPassword":"hunter2","users":[{"name":"a","token":"t1"}]}}`),
		Live:    obj(t, `{"p":{"adminPassword":"old","users":[]}}`),
	}, Rules{Sensitive: []string{"p.users[*].token"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c.Changes)
	for _, secret := range []string{"hunter2", "old", "t1"} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("secret %q appears in %s", secret, b)
		}
	}
	if !bytes.Contains(b, []byte(SensitiveText)) {
		t.Errorf("no %s marker in %s", SensitiveText, b)
	}
}

func TestDrift(t *testing.T) {
	cases := []struct {
		name                  string
		output, live, desired string
		rules                 Rules
		want                  []string
		declared              []bool
	}{
		{name: "none", output: `{"a":1}`, live: `{"a":1}`},
		{name: "bookkeeping ignored", output: `{"etag":"1","systemData":{"a":1},"properties":{"provisioningState":"Succeeded","lastModifiedTime":"2024-01-01T00:00:00Z"}}`,
			live: `{"etag":"2","systemData":{"a":2},"properties":{"provisioningState":"Updating","lastModifiedTime":"2024-02-01T00:00:00Z"}}`},
		{name: "undeclared change", output: `{"properties":{"publicNetworkAccess":"Enabled"}}`, live: `{"properties":{"publicNetworkAccess":"Disabled"}}`, desired: `{"properties":{}}`,
			want: []string{"properties.publicNetworkAccess"}, declared: []bool{false}},
		{name: "declared change", output: `{"sku":{"name":"Standard"}}`, live: `{"sku":{"name":"Basic"}}`, desired: `{"sku":{"name":"Standard"}}`,
			want: []string{"sku.name"}, declared: []bool{true}},
		{name: "added and removed", output: `{"a":1}`, live: `{"b":1}`, want: []string{"a", "b"}, declared: []bool{false, false}},
		{name: "location normalized", output: `{"location":"westus"}`, live: `{"location":"West US"}`},
		{name: "array reordered by name", output: `{"s":[{"name":"a"},{"name":"b"}]}`, live: `{"s":[{"name":"b"},{"name":"a"}]}`},
		{name: "ignored", output: `{"tags":{"a":"1"}}`, live: `{"tags":{"a":"2"}}`, rules: Rules{IgnoreChanges: []string{"tags"}}},
		{name: "hashed output stands for the live secret", output: `{"p":{"pw":"hmac:1"}}`, live: `{"p":{"pw":"s3cret"}}`,
			rules: Rules{SecretMatches: func(stored, clear any) bool { return stored == "hmac:1" && clear == "s3cret" }}},
		{name: "hashed output stands for a live sensitive object", output: `{"tags":"hmac:2"}`, live: `{"tags":{"x":"s3cret"}}`,
			rules: Rules{SecretMatches: func(stored, clear any) bool {
				m, ok := clear.(map[string]any)
				return stored == "hmac:2" && ok && m["x"] == "s3cret"
			}}},
		{name: "a sensitive object changed outside", output: `{"tags":"hmac:2"}`, live: `{"tags":{"x":"other"}}`,
			rules: Rules{SecretMatches: func(stored, clear any) bool {
				m, ok := clear.(map[string]any)
				return stored == "hmac:2" && ok && m["x"] == "s3cret"
			}}, want: []string{"tags"}, declared: []bool{false}},
		{name: "timestamp-named but not a date", output: `{"p":{"retentionTime":"P7D"}}`, live: `{"p":{"retentionTime":"P30D"}}`, want: []string{"p.retentionTime"}, declared: []bool{false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Drift(obj(t, tc.output), obj(t, tc.live), obj(t, tc.desired), tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(paths(got), want) {
				t.Fatalf("drift = %q, want %q", paths(got), want)
			}
			for i, pc := range got {
				if pc.Declared != tc.declared[i] {
					t.Errorf("%s declared = %v, want %v", pc.Path, pc.Declared, tc.declared[i])
				}
			}
		})
	}
}

func TestKeptDifferentlyAfterApply(t *testing.T) {
	got, err := KeptDifferently(
		obj(t, `{"location":"West US","properties":{"version":"1.29","adminPassword":"x","zones":["1"]}}`),
		obj(t, `{"location":"westus","properties":{"version":"1.29.7","zones":["1","2"],"provisioningState":"Succeeded"}}`), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if p := paths(got); len(p) != 1 || p[0] != "properties.version" {
		t.Fatalf("kept differently = %q, want only properties.version (not the location, the write-only password or the filled-in zones)", p)
	}
}
