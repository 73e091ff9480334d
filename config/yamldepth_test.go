package config

import (
	"strings"
	"testing"

	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/azapply/azapply/limits"
)

// TestYAMLDecodeRefusesDeepDocumentsBeforeDecoding: yamldecode of a
// document nested past limits.MaxDepth (flow collections 50,000 deep,
// block sequences, block mappings) is a clear error that comes before
// the decoder is called at all: the decoder's cost grows with the
// square of the depth, so the bound must come first. Documents within
// the bound decode as before. The work is counted in calls of the
// decoder, not in time.
func TestYAMLDecodeRefusesDeepDocumentsBeforeDecoding(t *testing.T) {
	calls := 0
	counted := function.New(&function.Spec{
		Params: ctyyaml.YAMLDecodeFunc.Params(),
		Type: func(args []cty.Value) (cty.Type, error) {
			calls++
			return ctyyaml.YAMLDecodeFunc.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			calls++
			return ctyyaml.YAMLDecodeFunc.Call(args)
		},
	})
	decode := boundedDecode(counted, false)
	blockMapping := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + "k:\n")
		}
		b.WriteString(strings.Repeat(" ", n) + "v: 1\n")
		return b.String()
	}
	for _, c := range []struct {
		name, doc string
		deep      bool
	}{
		{"flow sequences, 50,000 deep", strings.Repeat("[", 50000) + strings.Repeat("]", 50000), true},
		{"flow mappings, 50,000 deep", strings.Repeat("{a: ", 50000) + "1" + strings.Repeat("}", 50000), true},
		{"compact block sequences, 50,000 deep", strings.Repeat("- ", 50000) + "x\n", true},
		{"block mappings past the bound", blockMapping(limits.MaxDepth + 1), true},
		{"flow sequences within the bound", strings.Repeat("[", limits.MaxDepth) + strings.Repeat("]", limits.MaxDepth), false},
		{"block mappings within the bound", blockMapping(limits.MaxDepth - 1), false},
		{"an ARM body", "location: westus\nproperties:\n  subnets:\n    - name: app\n      properties: {addressPrefix: 10.0.1.0/24}\n", false},
	} {
		calls = 0
		_, err := decode.Call([]cty.Value{cty.StringVal(c.doc)})
		switch {
		case c.deep && (err == nil || !strings.Contains(err.Error(), "the YAML document nests deeper than 64 levels")):
			t.Errorf("%s: error = %v, want the document refused as too deep", c.name, err)
		case c.deep && calls != 0:
			t.Errorf("%s: the decoder was called %d times before the document was refused", c.name, calls)
		case !c.deep && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !c.deep && calls == 0:
			t.Errorf("%s: never decoded", c.name)
		}
	}
}
