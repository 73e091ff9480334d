package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// stateSubcommand is the definition of a command under 'azapply state'.
type stateSubcommand struct {
	name, args, summary, example string
	// minArgs and maxArgs bound the number of arguments (maxArgs -1: no
	// bound); argsErr says what to give instead.
	minArgs, maxArgs int
	argsErr          string
	// locks says the subcommand changes the state under the lock, and so
	// takes --lock and --lock-timeout; the others only read the state
	// (readState) and take neither.
	locks bool
	run   func(ctx context.Context, o *stateOptions) error
}

// stateSubcommands are the commands under 'azapply state'.
var stateSubcommands = []stateSubcommand{
	{"list", "", "List the addresses the state records", "azapply state list --chdir examples/quickstart",
		0, 0, "state list takes no arguments: azapply state list", false, stateList},
	{"show", "ADDRESS", "Show what the state records for one resource", "azapply state show --chdir examples/quickstart resource.registry",
		1, 1, "state show takes one address: azapply state show resource.NAME", false, stateShow},
	{"rm", "ADDRESS...", "Forget resources without deleting them in Azure", `azapply state rm --chdir stacks/prod 'resource.subnet["db"]'`,
		1, -1, "state rm needs at least one address: azapply state rm resource.NAME", true, stateRm},
	{"mv", "FROM TO", "Record a resource under another address", "azapply state mv --chdir stacks/prod resource.acr resource.registry",
		2, 2, "state mv takes two addresses: azapply state mv resource.OLD resource.NEW (or module.OLD module.NEW)", true, stateMv},
	{"pull", "", "Print the state as JSON", "azapply state pull --chdir stacks/prod > backup.state.json",
		0, 0, "state pull takes no arguments: azapply state pull > backup.json", false, statePull},
	{"push", "FILE", "Replace the state with FILE ('-' for standard input)", "azapply state push --chdir stacks/prod backup.state.json",
		1, 1, "state push takes one file: azapply state push backup.json", true, statePush},
}

type stateOptions struct {
	factory *Factory
	common  commonFlags
	// args are the subcommand's arguments: addresses, or a file.
	args []string
}

func (o *stateOptions) view() *views.State {
	return views.NewState(viewStreams(o.factory.IOStreams, o.common.noColor))
}

// NewCmdState defines the group 'azapply state' and its subcommands.
func NewCmdState(f *Factory) *command {
	subs := make([]*command, len(stateSubcommands))
	for i, sc := range stateSubcommands {
		subs[i] = NewCmdStateSub(f, sc, nil)
	}
	return newGroup(f, "state", "Look after the state: list, show, rm, mv, pull, push",
		"azapply state list --chdir examples/quickstart", subs...)
}

// NewCmdStateSub defines one command under 'azapply state'; runF, when a
// test gives it, runs instead of the subcommand's run.
func NewCmdStateSub(f *Factory, sc stateSubcommand, runF func(context.Context, *stateOptions) error) *command {
	o := &stateOptions{factory: f}
	c := newCommand(f, "state "+sc.name, sc.args, sc.summary, sc.summary+".", sc.example)
	if sc.locks {
		o.common.registerAll(c.flags)
	} else {
		o.common.register(c.flags) // no --lock: list, show and pull read the state without it
	}
	c.run = func(ctx context.Context, args []string) error {
		if len(args) < sc.minArgs || (sc.maxArgs >= 0 && len(args) > sc.maxArgs) {
			return errors.New(sc.argsErr)
		}
		o.args = args
		if runF != nil {
			return runF(ctx, o)
		}
		return sc.run(ctx, o)
	}
	return c
}

// addressPattern is resource.NAME, optionally with an instance key, in any
// module (module.NAME. or module.NAME["key"]. before it); modulePattern
// is a module instance or call alone.
var (
	addressPattern = regexp.MustCompile(`^(module\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?\.)*resource\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?$`)
	modulePattern  = regexp.MustCompile(`^(module\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?\.)*module\.[A-Za-z][A-Za-z0-9_-]*(\[("[^"]*"|[0-9]+)\])?$`)
)

func checkAddress(a string) error {
	if !addressPattern.MatchString(a) {
		return fmt.Errorf("%q is not a resource address: write it as resource.NAME, resource.NAME[\"key\"] or module.NAME.resource.NAME", a)
	}
	return nil
}

// readState reads the state without locking it: for commands that only look.
func readState(ctx context.Context, f *Factory, c commonFlags) (*state.State, error) {
	_, backend, err := loadConfig(ctx, f, c)
	if err != nil {
		return nil, err
	}
	return backend.Read(ctx)
}

