package main

import (
	"context"
	"errors"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
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
	r, err := apply.Import(ctx, w.client, w.insts, w.state, o.address, o.id)
	if err != nil {
		return err
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return err
	}
	v.Imported(o.address, r.ID)
	return nil
}
