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
	parent, typ, ok := parentResource(id)
	if !ok {
		return func() {}
	}
	key := parent.Key()
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
	parent, typ, ok := parentResource(id)
	if !ok {
		return lockRef{}
	}
	return lockRef{key: parent.Key(), serialized: serializedChildTypes[strings.ToLower(typ)]}
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
	parent, _, ok := parentResource(id)
	if !ok {
		return
	}
	p.mu.Lock()
	p.learned[parent.Key()] = true
	p.mu.Unlock()
}

// isParentBusy reports whether err says another operation holds the parent.
func isParentBusy(err error) bool {
	return arm.IsBusy(err)
}

// parentResource is the resource id is a child of (a subnet's virtual
// network) and id's full type; ok is false for an ID that is no child
// resource, whose writes ARM does not serialize on a parent.
func parentResource(id string) (parent armid.ID, typ string, ok bool) {
	parsed, err := armid.Parse(id)
	if err != nil || !parsed.IsChild() {
		return armid.ID{}, "", false
	}
	return parsed.Parent(), parsed.ResourceType(), true
}
