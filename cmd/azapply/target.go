package main

// --target ADDRESS limits plan, apply and destroy to the resources it names
// and what they depend on (for destroy: what depends on them), as
// Terraform's -target does.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// targetPattern is a resource, data or action address (an instance or a
// whole block), or a module's, in any module.
var targetPattern = regexp.MustCompile(`^(module\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?\.)*((resource|data|action|module)\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?)$`)

func registerTargets(fs *pflag.FlagSet, targets *[]string) {
	fs.StringArrayVar(targets, "target", nil, "limit the run to this `ADDRESS` (resource.NAME, resource.NAME[\"key\"], module.NAME, ...) and what it depends on; repeatable. Not for routine use: the result is partial")
}

func checkTargets(targets []string) error {
	for _, t := range targets {
		if !targetPattern.MatchString(t) {
			return fmt.Errorf("--target %q is not an address: write it as resource.NAME, resource.NAME[\"key\"], module.NAME or module.NAME.resource.NAME (quote it for the shell)", t)
		}
	}
	return nil
}

// targeted says whether address is one that targets name: the address
// itself, an instance of the block it names, or inside the module it
// names.
func targeted(address string, targets []string) bool {
	for _, t := range targets {
		if address == t || strings.HasPrefix(address, t+".") {
			return true
		}
		if block, key := config.SplitAddress(address); key != "" && block == t {
			return true
		}
		if !strings.HasSuffix(t, "]") && strings.HasPrefix(address, t+"[") && config.AddressKind(t) == "" {
			return true // every instance of a module
		}
	}
	return false
}

// narrowToTargets keeps, of the workspace's instances, data sources and
// actions, those the targets name and those they depend on. A target that
// names nothing declared or recorded is an error.
func (w *workspace) narrowToTargets(targets []string) error {
	if len(targets) == 0 {
		return nil
	}
	byAddr := map[string]*config.Instance{}
	var all []*config.Instance
	all = append(append(append(all, w.insts...), w.deferred...), w.actions...)
	for _, in := range all {
		byAddr[in.Address] = in
	}
	for _, d := range w.data {
		if byAddr[d.Address] == nil {
			byAddr[d.Address] = &config.Instance{Address: d.Address}
		}
	}
	keep := map[string]bool{}
	var queue []string
	for addr := range byAddr {
		if targeted(addr, targets) {
			keep[addr] = true
			queue = append(queue, addr)
		}
	}
	for _, t := range targets {
		found := false
		for addr := range byAddr {
			if targeted(addr, []string{t}) {
				found = true
				break
			}
		}
		for _, r := range w.state.Resources {
			if found {
				break
			}
			found = targeted(r.Address, []string{t})
		}
		if !found {
			return fmt.Errorf("--target %s names nothing the configuration declares or the state records; nothing was sent. Check the address with 'azapply state list'", t)
		}
	}
	for len(queue) > 0 {
		in := byAddr[queue[0]]
		queue = queue[1:]
		for _, d := range in.DependsOn {
			if !keep[d] && byAddr[d] != nil {
				keep[d] = true
				queue = append(queue, d)
			}
		}
	}
	filter := func(list []*config.Instance) []*config.Instance {
		return slices.DeleteFunc(list, func(in *config.Instance) bool { return !keep[in.Address] })
	}
	w.insts, w.deferred, w.actions = filter(w.insts), filter(w.deferred), filter(w.actions)
	w.data = slices.DeleteFunc(w.data, func(d plan.DataSource) bool { return !keep[d.Address] })
	return nil
}

// destroyTargets says which of the state's resources a targeted destroy
// deletes: the targets and what depends on them, by reference or by ARM
// containment (an ID under a targeted one's).
func destroyTargets(targets []string, insts []*config.Instance, st *state.State) func(string) bool {
	doomed := map[string]bool{}
	var ids []string
	for _, r := range st.Resources {
		if targeted(r.Address, targets) {
			doomed[r.Address] = true
			ids = append(ids, r.ID)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range st.Resources {
			if doomed[r.Address] {
				continue
			}
			for _, p := range ids {
				if armid.IsUnder(r.ID, p) {
					doomed[r.Address] = true
				}
			}
			if !doomed[r.Address] {
				for _, in := range insts {
					if in.Address == r.Address && slices.ContainsFunc(in.DependsOn, func(d string) bool { return doomed[d] }) {
						doomed[r.Address] = true
					}
				}
			}
			if doomed[r.Address] {
				ids = append(ids, r.ID)
				changed = true
			}
		}
	}
	return func(addr string) bool { return doomed[addr] }
}
