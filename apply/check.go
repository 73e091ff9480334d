package apply

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// CheckPreventDestroy refuses a plan that would delete or replace a
// resource declared with prevent_destroy = true.
func CheckPreventDestroy(p *plan.Plan, insts []*config.Instance) error {
	protected := map[string]bool{}
	for _, in := range insts {
		if in.PreventDestroy {
			protected[in.Address] = true
		}
	}
	var hits []string
	for _, c := range p.Changes {
		if (c.Action == plan.Delete || c.Action == plan.Replace) && protected[c.Address] {
			hits = append(hits, fmt.Sprintf("%s (%s)", c.Address, c.Action))
		}
	}
	if len(hits) == 0 {
		return nil
	}
	return fmt.Errorf("the plan would destroy %s, declared with prevent_destroy = true. Remove prevent_destroy from the block if you mean it, or change the configuration so that the resource is kept", strings.Join(hits, ", "))
}
