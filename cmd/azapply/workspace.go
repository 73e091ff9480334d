package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/secret"
	"github.com/azapply/azapply/state"
)

// emulatorEndpoint is the URL the in-process emulator answers on. The
// .invalid domain never resolves, so nothing meant for the emulator can
// leave the machine.
const emulatorEndpoint = "https://emulator.invalid"

// commonFlags are the flags every command that reads a configuration takes.
type commonFlags struct {
	chdir string
	// check, when set, runs once the configuration is loaded and the state
	// read, before anything is sent to Azure: apply FILE checks its plan
	// there, so that a refusal sends nothing.
	check func(*config.Config, *state.State) error
	// vars are --var and --var-file in command-line order: a later one wins.
	vars        []config.VarArg
	noColor     bool
	lockTimeout time.Duration
	// lockFlag is --lock; --lock=false skips the state lock, for read-only
	// runs such as a plan with read-only storage credentials. Nil locks.
	lockFlag *bool
	// command names the command in the state lock ("apply", "state rm").
	command string
	// client is the ARM client's options to start from: a fleet's stacks
	// share their pacers through them. Zero for the other commands.
	client arm.ClientOptions
}

// register adds the flags of every command that reads a configuration:
// --chdir, --var, --var-file and --no-color.
func (f *commonFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.chdir, "chdir", ".", "the configuration directory")
	fs.Var(&varFlag{args: &f.vars}, "var", "set a variable: --var name=value (repeatable; wins over AZAPPLY_VAR_name and *.auto.hcl files)")
	fs.Var(&varFlag{args: &f.vars, file: true}, "var-file", "read variables from an HCL or JSON file of name = value lines (repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "never print colour codes")
	f.command = fs.Name()
}

// registerLock adds --lock and --lock-timeout, for the commands that read
// or write the state.
func (f *commonFlags) registerLock(fs *pflag.FlagSet) {
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 0, "how long to wait for the state lock held by another run, e.g. 30s (default: do not wait)")
	f.lockFlag = fs.Bool("lock", true, "hold the state lock while the command runs; plan and drift may skip it with --lock=false (for read-only credentials)")
}

// registerAll adds the common flags and the lock's.
func (f *commonFlags) registerAll(fs *pflag.FlagSet) {
	f.register(fs)
	f.registerLock(fs)
}

// varFlag appends each --var or --var-file to one list, so that their
// command-line order decides which wins.
type varFlag struct {
	args *[]config.VarArg
	file bool
}

func (v *varFlag) Set(s string) error {
	if v.file {
		if s == "" {
			return errors.New("--var-file needs a file name")
		}
		*v.args = append(*v.args, config.VarArg{File: s})
		return nil
	}
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q: write it as --var name=value", s)
	}
	*v.args = append(*v.args, config.VarArg{Name: name, Value: value})
	return nil
}

func (v *varFlag) String() string { return "" }

func (v *varFlag) Type() string {
	if v.file {
		return "file"
	}
	return "name=value"
}

// workspace is a loaded configuration with its state, locked, and an ARM
// client.
type workspace struct {
	cfg     *config.Config
	insts   []*config.Instance
	backend state.Backend
	state   *state.State
	client  *arm.Client
	// secrets are the clear sensitive values the run knows (variables,
	// sensitive paths, secrets the service returned), in memory only: the
	// ARM errors the client returns are cleaned of them.
	secrets secret.Values
	// closeFn saves what must outlive the command (the emulator's world).
	closeFn func() error
	// unlock releases the state lock.
	unlock func() error
	// data are the data sources read for the plan, with their bodies;
	// deferred ones depend on resources not created yet, and apply reads
	// them. actions are the action blocks.
	data []plan.DataSource
	// outputs are the output blocks' values as the plan evaluates them.
	outputs    []*config.Output
	dataBodies map[string]map[string]any
	deferred   []*config.Instance
	actions    []*config.Instance
	// compact writes the state whole if saves left changes in the
	// backend's journal only; set by the first save.
	compact func() error
	// reader, when set, is what the plan reads live resources with
	// instead of client: a fleet's stacks share their lists through it.
	reader plan.Reader
}

