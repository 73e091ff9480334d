package views

import (
	"encoding/json"
	"fmt"

	"github.com/azapply/azapply/state"
)

// State is the view of the commands that look after the state (state
// list, show, rm, mv, pull and push), of import and of force-unlock: what
// they found or did on standard output, errors on standard error.
type State struct{ errorView }

// NewState returns the view of a state command.
func NewState(s Streams) *State { return &State{errorView{s}} }

// List writes the addresses, one a line.
func (v *State) List(addresses []string) {
	for _, a := range addresses {
		fmt.Fprintln(v.s.Out, a)
	}
}

// Resource writes what the state records for r: its ID, api-version, an
// operation in flight, and its bodies (whose secrets are salted hashes).
func (v *State) Resource(r *state.Resource) error {
	fmt.Fprintf(v.s.Out, "# %s\nid          = %s\napi_version = %s\n", r.Address, r.ID, r.APIVersion)
	if op := r.InFlight; op != nil {
		fmt.Fprintf(v.s.Out, "in_flight   = %s since %s, polling %s\n", op.Method, op.Started.Format("2006-01-02T15:04:05Z07:00"), op.PollingURL)
	}
	for _, part := range []struct {
		title string
		body  map[string]any
	}{{"last applied (secrets are salted hashes)", r.LastApplied}, {"output (read after the last apply; secrets are salted hashes)", r.Output}} {
		if part.body == nil {
			continue
		}
		data, err := json.MarshalIndent(part.body, "", "  ")
		if err != nil {
			return fmt.Errorf("showing %s: %w", r.Address, err)
		}
		fmt.Fprintf(v.s.Out, "\n# %s\n%s\n", part.title, data)
	}
	return nil
}

// Removed says address was forgotten.
func (v *State) Removed(address string) {
	fmt.Fprintf(v.s.Out, "Removed %s from the state. It still exists in Azure; azapply no longer manages it.\n", address)
}

// Moved says the resource at from is recorded at to now.
func (v *State) Moved(from, to string) {
	fmt.Fprintf(v.s.Out, "Moved %s to %s.\n", from, to)
}

// Pulled writes the encoded state as it is.
func (v *State) Pulled(data []byte) error {
	_, err := v.s.Out.Write(data)
	return err
}

// Pushed says the state in name replaced the one in backend.
func (v *State) Pushed(name, backend string) {
	fmt.Fprintf(v.s.Out, "Pushed %s to %s.\n", name, backend)
}

// Imported says the resource id is recorded at address now.
func (v *State) Imported(address, id string) {
	fmt.Fprintf(v.s.Out, "Imported %s [id=%s]. Run 'azapply plan' to see how it differs from the configuration.\n", address, id)
}

// UnlockPrompt asks whether to break the lock id of the state in backend.
func (v *State) UnlockPrompt(id, backend string) {
	fmt.Fprintf(v.s.Out, "Break lock %s on the state %s?\n  Only 'yes' will be accepted.\n\n  Enter a value: ", id, backend)
}

// UnlockCancelled says the user did not confirm.
func (v *State) UnlockCancelled() {
	fmt.Fprintln(v.s.Err, "Force-unlock cancelled.")
}

// Unlocked says the lock id of the state in backend was broken.
func (v *State) Unlocked(id, backend string) {
	fmt.Fprintf(v.s.Out, "Lock %s on the state %s was broken.\n", id, backend)
}
