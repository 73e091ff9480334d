package apply

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/plan"
)

// CheckLocks refuses a plan that deletes (or replaces) a resource that a
// management lock protects, or updates one under a ReadOnly lock: ARM
// would refuse it with 409 ScopeLocked, and apply starts nothing rather
// than stop halfway.
func CheckLocks(p *plan.Plan) error {
	locked := plan.LockedChanges(p)
	if len(locked) == 0 {
		return nil
	}
	return fmt.Errorf("management locks refuse changes that this plan makes, so nothing was changed:\n  - %s", strings.Join(locked, "\n  - "))
}
