package config

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestOutputCache(t *testing.T) {
	var c outputCache
	a := map[string]any{"id": "a", "properties": map[string]any{"resourceGuid": "g1"}}
	b := map[string]any{"id": "a", "properties": map[string]any{"resourceGuid": "g2"}}
	first := c.convert(a)
	if !first.RawEquals(markByName("", FromJSONValue(a))) {
		t.Fatalf("convert(a) = %#v, want the conversion of a", first)
	}
	if got := c.convert(a); !got.RawEquals(first) || len(c.entries) != 1 {
		t.Errorf("the same map converted again: %#v, %d entries", got, len(c.entries))
	}
	// A new output is a new map, even for the same resource.
	if got := c.convert(b); !got.GetAttr("properties").GetAttr("resourceGuid").RawEquals(cty.StringVal("g2")) {
		t.Errorf("convert(b) = %#v, want b's resourceGuid", got)
	}
	// Not a map: converted every time, not kept.
	if got := c.convert("text"); !got.RawEquals(cty.StringVal("text")) || len(c.entries) != 2 {
		t.Errorf("convert(text) = %#v, %d entries", got, len(c.entries))
	}
	// Bounded: full, it starts again.
	for i := range maxCachedOutputs {
		c.convert(map[string]any{"n": i})
	}
	if n := len(c.entries); n > maxCachedOutputs {
		t.Errorf("%d entries, want at most %d", n, maxCachedOutputs)
	}
	var none *outputCache
	if got := none.convert(a); !got.RawEquals(first) {
		t.Errorf("a nil cache converts: %#v", got)
	}
}
