package apply

import (
	"context"
	"fmt"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// Getter reads one resource from ARM.
type Getter interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}

// Import adopts the resource at id (azapply import): it reads it and
// records it in st at address, a declared resource, changing nothing in
// Azure; the caller writes st. It refuses an address or ID that the state
// already records, an ID the configuration does not give that address, and
// a resource that does not exist.
func Import(ctx context.Context, client Getter, insts []*config.Instance, st *state.State, address, id string) (*state.Resource, error) {
	var inst *config.Instance
	for _, in := range insts {
		if in.Address == address {
			inst = in
		}
	}
	if inst == nil {
		return nil, fmt.Errorf("the configuration declares no %s: add its resource block first, so that azapply knows its api-version and body. Nothing was imported", address)
	}
	id = armid.Canonical(id)
	if inst.ID != "" && !armid.Equal(inst.ID, id) {
		return nil, fmt.Errorf("the configuration gives %s the ID %s, not %s: importing it would plan to replace it. Fix the ID in the configuration or on the command line. Nothing was imported", address, inst.ID, id)
	}
	if prior := st.Get(address); prior != nil {
		return nil, fmt.Errorf("the state already records %s [id=%s]: run 'azapply state rm %s' first to import another resource there. Nothing was imported", address, prior.ID, address)
	}
	if other := st.FindID(id); other != nil {
		return nil, fmt.Errorf("the state already records %s as %s; one Azure resource may be managed at one address only. Nothing was imported", id, other.Address)
	}
	resp, err := client.Get(ctx, id, inst.APIVersion)
	if arm.IsNotFound(err) {
		return nil, fmt.Errorf("there is no resource %s in Azure (api-version %s): nothing was imported. Check the ID, or let apply create it", id, inst.APIVersion)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s to import it: %w", id, err)
	}
	armID := id
	if v, ok := resp.Body["id"].(string); ok && v != "" {
		armID = armid.Canonical(v) // keep ARM's casing
	}
	// The block's sensitive paths are hashed as apply records them: the
	// state never holds a value the configuration calls sensitive.
	out := resp.Body
	if len(inst.Sensitive) > 0 {
		if out, err = st.Redact(out, inst.Sensitive); err != nil {
			return nil, fmt.Errorf("hiding the sensitive values of %s: %w. Nothing was imported", address, err)
		}
	}
	r := &state.Resource{Address: address, ID: armID, APIVersion: inst.APIVersion, Output: out}
	st.Set(r)
	return r, nil
}
