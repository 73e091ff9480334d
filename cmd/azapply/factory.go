package main

import (
	"context"
	"os"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// Factory gives commands what they reach the world through: the standard
// streams, the ARM client and the state backend. main builds the real one
// (newFactory); a test builds one whose Client answers from an in-process
// emulator, so that a command runs end to end without a server.
type Factory struct {
	IOStreams *IOStreams
	// Client connects to ARM as the provider block asks; dir is the
	// configuration directory (the embedded emulator keeps its world
	// there); opts are the client's options to start from (a fleet's
	// stacks share their pacers through them). The connection's close
	// runs when the command ends.
	Client func(ctx context.Context, p config.Provider, dir string, opts arm.ClientOptions) (*armConnection, error)
	// Backend builds the state backend a backend block names; dir is the
	// configuration directory relative paths start from.
	Backend func(ctx context.Context, b *config.Backend, p config.Provider, dir string) (state.Backend, error)
}

// newFactory is the factory of a real run: the provider block's ARM
// endpoint (or the embedded emulator) and the backend block's storage.
func newFactory(s *IOStreams) *Factory {
	return &Factory{
		IOStreams: s,
		Client: func(ctx context.Context, p config.Provider, dir string, opts arm.ClientOptions) (*armConnection, error) {
			return connectARMWith(ctx, p, dir, os.Getenv, opts)
		},
		Backend: newBackend,
	}
}
