// Command azapply plans and applies Azure Resource Manager resources declared
// in HCL by resource ID, api-version and JSON body.
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
)

// exit codes, as Terraform uses them.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, s *IOStreams) int
}

func commands() []command {
	return []command{
		{"plan", "Show what apply would change", runPlan},
		{"apply", "Make Azure match the configuration", runApply},
		{"destroy", "Delete everything the state records", runDestroy},
		{"version", "Print the version, commit and Go version", runVersion},
		{"drift", "Show what changed outside azapply since the last apply", runDrift},
		{"show", "Render a plan saved with plan --out", runShow},
		{"emulator", "Serve the local ARM emulator, or change its resources out of band", runEmulator},
		{"validate", "Check the configuration, without any network", runValidate},
		{"fmt", "Rewrite .hcl files in the canonical layout", runFmt},
		{"init", "Check and record the state backend; --migrate-state after changing it", runInit},
		{"import", "Adopt an existing Azure resource into the state", runImport},
		{"state", "Look after the state: list, show, rm, mv, pull, push", runState},
		{"force-unlock", "Break a state lock left by a run that died", runForceUnlock},
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
	code := run(withDrain(ctx, drain), os.Args[1:], systemStreams())
	cancel()
	os.Exit(code)
}

func run(ctx context.Context, args []string, s *IOStreams) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.Out)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], s)
		}
	}
	if args[0] == "--version" || args[0] == "-v" {
		return runVersion(ctx, nil, s)
	}
	names := make([]string, 0, len(commands()))
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if n := nearest(args[0], names); n != "" {
		fmt.Fprintf(s.Err, "azapply: unknown command %q. Did you mean %q?\n", args[0], n)
	} else {
		fmt.Fprintf(s.Err, "azapply: unknown command %q. Run 'azapply --help' for the list of commands.\n", args[0])
	}
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: azapply COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'azapply COMMAND --help' for a command's flags.")
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
