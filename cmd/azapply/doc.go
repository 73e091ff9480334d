// Command azapply plans and applies Azure Resource Manager resources declared
// in HCL by resource ID, api-version and JSON body.
//
// # The shape of a command
//
// Each command has a file of its own (plan.go, state_cmd.go...), shaped as
// cli/cli's pkg/cmd: three parts, with spf13/pflag for the flags.
//
//   - An options struct: the command's flags and arguments, and the
//     Factory it reaches the world through.
//   - A constructor, NewCmdX(f *Factory, runF func(context.Context, *XOptions) error) *command,
//     which binds the flags to a new options value and returns the
//     command's definition (newCommand: its usage line, summary,
//     description and example, from which --help is generated). Its run
//     takes the arguments left after the flags into the options and
//     checks them; then it calls runF when a test gave one (to see the
//     options a command line makes), else the run function.
//   - A run function, xRun(ctx, opts) error, which does the work and shows
//     it through a view (package views), never printing on its own.
//
// For example:
//
//	type fleetOptions struct {
//		factory *Factory
//		common  commonFlags
//		stacks  []string
//	}
//
//	func NewCmdFleet(f *Factory, runF func(context.Context, *fleetOptions) error) *command {
//		o := &fleetOptions{factory: f}
//		c := newCommand(f, "fleet", "STACK...", "Plan many stacks at once",
//			"Plan every stack named, and say which would change.",
//			"azapply fleet stacks/dev stacks/prod")
//		o.common.registerAll(c.flags)
//		c.run = func(ctx context.Context, args []string) error {
//			if len(args) == 0 {
//				return errors.New("fleet takes the stacks to plan: azapply fleet STACK...")
//			}
//			o.stacks = args
//			if runF != nil {
//				return runF(ctx, o)
//			}
//			return fleetRun(ctx, o)
//		}
//		return c
//	}
//
// and commands (main.go) lists NewCmdFleet(f, nil).
//
// # Errors and exit codes
//
// A run function returns an error, which runWith maps to the exit code
// once (exitCode): nil is 0; a *codeError carries its code and prints
// nothing more (exitWith(2) for changes with --detailed-exitcode,
// errShown after the view showed the error or the user cancelled); a
// *flagError (a bad flag or argument) is printed with a pointer to
// --help; any other error is printed as "Error: ..." with its hints, and
// is 1. Commands with a view (plan, apply, destroy, drift, show, output,
// validate) show their errors through it, so that --format json keeps
// standard output JSON, and return errShown: see fail.
//
// # The factory
//
// Factory.Client connects to ARM as the provider block asks, and
// Factory.Backend builds the state backend; newFactory gives the real
// ones. A test gives a Factory whose Client answers from an in-process
// emulator.Server, so that a command runs end to end, and its writes are
// checked in that server, without a listener (factory_test.go).
package main
