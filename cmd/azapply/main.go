package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/internal/memlimit"
)

// commands are azapply's commands, in the order --help lists them. Each
// is built by its constructor (NewCmdPlan...) with the factory it reaches
// the world through; see command for their shape.
func commands(f *Factory) []*command {
	return []*command{
		NewCmdPlan(f, nil),
		NewCmdApply(f, nil),
		NewCmdDestroy(f, nil),
		NewCmdVersion(f, nil),
		NewCmdDrift(f, nil),
		NewCmdFleet(f, nil),
		NewCmdShow(f, nil),
		NewCmdEmulator(f),
		NewCmdValidate(f, nil),
		NewCmdFmt(f, nil),
		NewCmdInit(f, nil),
		NewCmdImport(f, nil),
		NewCmdExport(f, nil),
		NewCmdOutput(f, nil),
		NewCmdState(f),
		NewCmdForceUnlock(f, nil),
		NewCmdCompletion(f, nil),
	}
}

func main() {
	configureLogging(os.Getenv("AZAPPLY_LOG"), os.Stderr)
	ctx, cancel := context.WithCancel(context.Background())
	drain := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		close(drain)
		fmt.Fprintln(os.Stderr, "\nInterrupt received: no new operation will start; waiting for those in flight to finish. Interrupt again to stop waiting (they go on in Azure).")
		<-sigs
		fmt.Fprintln(os.Stderr, "\nSecond interrupt: no longer waiting; the state records what finished.")
		cancel()
	}()
	stopProfiling := startProfiling()
	// A soft memory limit that follows the live heap, unless the user set
	// GOMEMLIMIT or GOGC=off (see internal/memlimit).
	memlimit.Set()
	// The ARM client stops sending and stops every wait before a resend at
	// the first interrupt; the polls of accepted operations go on.
	code := run(arm.WithInterrupt(withDrain(ctx, drain), drain), os.Args[1:], systemStreams())
	cancel()
	stopProfiling()
	os.Exit(code)
}

// run runs the command args name with the real factory and returns its
// exit code.
func run(ctx context.Context, args []string, s *IOStreams) int {
	return runWith(ctx, newFactory(s), args)
}

// runWith runs the command args name with f: the one place where what a
// command returns becomes an exit code.
func runWith(ctx context.Context, f *Factory, args []string) int {
	return exitCode(f.IOStreams, dispatch(ctx, f, args))
}

// dispatch finds the command args[0] names and executes it.
func dispatch(ctx context.Context, f *Factory, args []string) error {
	if len(args) >= 2 && args[0] == "help" {
		// azapply help plan = azapply plan --help
		return dispatch(ctx, f, append(args[1:], "--help"))
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if err := writeRootUsage(f.IOStreams.Out, commands(f)); err != nil {
			return err
		}
		if len(args) == 0 {
			return errShown
		}
		return nil
	}
	if args[0] == "--version" || args[0] == "-v" {
		args = []string{"version"}
	}
	cmds := commands(f)
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		if c.name == args[0] {
			return c.execute(ctx, args[1:])
		}
		names = append(names, c.name)
	}
	if strings.HasPrefix(args[0], "-") {
		// Only a near miss: --chdir is not a mistyped --help.
		if n := nearest(args[0], []string{"--help", "--version"}); n != "" && editDistance(args[0], n) <= 2 {
			return &usageError{msg: fmt.Sprintf("azapply: unknown flag %s. Did you mean %s?", args[0], n)}
		}
		return &usageError{msg: fmt.Sprintf("azapply: unknown flag %s. Flags go after the command, as in 'azapply plan %s'; run 'azapply --help' for the commands.", args[0], args[0])}
	}
	if n := nearest(args[0], names); n != "" {
		return &usageError{msg: fmt.Sprintf("azapply: unknown command %q. Did you mean %q?", args[0], n)}
	}
	return &usageError{msg: fmt.Sprintf("azapply: unknown command %q. Run 'azapply --help' for the list of commands.", args[0])}
}

// writeRootUsage writes azapply --help.
func writeRootUsage(w io.Writer, cmds []*command) error {
	var b strings.Builder
	b.WriteString("Usage: azapply COMMAND [flags]\n\n")
	b.WriteString("azapply plans and applies Azure Resource Manager resources declared in HCL\n")
	b.WriteString("by resource ID, api-version and JSON body.\n\n")
	b.WriteString("Commands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Flags most commands take:
  --chdir DIR           the configuration directory (default: the current directory)
  --var name=value      set a variable (repeatable)
  --var-file FILE       read variables from a file (repeatable)
  --no-color            never print colour codes
  --lock-timeout 30s    how long to wait for the state lock another run holds

Examples:
  azapply init --chdir demo                          # write a starter configuration
  azapply plan --chdir demo                          # what would change
  azapply apply --chdir demo --auto-approve          # make it so
  azapply plan --format markdown --out plan.bin --detailed-exitcode   # in CI
  azapply drift --detailed-exitcode                  # what changed outside azapply

Run 'azapply COMMAND --help' for a command's flags and an example.
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// configureLogging sends debug records to w when AZAPPLY_LOG=debug (the
// packages log through slog.Default: ARM requests, retries, state writes,
// locks; never headers, bodies or tokens). Any other value keeps slog's
// default, which prints warnings and above.
func configureLogging(level string, w io.Writer) {
	if !strings.EqualFold(strings.TrimSpace(level), "debug") {
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
}
