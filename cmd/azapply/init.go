package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

type initOptions struct {
	factory      *Factory
	common       commonFlags
	migrateState bool
	reconfigure  bool
}

// NewCmdInit defines azapply init; runF, when a test gives it, runs
// instead of initRun.
func NewCmdInit(f *Factory, runF func(context.Context, *initOptions) error) *command {
	o := &initOptions{factory: f}
	c := newCommand(f, "init", "", "Write a starter configuration, or check and record the state backend",
		"In a directory without .hcl files, write a starter configuration (main.hcl, on the\nembedded emulator) and a .gitignore; nothing is overwritten.\n\nThen check the configuration's state backend and record it. After changing the backend\nblock, --migrate-state copies the state across, holding both locks.\n\nThe azureblob backend signs in with the Azure credential chain (az login, workload\nidentity, managed identity), or with a connection string in\nAZAPPLY_BLOB_CONNECTION_STRING or a SAS token in AZAPPLY_BLOB_SAS_TOKEN.",
		"azapply init --chdir stacks/new               # write a starter main.hcl into an empty directory\nazapply init --chdir stacks/prod --migrate-state")
	o.common.registerAll(c.flags)
	c.flags.BoolVar(&o.migrateState, "migrate-state", false, "copy the state from the backend used before into the one the configuration names now")
	c.flags.BoolVar(&o.reconfigure, "reconfigure", false, "use the backend the configuration names now as it is, without copying the state")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return errors.New("init takes no arguments")
		}
		if o.migrateState && o.reconfigure {
			return errors.New("--migrate-state and --reconfigure exclude each other: choose one")
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return initRun(ctx, o)
	}
	return c
}

func initRun(ctx context.Context, o *initOptions) error {
	v := views.NewInit(viewStreams(o.factory.IOStreams, o.common.noColor))
	dir := o.common.chdir
	if !o.migrateState && !o.reconfigure {
		wrote, err := writeStarter(dir)
		if err != nil {
			return err
		}
		if wrote {
			v.StarterWritten(filepath.Join(dir, starterFile), dir)
		}
	}
	fetched, err := config.InstallModules(ctx, dir)
	for _, f := range fetched {
		v.ModuleFetched(f, filepath.Join(dir, ".azapply", "modules"))
	}
	// A module block's problem (no git to fetch it with) is shown at the
	// block, as plan shows it.
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		return configError(nil, diags, o.common.noColor)
	}
	if err != nil {
		return fmt.Errorf("installing modules: %w", err)
	}
	cfg, err := loadFiles(o.common)
	if err != nil {
		return err
	}
	cur := recordOf(cfg.Backend)
	newB, err := o.factory.Backend(ctx, cfg.Backend, cfg.Provider, dir)
	if err != nil {
		return err
	}
	prev, err := readBackendRecord(dir)
	if err != nil {
		return err
	}
	if prev == nil || *prev == cur || o.reconfigure {
		// Check that the state there reads before recording the backend.
		if _, err := newB.Read(ctx); err != nil {
			return err
		}
		if err := writeBackendRecord(dir, cur); err != nil {
			return err
		}
		v.Backend(cur.String())
		return nil
	}
	if !o.migrateState {
		return fmt.Errorf("the backend changed from %s to %s. Run 'azapply init --migrate-state' to copy the state into the new backend, or 'azapply init --reconfigure' to use the new backend as it is", prev, cur)
	}
	oldB, err := o.factory.Backend(ctx, prev.backend(), cfg.Provider, dir)
	if err != nil {
		return fmt.Errorf("the backend used before, %s: %w", prev, err)
	}
	n, err := migrateState(ctx, oldB, newB, o.common)
	if err != nil {
		return err
	}
	if err := writeBackendRecord(dir, cur); err != nil {
		return err
	}
	if n < 0 {
		v.NothingToMigrate(newB.String(), oldB.String(), cur.String())
		return nil
	}
	v.Migrated(n, oldB.String(), newB.String())
	return nil
}

// migrateState copies the state from one backend to another with both
// locks held. It refuses to overwrite a destination that records another
// stack, and copies nothing (returning -1) when the destination is already
// the same stack at the same or a later serial.
func migrateState(ctx context.Context, from, to state.Backend, f commonFlags) (_ int, err error) {
	unlockFrom, err := lockState(ctx, from, f)
	if err != nil {
		return 0, fmt.Errorf("locking the old state: %w", err)
	}
	defer func() {
		if uerr := unlockFrom(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlocking the old state: %w", uerr))
		}
	}()
	unlockTo, err := lockState(ctx, to, f)
	if err != nil {
		return 0, fmt.Errorf("locking the new state: %w", err)
	}
	defer func() {
		if uerr := unlockTo(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlocking the new state: %w", uerr))
		}
	}()
	src, err := from.Read(ctx)
	if err != nil {
		return 0, err
	}
	dst, err := to.Read(ctx)
	if err != nil {
		return 0, err
	}
	if dst.Serial > 0 || len(dst.Resources) > 0 {
		if dst.Lineage != src.Lineage {
			return 0, fmt.Errorf("the new backend %s already holds a state of another stack (lineage %s, %d resources); nothing was copied. Point the backend block elsewhere, or move that state away first", to, dst.Lineage, len(dst.Resources))
		}
		if dst.Serial >= src.Serial {
			return -1, nil
		}
	}
	cp := src.Clone()
	cp.Serial = max(src.Serial, dst.Serial)
	if err := to.Write(ctx, cp); err != nil {
		return 0, fmt.Errorf("writing the state into the new backend: %w", err)
	}
	return len(cp.Resources), nil
}
