package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// emulatorEndpoint is the URL the in-process emulator answers on. The
// .invalid domain never resolves, so nothing meant for the emulator can
// leave the machine.
const emulatorEndpoint = "https://emulator.invalid"

// commonFlags are the flags every command that reads a configuration takes.
type commonFlags struct {
	chdir string
	// vars are --var and --var-file in command-line order: a later one wins.
	vars    []config.VarArg
	noColor bool
}

func (f *commonFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.chdir, "chdir", ".", "the configuration directory (default: the current directory)")
	fs.Var(&varFlag{args: &f.vars}, "var", "set a variable: --var name=value (repeatable; wins over AZAPPLY_VAR_name and *.auto.hcl files)")
	fs.Var(&varFlag{args: &f.vars, file: true}, "var-file", "read variables from an HCL or JSON file of name = value lines (repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "never print colour codes")
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
	opts, err := parseVars(f.vars)
	if err != nil {
		return nil, err
	}
	cfg, diags := config.Load(f.chdir, opts)
	if diags.HasErrors() {
		printDiags(s, cfg, diags, f.noColor)
		return nil, errReported
	}
	backend := &state.Local{Path: filepath.Join(f.chdir, "azapply.state.json")}
	st, err := backend.Read()
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

// connect builds the ARM client the provider block asks for (see connectARM).
func (w *workspace) connect(dir string) error {
	conn, err := connectARM(context.TODO(), w.cfg.Provider, dir, os.Getenv)
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

// reportError prints err unless it was printed already, and returns exit 1.
func reportError(s *IOStreams, err error) int {
	if !errors.Is(err, errReported) {
		fmt.Fprintf(s.Err, "Error: %v\n", err)
	}
	return exitError
}