// planReader is what the plan reads live resources with.
func (w *workspace) planReader() plan.Reader {
	if w.reader != nil {
		return w.reader
	}
	return w.client
}

// save records the changes apply makes after every operation through the
// backend: appended to its journal where it keeps one (state.Save). The
// command compacts the journal into the state when it closes the
// workspace, whether apply succeeded, failed or was interrupted.
func (w *workspace) save(ctx context.Context) func(*state.State, ...string) error {
	return func(st *state.State, changed ...string) error {
		w.compactOnClose(ctx, st)
		return state.Save(ctx, w.backend, st, changed...)
	}
}

// stage is save split in two (state.Stage), for apply's group commit: the
// records are encoded while apply holds the state still, and written and
// synced while it goes on.
func (w *workspace) stage(ctx context.Context) func(*state.State, ...string) (func() error, error) {
	return func(st *state.State, changed ...string) (func() error, error) {
		w.compactOnClose(ctx, st)
		return state.Stage(ctx, w.backend, st, changed...)
	}
}

// compactOnClose makes the workspace fold the journal into the state st
// when it closes; set by the first save.
func (w *workspace) compactOnClose(ctx context.Context, st *state.State) {
	if w.compact != nil {
		return
	}
	// Even when ctx is cancelled (a second Ctrl-C): what finished is
	// folded into the state before the lock is released.
	cctx := context.WithoutCancel(ctx)
	w.compact = func() error {
		if err := state.Compact(cctx, w.backend, st); err != nil {
			return fmt.Errorf("writing the state: %w", err)
		}
		return nil
	}
}

// flush compacts the journal the saves made into the state, so that the
// command's exit code tells whether the state was written; close does it
// too, for the commands that end early.
func (w *workspace) flush() error {
	if w.compact == nil {
		return nil
	}
	if err := w.compact(); err != nil {
		return err
	}
	w.compact = nil
	return nil
}

