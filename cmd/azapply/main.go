// Command azapply plans and applies Azure Resource Manager resources declared
// in HCL by resource ID, api-version and JSON body.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
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
		{"init", "Check and record the state backend; --migrate-state after changing it", runInit},
		{"import", "Adopt an existing Azure resource into the state", runImport},
		{"state", "Look after the state: list, show, rm, mv, pull, push", runState},
		{"force-unlock", "Break a state lock left by a run that died", runForceUnlock},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], systemStreams()))
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
	fmt.Fprintf(s.Err, "azapply: unknown command %q. Run 'azapply --help' for the list of commands.\n", args[0])
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
