package config

import (
	"reflect"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// instanceCache keeps, across an Evaluator's calls, the instances evaluated
// because another referred to them, with the outputs each read. Apply
// evaluates thousands of instances that refer to the same few (every
// public IP of a group names its group and its security group): evaluating
// those again for each reader was half of the cost of evaluating a reader.
//
// An instance's value is a function of the configuration, which does not
// change, and of the outputs it read, directly or through the instances and
// locals it refers to. Outputs are read-only once recorded and a new output
// is a new map, so an entry is still right while every output it read is
// the same map (or still absent): a lookup checks that before using it.
// Only instances of blocks whose for_each or count cannot change are kept,
// since their keys and each.value are the same in every call. The cache is
// bounded: when full it starts again.
type instanceCache struct {
	mu      sync.Mutex
	entries map[string]*cachedInstance
}

// cachedInstance is one instance evaluated, its value in expressions and
// the outputs that evaluation read.
type cachedInstance struct {
	in    *Instance
	value cty.Value
	reads []outputRead
}

// outputRead is one output an evaluation read: the map it was, or that
// there was none.
type outputRead struct {
	addr string
	src  map[string]any
	ok   bool
}

// maxCachedInstances bounds the cache.
const maxCachedInstances = 4096

// readOf records what output gave at addr. An output that is not a map
// has no identity to check: its read never matches again, so what read it
// is evaluated anew each time.
func readOf(addr string, o any, present bool) outputRead {
	m, _ := o.(map[string]any)
	return outputRead{addr: addr, src: m, ok: present}
}

// same says whether output still gives what r read.
func (r outputRead) same(output func(string) (any, bool)) bool {
	o, ok := output(r.addr)
	if ok != r.ok {
		return false
	}
	if !ok {
		return true
	}
	m, isMap := o.(map[string]any)
	return isMap && m != nil && reflect.ValueOf(m).Pointer() == reflect.ValueOf(r.src).Pointer()
}

// get returns the entry at addr when every output it read is unchanged.
func (c *instanceCache) get(addr string, output func(string) (any, bool)) *cachedInstance {
	c.mu.Lock()
	e := c.entries[addr]
	c.mu.Unlock()
	if e == nil {
		return nil
	}
	for _, r := range e.reads {
		if !r.same(output) {
			return nil
		}
	}
	return e
}

// put keeps e at addr.
func (c *instanceCache) put(addr string, e *cachedInstance) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedInstances {
		c.entries = map[string]*cachedInstance{}
	}
	c.entries[addr] = e
}
