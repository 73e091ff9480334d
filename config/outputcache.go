package config

import (
	"reflect"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// outputCache keeps the cty form of the outputs an Evaluator has converted,
// by the identity of the output's map. Apply evaluates many instances that
// read the output of the same few (every public IP of a group reads its
// security group's): converting that output once instead of once per
// reader was a fifth of apply's CPU at 10,000 resources. Outputs are
// read-only once recorded, so the same map always converts to the same
// value; a new output is a new map. Each entry holds its map, so that its
// address cannot be reused by another while the entry lives. The cache is
// bounded: when full it starts again, so its memory stays small whatever
// the configuration.
type outputCache struct {
	mu      sync.Mutex
	entries map[uintptr]outputEntry
}

type outputEntry struct {
	src map[string]any
	val cty.Value
}

// maxCachedOutputs bounds the cache.
const maxCachedOutputs = 1024

// convert returns the cty form of o, from the cache when o is a map it has
// converted before.
func (c *outputCache) convert(o any) cty.Value {
	m, ok := o.(map[string]any)
	if c == nil || !ok || m == nil {
		return markByName("", FromJSONValue(o))
	}
	key := reflect.ValueOf(m).Pointer()
	c.mu.Lock()
	e, hit := c.entries[key]
	c.mu.Unlock()
	if hit {
		return e.val
	}
	v := markByName("", FromJSONValue(o))
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCachedOutputs {
		c.entries = map[uintptr]outputEntry{}
	}
	c.entries[key] = outputEntry{src: m, val: v}
	c.mu.Unlock()
	return v
}
