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

	"github.com/azapply/azapply/arm"
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
		{"fleet", "Plan, or look for drift in, many stacks in one process: fleet plan|drift DIR...", runFleet},
		{"show", "Render a plan saved with plan --out", runShow},
		{"emulator", "Serve the local ARM emulator, or change its resources out of band", runEmulator},
		{"validate", "Check the configuration, without any network", runValidate},
		{"fmt", "Rewrite .hcl files in the canonical layout", runFmt},
		{"init", "Write a starter configuration, or check and record the state backend", runInit},
		{"import", "Adopt an existing Azure resource into the state", runImport},
		{"export", "Write the configuration of resources that already exist", runExport},
		{"output", "Print the output values the state recorded", runOutput},
		{"state", "Look after the state: list, show, rm, mv, pull, push", runState},
		{"force-unlock", "Break a state lock left by a run that died", runForceUnlock},
		{"completion", "Print a shell completion script for bash, zsh or fish", runCompletion},
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
	// The ARM client stops sending and stops every wait before a resend at
	// the first interrupt; the polls of accepted operations go on.
	code := run(arm.WithInterrupt(withDrain(ctx, drain), drain), os.Args[1:], systemStreams())
	cancel()
	stopProfiling()
	os.Exit(code)
}

func run(ctx context.Context, args []string, s *IOStreams) int {
	if len(args) >= 2 && args[0] == "help" {
		// azapply help plan = azapply plan --help
		return run(ctx, append(args[1:], "--help"), s)
	}
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
	if strings.HasPrefix(args[0], "-") {
		// Only a near miss: --chdir is not a mistyped --help.
		if n := nearest(args[0], []string{"--help", "--version"}); n != "" && editDistance(args[0], n) <= 2 {
			fmt.Fprintf(s.Err, "azapply: unknown flag %s. Did you mean %s?\n", args[0], n)
		} else {
			fmt.Fprintf(s.Err, "azapply: unknown flag %s. Flags go after the command, as in 'azapply plan %s'; run 'azapply --help' for the commands.\n", args[0], args[0])
		}
		return exitError
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
	fmt.Fprintln(w, "azapply plans and applies Azure Resource Manager resources declared in HCL")
	fmt.Fprintln(w, "by resource ID, api-version and JSON body.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
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

Run 'azapply COMMAND --help' for a command's flags and an example.`)
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