// changeState locks and reads the state, lets change alter it, and writes it
// when change returns nil.
func changeState(ctx context.Context, o *stateOptions, change func(st *state.State, b state.Backend) error) error {
	_, backend, err := loadConfig(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	unlock, err := lockState(ctx, backend, o.common)
	if err != nil {
		return err
	}
	st, err := backend.Read(ctx)
	if err == nil {
		err = change(st, backend)
	}
	if err == nil {
		err = backend.Write(ctx, st)
	}
	if uerr := unlock(); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

func stateList(ctx context.Context, o *stateOptions) error {
	st, err := readState(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	addrs := make([]string, len(st.Resources))
	for i, r := range st.Resources {
		addrs[i] = r.Address
	}
	o.view().List(addrs)
	return nil
}

func stateShow(ctx context.Context, o *stateOptions) error {
	args := o.args
	st, err := readState(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	st.HideSecrets()
	r := st.Get(args[0])
	if r == nil {
		return fmt.Errorf("the state records no %s; 'azapply state list' lists what it records", args[0])
	}
	return o.view().Resource(r)
}

func stateRm(ctx context.Context, o *stateOptions) error {
	args := o.args
	err := changeState(ctx, o, func(st *state.State, _ state.Backend) error {
		for _, a := range args {
			if st.Get(a) == nil {
				return fmt.Errorf("the state records no %s; nothing was removed. 'azapply state list' lists what it records", a)
			}
		}
		for _, a := range args {
			st.Remove(a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range args {
		o.view().Removed(a)
	}
	return nil
}

func stateMv(ctx context.Context, o *stateOptions) error {
	args := o.args
	from, to := args[0], args[1]
	fromModule, toModule := modulePattern.MatchString(from), modulePattern.MatchString(to)
	if fromModule != toModule {
		return fmt.Errorf("%s and %s are not the same kind of address: move a resource to a resource address, or a module to a module address", from, to)
	}
	if !toModule {
		if err := checkAddress(to); err != nil {
			return err
		}
	}
	var moved map[string]string
	err := changeState(ctx, o, func(st *state.State, _ state.Backend) error {
		addrs := make([]string, len(st.Resources))
		for i, r := range st.Resources {
			addrs[i] = r.Address
		}
		if !fromModule && st.Get(from) != nil {
			// One instance, as written.
			if st.Get(to) != nil {
				return fmt.Errorf("the state already records %s; nothing was moved. Remove it first with 'azapply state rm %s' if it is stale", to, to)
			}
			moved = map[string]string{from: to}
		} else {
			moved = config.MoveAddresses([]*config.Moved{{From: from, To: to}}, addrs)
			if len(moved) == 0 {
				return fmt.Errorf("the state records no %s, or what it records there cannot move to %s (the state records that already); nothing was moved. 'azapply state list' lists what it records", from, to)
			}
		}
		for old, nw := range moved {
			r := st.Get(old)
			st.Remove(old)
			r.Address = nw
			st.Set(r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	olds := make([]string, 0, len(moved))
	for old := range moved {
		olds = append(olds, old)
	}
	sort.Strings(olds)
	for _, old := range olds {
		o.view().Moved(old, moved[old])
	}
	return nil
}

func statePull(ctx context.Context, o *stateOptions) error {
	st, err := readState(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	st.HideSecrets()
	data, err := state.Encode(st)
	if err != nil {
		return err
	}
	return o.view().Pulled(data)
}

// statePush replaces the stored state with a file, refusing one from another
// lineage or older than what is stored.
func statePush(ctx context.Context, o *stateOptions) error {
	args := o.args
	name := args[0]
	var data []byte
	var err error
	if name == "-" {
		name = "standard input"
		data, err = io.ReadAll(o.factory.IOStreams.In)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return fmt.Errorf("reading the state to push: %w", err)
	}
	pushed, err := state.Decode(data, name)
	if err != nil {
		return err
	}
	// A state edited by hand keeps no secret in clear either.
	pushed.HideSecrets()
	var where string
	err = changeState(ctx, o, func(st *state.State, b state.Backend) error {
		where = b.String()
		empty := st.Serial == 0 && len(st.Resources) == 0
		if !empty && st.Lineage != pushed.Lineage {
			return fmt.Errorf("%s has lineage %s but the state %s has %s: it is the record of another stack, and pushing it would lose this one. Nothing was changed", name, pushed.Lineage, where, st.Lineage)
		}
		if !empty && pushed.Serial < st.Serial {
			return fmt.Errorf("%s is at serial %d, older than the state %s (serial %d): pushing it would undo later changes. Pull the current state and edit that instead. Nothing was changed", name, pushed.Serial, where, st.Serial)
		}
		// The backend writes serial+1 over what it stores now.
		serial := max(pushed.Serial, st.Serial)
		*st = *pushed
		st.Serial = serial
		return nil
	})
	if err != nil {
		return err
	}
	o.view().Pushed(name, where)
	return nil
}
