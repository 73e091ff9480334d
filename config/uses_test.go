package config

import (
	"testing"
)

// TestOutputsReadWhateverTheReference checks that a block's live output
// reaches every form of reference that can read it, although Evaluate
// converts outputs only for blocks whose output something may read.
func TestOutputsReadWhateverTheReference(t *testing.T) {
	const blocks = `
resource "one" {
  id          = "` + sub + `/resourceGroups/one"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "many" {
  for_each    = toset(["a", "b"])
  id          = "` + sub + `/resourceGroups/many-${each.key}"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "counted" {
  count       = 2
  id          = "` + sub + `/resourceGroups/counted-${count.index}"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
`
	outputs := map[string]any{
		"resource.one":        map[string]any{"name": "one-live", "id": "one-live-id"},
		`resource.many["a"]`:  map[string]any{"name": "a-live"},
		`resource.many["b"]`:  map[string]any{"name": "b-live"},
		"resource.counted[0]": map[string]any{"name": "c0-live"},
		"resource.counted[1]": map[string]any{"name": "c1-live"},
	}
	for _, tc := range []struct{ name, expr, want string }{
		{"attribute", `resource.one.output.name`, `"one-live"`},
		{"index as attribute", `resource.one["output"].id`, `"one-live-id"`},
		{"whole instance", `jsonencode(resource.one)`, `"{\"body\":{\"location\":\"westus\"},\"id\":\"` + sub + `/resourceGroups/one\",\"output\":{\"id\":\"one-live-id\",\"name\":\"one-live\"}}"`},
		{"for_each key", `resource.many["b"].output.name`, `"b-live"`},
		{"for_each block", `[for k, v in resource.many : v.output.name]`, `["a-live","b-live"]`},
		{"splat", `resource.counted[*].output.name`, `["c0-live","c1-live"]`},
		{"count index", `resource.counted[1].output.name`, `"c1-live"`},
		{"id only", `resource.one.id`, `"` + sub + `/resourceGroups/one"`},
		{"body only", `resource.many["a"].body.location`, `"westus"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustLoad(t, map[string]string{"main.hcl": blocks + `
resource "reader" {
  id          = "` + sub + `/resourceGroups/reader"
  api_version = "2021-04-01"
  body        = { got = ` + tc.expr + ` }
}
`}, LoadOptions{})
			ev := mustEval(t, cfg, outputs)
			body, _ := ToJSONValue(byAddress(t, ev.Resources(), "resource.reader").Body).(map[string]any)
			if got := jsonOf(t, body["got"]); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

func TestReferencesNoteWhatTheyRead(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "a" {
  id          = "` + sub + `/resourceGroups/a"
  api_version = "2021-04-01"
}
resource "b" {
  id          = "${resource.a.id}/providers/X.Y/z/b"
  api_version = "2021-04-01"
}
resource "c" {
  id          = "` + sub + `/resourceGroups/c"
  api_version = "2021-04-01"
  body        = { tags = { b = resource.b.output.name } }
  depends_on  = [resource.a]
}
`}, LoadOptions{})
	for addr, want := range map[string]refUse{
		"resource.a": {value: true},
		"resource.b": {value: true, output: true},
		"resource.c": {},
	} {
		if got := cfg.use(addr); got != want {
			t.Errorf("use(%s) = %+v, want %+v", addr, got, want)
		}
	}
}
