package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/pflag"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

// emulatorEndpoint is the URL the in-process emulator answers on. The
// .invalid domain never resolves, so nothing meant for the emulator can
// leave the machine.
const emulatorEndpoint = "https://emulator.invalid"

// commonFlags are the flags every command that reads a configuration takes.
type commonFlags struct {
	chdir       string
	vars        []string
	noColor     bool
	lockTimeout time.Duration
	// lockFlag is --lock; --lock=false skips the state lock, for read-only
	// runs such as a plan with read-only storage credentials. Nil locks.
	lockFlag *bool
	// command names the command in the state lock ("apply", "state rm").
	command string
}

func (f *commonFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.chdir, "chdir", ".", "the configuration directory (default: the current directory)")
	fs.StringArrayVar(&f.vars, "var", nil, "set a variable: --var name=value (repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "never print colour codes")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 0, "how long to wait for the state lock held by another run, e.g. 30s (default: do not wait)")
	f.lockFlag = fs.Bool("lock", true, "hold the state lock while the command runs; plan and drift may skip it with --lock=false (for read-only credentials)")
	f.command = fs.Name()
}

// workspace is a loaded configuration with its state, locked, and an ARM
// client.
type workspace struct {
	cfg     *config.Config
	insts   []*config.Instance
	backend state.Backend
	state   *state.State
	client  *arm.Client
	// closeFn saves what must outlive the command (the emulator's world).
	closeFn func() error
	// unlock releases the state lock.
	unlock func() error
}

func (w *workspace) close() error {
	var err error
	if w.closeFn != nil {
		err = w.closeFn()
	}
	if w.unlock != nil {
		if uerr := w.unlock(); uerr != nil && err == nil {
			err = uerr
		}
	}
	return err
}

// errReported means the problem was already printed (as diagnostics).
var errReported = errors.New("reported")

// loadConfig loads the configuration and builds its state backend, checking
// that the backend is the one the last command used.
func loadConfig(f commonFlags, s *IOStreams) (*config.Config, state.Backend, error) {
	cfg, err := loadFiles(f, s)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBackend(f.chdir, cfg.Backend); err != nil {
		return nil, nil, err
	}
	backend, err := newBackend(cfg.Backend, f.chdir)
	if err != nil {
		return nil, nil, err
	}
	return cfg, backend, nil
}

// loadFiles loads the configuration, printing its diagnostics.
func loadFiles(f commonFlags, s *IOStreams) (*config.Config, error) {
	vars, err := parseVars(f.vars)
	if err != nil {
		return nil, err
	}
	cfg, diags := config.Load(f.chdir, config.LoadOptions{Vars: vars})
	if diags.HasErrors() {
		printDiags(s, cfg, diags, f.noColor)
		return nil, errReported
	}
	return cfg, nil
}

// readOnly reports whether a command never writes the state, so that it may
// run without its lock.
func readOnly(command string) bool { return command == "plan" || command == "drift" }

// lock reports whether the command takes the state lock.
func (f commonFlags) lock() bool { return f.lockFlag == nil || *f.lockFlag }

// lockState takes the backend's lock for the command, waiting up to
// --lock-timeout, and returns the function that releases it.
func lockState(ctx context.Context, b state.Backend, f commonFlags) (func() error, error) {
	if !f.lock() {
		if !readOnly(f.command) {
			return nil, fmt.Errorf("--lock=false is only for plan and drift: %s changes the state, and without the lock another run could write it at the same time", f.command)
		}
		slog.Debug("not locking the state (--lock=false)", "state", b.String())
		return func() error { return nil }, nil
	}
	info, err := state.Acquire(ctx, b, state.NewLockInfo(f.command), f.lockTimeout)
	if err != nil {
		return nil, err
	}
	slog.Debug("holding the state lock", "lock", info.ID, "state", b.String())
	return func() error {
		// Unlock even when the command was cancelled.
		return b.Unlock(context.WithoutCancel(ctx))
	}, nil
}

// openWorkspace loads and evaluates the configuration, locks and reads the
// state, and builds the client. The lock is held until w.close. Nothing is
// sent to ARM here.
func openWorkspace(ctx context.Context, f commonFlags, s *IOStreams) (w *workspace, err error) {
	cfg, backend, err := loadConfig(f, s)
	if err != nil {
		return nil, err
	}
	unlock, err := lockState(ctx, backend, f)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = unlock()
		}
	}()
	st, err := backend.Read(ctx)
	if err != nil {
		return nil, err
	}
	outputs := map[string]any{}
	for _, r := range st.Resources {
		if r.Output != nil {
			outputs[r.Address] = r.Output
		}
	}
	insts, diags := cfg.Evaluate(outputs)
	if diags.HasErrors() {
		printDiags(s, cfg, diags, f.noColor)
		return nil, errReported
	}
	w = &workspace{cfg: cfg, insts: insts, backend: backend, state: st, unlock: unlock}
	if err := w.connect(f.chdir); err != nil {
		return nil, err
	}
	return w, nil
}

// connect builds the ARM client the provider block asks for.
func (w *workspace) connect(dir string) error {
	p := w.cfg.Provider
	switch {
	case p.Endpoint == "emulator":
		srv := emulator.New(emulator.Options{})
		worldFile := filepath.Join(dir, ".azapply", "emulator.json")
		if err := srv.LoadFile(worldFile); err != nil {
			return err
		}
		client, err := arm.NewClient(arm.ClientOptions{
			Endpoint:   emulatorEndpoint,
			Credential: arm.StaticCredential{Token: "emulator-token"},
			Transport:  &http.Client{Transport: srv.Transport()},
		})
		if err != nil {
			return err
		}
		w.client = client
		w.closeFn = func() error { return srv.SaveFile(worldFile) }
		return nil
	default:
		endpoint := p.Endpoint
		if endpoint == "" {
			endpoint = "https://management.azure.com"
		}
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return fmt.Errorf("no Azure credential: %w", err)
		}
		client, err := arm.NewClient(arm.ClientOptions{Endpoint: endpoint, Credential: cred})
		if err != nil {
			return err
		}
		w.client = client
		return nil
	}
}

func parseVars(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: write it as --var name=value", p)
		}
		out[name] = value
	}
	return out, nil
}

func printDiags(s *IOStreams, cfg *config.Config, diags hcl.Diagnostics, noColor bool) {
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files()
	}
	wr := hcl.NewDiagnosticTextWriter(s.Err, files, 100, s.OutTerminal && !noColor)
	_ = wr.WriteDiagnostics(diags)
}

// reportError prints err unless it was printed already, and returns exit 1.
func reportError(s *IOStreams, err error) int {
	if !errors.Is(err, errReported) {
		fmt.Fprintf(s.Err, "Error: %v\n", err)
	}
	return exitError
}
