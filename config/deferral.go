package config

// Deferral decides which data sources a plan leaves for apply to read: one
// that depends on a resource not created yet, or on a data source so
// deferred, would find nothing now. Give its Later to ReadDataDeferring.
type Deferral struct {
	// recorded reports whether the state records the resource at an
	// address (at its new address, for one a moved block moves).
	recorded func(address string) bool
	deferred map[string]bool
}

// NewDeferral returns the deferral of a plan whose state records the
// resources for which recorded returns true.
func NewDeferral(recorded func(address string) bool) *Deferral {
	return &Deferral{recorded: recorded, deferred: map[string]bool{}}
}

// Later reports whether the data source in waits for apply, and remembers
// it when it does, for the data sources that depend on it.
func (d *Deferral) Later(in *Instance) bool {
	for _, dep := range in.DependsOn {
		if d.deferred[dep] || (AddressKind(dep) == KindResource && !d.recorded(dep)) {
			d.deferred[in.Address] = true
			return true
		}
	}
	return false
}

// Deferred reports whether Later left the data source at address for apply.
func (d *Deferral) Deferred(address string) bool { return d.deferred[address] }