func (w *workspace) close() error {
	err := w.flush()
	if w.closeFn != nil {
		if cerr := w.closeFn(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if w.unlock != nil {
		if uerr := w.unlock(); uerr != nil && err == nil {
			err = uerr
		}
	}
	return err
}

// loadConfig loads the configuration and builds its state backend, checking
// that the backend is the one the last command used.
func loadConfig(ctx context.Context, fac *Factory, f commonFlags) (*config.Config, state.Backend, error) {
	cfg, err := loadFiles(f)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBackend(f.chdir, cfg.Backend); err != nil {
		return nil, nil, err
	}
	backend, err := fac.Backend(ctx, cfg.Backend, cfg.Provider, f.chdir)
	if err != nil {
		return nil, nil, err
	}
	return cfg, backend, nil
}

// loadFiles loads the configuration; a configuration with errors returns
// a *views.ConfigError, which the command's view shows.
func loadFiles(f commonFlags) (*config.Config, error) {
	opts, err := parseVars(f.vars)
	if err != nil {
		return nil, err
	}
	cfg, diags := config.Load(f.chdir, opts)
	if diags.HasErrors() {
		return nil, configError(cfg, diags, f.noColor)
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

// openWorkspace loads the configuration, locks and reads the state, builds
// the client and reads the data sources that can be read before apply. The
// lock is held until w.close. A configuration with errors stops here before
// anything is sent.
func openWorkspace(ctx context.Context, fac *Factory, f commonFlags) (w *workspace, err error) {
	cfg, backend, err := loadConfig(ctx, fac, f)
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
	// A state written before azapply hashed the secrets the service
	// returns holds them in clear: hash them now, so that what this run
	// writes holds none.
	st.HideSecrets()
	if f.check != nil {
		if err := f.check(cfg, st); err != nil {
			return nil, err
		}
	}
	w = &workspace{cfg: cfg, backend: backend, state: st, unlock: unlock}
	if err := w.connect(ctx, fac, f.chdir, f.client); err != nil {
		return nil, err
	}
	// A failed read (a data source that answers 404, 403 or drops the
	// connection) returns a nil workspace: close what connect opened through
	// its own reference.
	closeFn := w.closeFn
	defer func() {
		if err != nil && closeFn != nil {
			_ = closeFn()
		}
	}()
	if err := w.evaluate(ctx, f.noColor); err != nil {
		return nil, err
	}
	return w, nil
}

// evaluate reads the data sources that can be read now and evaluates the
// configuration with them and with the outputs the state records. Errors
// in the configuration return a *views.ConfigError.
func (w *workspace) evaluate(ctx context.Context, noColor bool) error {
	outputs := map[string]any{}
	// A resource a moved block moves is read at its new address.
	var moves map[string]string
	if len(w.cfg.Moved) > 0 {
		addrs := make([]string, len(w.state.Resources))
		for i, r := range w.state.Resources {
			addrs[i] = r.Address
		}
		moves = config.MoveAddresses(w.cfg.Moved, addrs)
	}
	movedTo := map[string]bool{}
	for _, r := range w.state.Resources {
		addr := r.Address
		if to, ok := moves[addr]; ok {
			addr = to
			movedTo[to] = true
		}
		if r.Output == nil {
			continue
		}
		outputs[addr] = r.Output
		// The state keeps only a hash of each secret the service returned:
		// a configuration that reads one (an instrumentation key in an app
		// setting) reads it from Azure, never the hash.
		if state.HoldsHashes(r.Output) && r.InFlight == nil && w.client != nil {
			if resp, err := w.client.Get(ctx, r.ID, r.APIVersion); err == nil && resp != nil && resp.Body != nil {
				outputs[addr] = resp.Body
			}
		}
	}
	read := func(ctx context.Context, in *config.Instance) (map[string]any, error) {
		resp, err := apply.ReadData(ctx, w.client, in, 0)
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	// A data source that depends on a resource not created yet (or on such
	// a data source) would find nothing now: apply reads it.
	deferral := config.NewDeferral(func(addr string) bool { return w.state.Get(addr) != nil || movedTo[addr] })
	all, ev, diags := w.cfg.ReadDataDeferring(ctx, outputs, read, deferral.Later)
	if diags.HasErrors() {
		return configError(w.cfg, diags, noColor)
	}
	w.insts = ev.Resources()
	w.actions = ev.Actions()
	w.outputs = ev.Outputs
	w.secrets.Add(w.cfg.SensitiveValues(append(append(append([]*config.Instance{}, w.insts...), w.actions...), ev.Data()...)...)...)
	for _, body := range outputs {
		w.secrets.Add(secret.Strings("", body)...)
	}
	if w.client != nil {
		w.client.SetRedact(w.secrets.Redact)
	}
	w.dataBodies = map[string]map[string]any{}
	for _, d := range ev.Data() {
		body, ok := all[d.Address].(map[string]any)
		if !ok || d.Deferred || deferral.Deferred(d.Address) {
			w.deferred = append(w.deferred, d)
			continue
		}
		w.data = append(w.data, plan.DataSource{Address: d.Address, ID: d.ID, APIVersion: d.APIVersion})
		w.dataBodies[d.Address] = body
		// A read-only action's answer (listKeys) holds secrets: errors
		// printed after this are cleaned of them.
		w.secrets.Add(config.SensitiveStrings(config.MarkedOutput(d, body))...)
	}
	return nil
}

// connect builds the ARM client the provider block asks for, through the
// factory (connectARM in a real run), starting from opts: a fleet's
// stacks share their pacers through them.
func (w *workspace) connect(ctx context.Context, f *Factory, dir string, opts arm.ClientOptions) error {
	conn, err := f.Client(ctx, w.cfg.Provider, dir, opts)
	if err != nil {
		return err
	}
	w.client = conn.client
	w.closeFn = conn.close
	return nil
}

// parseVars turns the --var and --var-file flags into the configuration's
// load options, with the environment for AZAPPLY_VAR_name variables.
func parseVars(args []config.VarArg) (config.LoadOptions, error) {
	for _, a := range args {
		if a.File == "" && a.Name == "" {
			return config.LoadOptions{}, errors.New("--var needs a name: write it as --var name=value")
		}
	}
	return config.LoadOptions{Args: args, Env: os.Environ()}, nil
}
