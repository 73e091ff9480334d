package apply

import (
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// AcceptDrift records in st what changed outside azapply, as apply
// --refresh-only does, and sends nothing: the live body of each drifted
// resource becomes its output (declared paths keep their post-apply
// values, so that the next plan changes them back), and a resource deleted
// outside azapply is forgotten. The accepted bodies are recorded as apply
// records any, their secrets hashed: the sensitive paths of insts, and
// secrets by name. The caller writes st.
func AcceptDrift(p *plan.Plan, st *state.State, insts []*config.Instance) error {
	for _, d := range p.Drift {
		if d.Deleted {
			st.Remove(d.Address)
			continue
		}
		r := st.Get(d.Address)
		if r == nil {
			continue
		}
		out := plan.AcceptedOutput(r.Output, d)
		for _, in := range insts {
			if in.Address == d.Address && len(in.Sensitive) > 0 {
				redacted, err := st.Redact(out, in.Sensitive)
				if err != nil {
					return err
				}
				out = redacted
			}
		}
		accepted := *r
		accepted.Output = out
		st.Set(&accepted)
	}
	return nil
}
