package config

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// ReadFunc reads one data source: a GET of its ID at its APIVersion, or,
// when its Method is "POST", a POST of its Body (ToJSONValue) to its ID,
// returning the body as encoding/json decodes it (json.Number for
// numbers). Plan passes its ARM client; config itself knows nothing of
// HTTP.
type ReadFunc func(ctx context.Context, in *Instance) (map[string]any, error)

// ReadData reads every data source that can be read before apply, in
// dependency order: it evaluates the configuration with outputs, reads each
// data instance whose id is known and that is not in outputs yet, adds
// what it read to outputs (keyed by the data instance's address, e.g.
// data.subscription), and evaluates again until nothing more can be read.
// It returns the outputs (a copy; the argument is not changed) and the last
// evaluation. Data instances still Deferred in that evaluation depend on
// values known only after apply. A failed read is an error diagnostic at
// the data block, and stops the reading.
func (c *Config) ReadData(ctx context.Context, outputs map[string]any, read ReadFunc) (map[string]any, *Evaluation, hcl.Diagnostics) {
	return c.ReadDataDeferring(ctx, outputs, read, nil)
}

// ReadDataDeferring is ReadData, except that data instances for which
// deferred returns true are not read now but left for apply, like those
// whose id is not known yet. Plan defers the data sources that depend on a
// resource it has yet to create: reading them now would find nothing.
func (c *Config) ReadDataDeferring(ctx context.Context, outputs map[string]any, read ReadFunc, deferred func(*Instance) bool) (map[string]any, *Evaluation, hcl.Diagnostics) {
	all := make(map[string]any, len(outputs))
	for k, v := range outputs {
		all[k] = v
	}
	if len(c.Data) == 0 {
		// Nothing to read: the lenient passes would only evaluate the
		// configuration once more than needed.
		ev, diags := c.EvaluateAll(all)
		return all, ev, diags
	}
	for {
		ev, diags := c.evaluate(all, true)
		if diags.HasErrors() {
			return all, nil, diags
		}
		progress := false
		for _, in := range ev.Data() {
			if in.Deferred || (deferred != nil && deferred(in)) {
				continue
			}
			if _, done := all[in.Address]; done {
				continue
			}
			if err := ctx.Err(); err != nil {
				return all, ev, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reading data sources interrupted", Detail: err.Error()}}
			}
			body, err := readWithin(ctx, in, read)
			if err != nil {
				return all, ev, hcl.Diagnostics{{
					Severity: hcl.DiagError,
					Summary:  "Cannot read data source",
					Detail:   fmt.Sprintf("%s: %s %s (api-version %s): %v", in.Address, in.Method, in.ID, in.APIVersion, err),
					Subject:  in.DeclRange.Ptr(),
				}}
			}
			if body == nil {
				body = map[string]any{}
			}
			all[in.Address] = body
			progress = true
			// A known id never changes as more outputs become known, so
			// every instance known now is read in this pass.
		}
		if !progress {
			ev, diags := c.EvaluateAll(all)
			return all, ev, diags
		}
	}
}
