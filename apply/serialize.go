package apply

import (
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// serializedChildTypes are child types whose writes ARM serializes on the
// parent: a second write while one is in flight fails with 409
// AnotherOperationInProgress (or 429 RetryableErrorDueToAnotherOperation).
var serializedChildTypes = map[string]bool{
	"microsoft.network/virtualnetworks/subnets":                        true,
	"microsoft.network/virtualnetworks/virtualnetworkpeerings":         true,
	"microsoft.network/networksecuritygroups/securityrules":            true,
	"microsoft.network/routetables/routes":                             true,
	"microsoft.network/loadbalancers/inboundnatrules":                  true,
	"microsoft.network/loadbalancers/backendaddresspools":              true,
	"microsoft.network/applicationgateways/privateendpointconnections": true,
	"microsoft.network/virtualhubs/hubvirtualnetworkconnections":       true,
	"microsoft.network/virtualhubs/routetables":                        true,
	"microsoft.network/firewallpolicies/rulecollectiongroups":          true,
}

// parentLocks serializes writes to the children of one parent. A parent is
// serialized when its child type is known to need it, or once any write
// under it has been refused as conflicting in this run.
type parentLocks struct {
	mu      sync.Mutex
	locks   map[string]*sync.Mutex
	learned map[string]bool
}

func newParentLocks() *parentLocks {
	return &parentLocks{locks: map[string]*sync.Mutex{}, learned: map[string]bool{}}
}

// acquire locks id's parent when writes under it must be serialized, and
// returns the function that releases it.
func (p *parentLocks) acquire(id string) func() {
	parent, typ := parentAndType(id)
	if parent == "" {
		return func() {}
	}
	key := armid.Key(parent)
	p.mu.Lock()
	if !serializedChildTypes[strings.ToLower(typ)] && !p.learned[key] {
		p.mu.Unlock()
		return func() {}
	}
	m, ok := p.locks[key]
	if !ok {
		m = &sync.Mutex{}
		p.locks[key] = m
	}
	p.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// lockRef names the lock a write to an ID takes: its parent's (key, ""
// for none), and whether its type is known to serialize on that parent.
type lockRef struct {
	key        string
	serialized bool
}

func lockRefOf(id string) lockRef {
	parent, typ := parentAndType(id)
	if parent == "" {
		return lockRef{}
	}
	return lockRef{key: armid.Key(parent), serialized: serializedChildTypes[strings.ToLower(typ)]}
}

// tryAcquire is acquire without waiting: it reports false, taking
// nothing, when another write under the parent holds its lock.
func (p *parentLocks) tryAcquire(ref lockRef) (func(), bool) {
	if ref.key == "" {
		return func() {}, true
	}
	p.mu.Lock()
	if !ref.serialized && !p.learned[ref.key] {
		p.mu.Unlock()
		return func() {}, true
	}
	m, ok := p.locks[ref.key]
	if !ok {
		m = &sync.Mutex{}
		p.locks[ref.key] = m
	}
	p.mu.Unlock()
	if !m.TryLock() {
		return nil, false
	}
	return m.Unlock, true
}

// serializes reports whether writes to id wait for the other writes under
// its parent: those make a chain that ARM runs one at a time.
func (p *parentLocks) serializes(id string) bool {
	ref := lockRefOf(id)
	if ref.key == "" {
		return false
	}
	if ref.serialized {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.learned[ref.key]
}

// learn marks id's parent as serialized from now on.
func (p *parentLocks) learn(id string) {
	parent, _ := parentAndType(id)
	if parent == "" {
		return
	}
	p.mu.Lock()
	p.learned[armid.Key(parent)] = true
	p.mu.Unlock()
}

// isParentBusy reports whether err says another operation holds the parent.
func isParentBusy(err error) bool {
	return arm.IsBusy(err)
}

// parentAndType returns the ID of the parent resource of a child resource
// (the ID minus its last type/name pair) and the child's full resource type.
// For a top-level resource (whose parent is a resource group, subscription
// or other scope) the parent is "".
func parentAndType(id string) (parent, typ string) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	last := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			last = i
		}
	}
	if last < 0 || last+1 >= len(segs) {
		return "", ""
	}
	chain := segs[last+2:] // type, name, type, name, ...
	if len(chain) < 4 || len(chain)%2 != 0 {
		return "", ""
	}
	types := []string{segs[last+1]}
	for i := 0; i < len(chain); i += 2 {
		types = append(types, chain[i])
	}
	return "/" + strings.Join(segs[:len(segs)-2], "/"), strings.Join(types, "/")
}
