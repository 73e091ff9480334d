package main

import (
	"context"
	"fmt"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
	"github.com/spf13/pflag"
)

type importOptions struct {
	common commonFlags
}

func runImport(ctx context.Context, args []string, s *IOStreams) int {
	var o importOptions
	fs := pflag.NewFlagSet("import", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply import [flags] ADDRESS ID\n\nAdopt a resource that exists in Azure: record it in the state at ADDRESS, a resource\ndeclared in the configuration. Nothing is changed in Azure; the next plan shows how\nthe resource differs from the configuration.\n\nExample: azapply import resource.rg /subscriptions/SUB/resourceGroups/demo\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(s.Err, "Error: import takes an address and a resource ID: azapply import resource.NAME /subscriptions/.../resourceGroups/NAME")
		return exitError
	}
	address, id := fs.Arg(0), fs.Arg(1)
	w, err := openWorkspace(ctx, o.common)
	if err != nil {
		return reportError(s, err)
	}
	defer closeWorkspace(w, func(err error) { reportError(s, err) })
	r, err := importResource(ctx, w.client, w.insts, w.state, address, id)
	if err != nil {
		return reportError(s, err)
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return reportError(s, err)
	}
	fmt.Fprintf(s.Out, "Imported %s [id=%s]. Run 'azapply plan' to see how it differs from the configuration.\n", address, r.ID)
	return exitOK
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
