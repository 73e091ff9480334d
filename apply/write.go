package apply

import (
	"fmt"

	"github.com/azapply/azapply/plan"
)

// warnKeptDifferently reports, once, each declared value the service
// answered differently right after the write.
func (r *runner) warnKeptDifferently(address, apiVersion string, sent, answered map[string]any) {
	rules := plan.Rules{}
	if in, ok := r.insts[address]; ok {
		rules = plan.Rules{IgnoreChanges: in.IgnoreChanges, Sensitive: in.Sensitive, ArrayKeys: in.ArrayKeys, Unordered: in.Unordered, ID: in.ID}
	}
	kept, err := plan.KeptDifferently(sent, answered, rules)
	if err != nil {
		return
	}
	for _, pc := range kept {
		if pc.NotReturned {
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
				"the service did not return %s (azapply sent %s): %s; later plans list it under \"Values the service keeps differently\"",
				pc.Path, plan.FormatValue(pc.After, pc.Sensitive), plan.NotReturnedHint(apiVersion))})
			continue
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
			"the service keeps %s as %s (azapply sent %s); later plans list it under \"Values the service keeps differently\" until the configuration or the live value changes",
			pc.Path, plan.FormatValue(pc.Before, pc.Sensitive), plan.FormatValue(pc.After, pc.Sensitive))})
	}
}
