package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

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
	chdir   string
	vars    []string
	noColor bool
}

func (f *commonFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.chdir, "chdir", ".", "the configuration directory (default: the current directory)")
	fs.StringArrayVar(&f.vars, "var", nil, "set a variable: --var name=value (repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "never print colour codes")
}

// workspace is a loaded configuration with its state and an ARM client.
type workspace struct {
	cfg     *config.Config
	insts   []*config.Instance
	backend *state.Local
	state   *state.State
	client  *arm.Client
	// closeFn saves what must outlive the command (the emulator's world).
	closeFn func() error
}

func (w *workspace) close() error {
	if w.closeFn == nil {
		return nil
	}
	return w.closeFn()
}

// errReported means the problem was already printed (as diagnostics).
var errReported = errors.New("reported")

// openWorkspace loads and evaluates the configuration, reads the state and
// builds the client. Nothing is sent to ARM here.
func openWorkspace(f commonFlags, s *IOStreams) (*workspace, error) {
	vars, err := parseVars(f.vars)
	if err != nil {
		return nil, err
	}
	cfg, diags := config.Load(f.chdir, config.LoadOptions{Vars: vars})
	if diags.HasErrors() {
		printDiags(s, cfg, diags, f.noColor)
		return nil, errReported
	}
	backend := &state.Local{Path: filepath.Join(f.chdir, "azapply.state.json")}
	st, err := backend.Read(context.Background())
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
	w := &workspace{cfg: cfg, insts: insts, backend: backend, state: st}
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
