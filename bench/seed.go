package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/local"
)

// seed creates the stack in the served emulator's world and records it in
// the stack's state as apply would (what was sent, what was read back),
// without running apply: under throttling an apply of 10,000 takes about 27
// minutes (see docs/performance.md),
// and the plan phases only need the world and the state it leaves.
func seed(ctx context.Context, srv *served, dir string) error {
	// A plain emulator (synchronous, unthrottled) builds the world.
	em := emulator.New(emulator.Options{})
	if err := seedInto(ctx, em, dir); err != nil {
		return err
	}
	world, err := em.MarshalWorld()
	if err != nil {
		return err
	}
	return srv.load(world)
}

// seedInto creates the stack in dir in em's world and writes its state.
func seedInto(ctx context.Context, em *emulator.Server, dir string) error {
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		return fmt.Errorf("loading the generated stack: %s", diags.Error())
	}
	insts, diags := cfg.Evaluate(nil)
	if diags.HasErrors() {
		return fmt.Errorf("evaluating the generated stack: %s", diags.Error())
	}
	// insts are in dependency order (references and containment): a
	// body known only after apply is evaluated, as apply does, once what
	// it names exists.
	ev := cfg.NewEvaluator()
	outputs := map[string]any{}
	lookup := func(a string) (any, bool) {
		o, ok := outputs[a]
		return o, ok
	}

	c, err := arm.NewClient(arm.ClientOptions{Endpoint: "https://emulator.invalid", Credential: arm.StaticCredential{Token: "bench"},
		Transport: &http.Client{Transport: em.Transport()}, Pacing: arm.PacingOptions{Disabled: true}})
	if err != nil {
		return err
	}
	st := state.New()
	for _, in := range insts {
		if !in.Body.IsWhollyKnown() {
			again, diags := ev.Instance(in.Address, lookup)
			if diags.HasErrors() {
				return fmt.Errorf("evaluating %s: %s", in.Address, diags.Error())
			}
			in = again
		}
		body, ok := config.ToJSONValue(in.Body).(map[string]any)
		if !ok {
			return fmt.Errorf("%s: its body is not an object", in.Address)
		}
		if _, err := c.Do(ctx, arm.Request{Method: http.MethodPut, ID: in.ID, APIVersion: in.APIVersion, Body: body}); err != nil {
			return fmt.Errorf("seeding %s: %w", in.Address, err)
		}
		live, err := c.Get(ctx, in.ID, in.APIVersion)
		if err != nil {
			return fmt.Errorf("seeding %s: %w", in.Address, err)
		}
		if err := st.RecordApplied(in.Address, in.ID, in.APIVersion, body, live.Body, nil); err != nil {
			return err
		}
		outputs[in.Address] = live.Body
	}
	return local.New(filepath.Join(dir, "azapply.state.json")).Write(ctx, st)
}
