package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

type importOptions struct {
	factory *Factory
	common  commonFlags
	// address is where to record the resource; id is its ARM ID.
	address, id string
}

// NewCmdImport defines azapply import; runF, when a test gives it, runs
// instead of importRun.
func NewCmdImport(f *Factory, runF func(context.Context, *importOptions) error) *command {
	o := &importOptions{factory: f}
	c := newCommand(f, "import", "ADDRESS ID", "Adopt an existing Azure resource into the state",
		"Adopt a resource that exists in Azure: record it in the state at ADDRESS, a resource\ndeclared in the configuration. Nothing is changed in Azure; the next plan shows how\nthe resource differs from the configuration.",
		"azapply import resource.rg /subscriptions/SUB/resourceGroups/demo")
	o.common.registerAll(c.flags)
	c.run = func(ctx context.Context, args []string) error {
		if len(args) != 2 {
			return errors.New("import takes an address and a resource ID: azapply import resource.NAME /subscriptions/.../resourceGroups/NAME")
		}
		o.address, o.id = args[0], args[1]
		if runF != nil {
			return runF(ctx, o)
		}
		return importRun(ctx, o)
	}
	return c
}

func importRun(ctx context.Context, o *importOptions) (err error) {
	v := views.NewState(viewStreams(o.factory.IOStreams, o.common.noColor))
	w, err := openWorkspace(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	r, err := importResource(ctx, w.client, w.insts, w.state, o.address, o.id)
	if err != nil {
		return err
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return err
	}
	v.Imported(o.address, r.ID)
	return nil
}

// importResource reads the resource at id and records it in st at address,
// a declared resource. It refuses an address or ID that the state already
// records, an ID the configuration does not give that address, and a
// resource that does not exist.
func importResource(ctx context.Context, client interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}, insts []*config.Instance, st *state.State, address, id string) (*state.Resource, error) {
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
	r := &state.Resource{Address: address, ID: armID, APIVersion: inst.APIVersion, Output: resp.Body}
	st.Set(r)
	return r, nil
}
