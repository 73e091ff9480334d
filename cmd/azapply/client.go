package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
)

// armSettings maps the provider block onto the ARM client's settings, then
// lets the environment fill what the block left empty
// (AZAPPLY_ARM_ENDPOINT overrides the endpoint; see arm.Settings.WithEnvironment).
func armSettings(p config.Provider, getenv func(string) string) arm.Settings {
	return arm.Settings{
		Cloud:                     p.Cloud,
		Endpoint:                  p.Endpoint,
		Audience:                  p.Audience,
		AuthorityHost:             p.AuthorityHost,
		MetadataEndpoint:          p.MetadataEndpoint,
		Auth:                      p.Auth,
		TenantID:                  p.TenantID,
		ClientID:                  p.ClientID,
		ClientSecret:              p.ClientSecret,
		ClientCertificatePath:     p.ClientCertificatePath,
		ClientCertificatePassword: p.ClientCertificatePass,
		FederatedTokenFile:        p.FederatedTokenFile,
		Username:                  p.Username,
		Password:                  p.Password,
		AuxiliaryTenantIDs:        p.AuxiliaryTenantIDs,
	}.WithEnvironment(getenv)
}

// armConnection is a client and what must run when the command ends.
type armConnection struct {
	client *arm.Client
	cloud  arm.Cloud
	// close saves what must outlive the command (the emulator's world).
	close func() error
}

// connectARM builds the ARM client the provider block asks for:
// `endpoint = "emulator"` (in the block or AZAPPLY_ARM_ENDPOINT) is the
// embedded emulator, whose world lives in dir/.azapply/emulator.json;
// anything else is a cloud reached with an azidentity credential. Only a
// metadata_endpoint is read here; nothing is sent to ARM.
func connectARM(ctx context.Context, p config.Provider, dir string, getenv func(string) string) (*armConnection, error) {
	return connectARMWith(ctx, p, dir, getenv, arm.ClientOptions{})
}

// connectARMWith is connectARM with the client's options to start from:
// a fleet's stacks share their pacers through them.
func connectARMWith(ctx context.Context, p config.Provider, dir string, getenv func(string) string, opts arm.ClientOptions) (*armConnection, error) {
	s := armSettings(p, getenv)
	if strings.EqualFold(s.Endpoint, "emulator") {
		return connectEmulator(dir, opts.Pacers)
	}
	client, cloud, err := arm.Connect(ctx, s, opts)
	if err != nil {
		return nil, fmt.Errorf("connecting to Azure Resource Manager: %w", err)
	}
	return &armConnection{client: client, cloud: cloud, close: func() error { return nil }}, nil
}

func connectEmulator(dir string, pacers *arm.PacerSet) (*armConnection, error) {
	srv := emulator.New(emulator.Options{})
	worldFile := filepath.Join(dir, ".azapply", "emulator.json")
	if err := srv.LoadFile(worldFile); err != nil {
		return nil, err
	}
	return inProcessConnection(srv, func() error { return srv.SaveFile(worldFile) }, pacers, "emulator "+worldFile)
}

// inProcessConnection is a client of the emulator srv served in this
// process, with no listener; closeFn runs when the command ends. pacers,
// when not nil, are a fleet's, and principal names this world in them.
func inProcessConnection(srv *emulator.Server, closeFn func() error, pacers *arm.PacerSet, principal string) (*armConnection, error) {
	client, err := arm.NewClient(arm.ClientOptions{
		Endpoint:   emulatorEndpoint,
		Credential: arm.StaticCredential{Token: "emulator-token"},
		Transport:  &http.Client{Transport: srv.Transport()},
		// The emulator's operations are quick: poll them quickly.
		PollFrequency:   100 * time.Millisecond,
		MaxPollInterval: time.Second,
		// Each stack's embedded emulator is a world of its own: it shares
		// the fleet's bound on requests in flight, not a pacer.
		Pacers:    pacers,
		Principal: principal,
	})
	if err != nil {
		return nil, err
	}
	return &armConnection{
		client: client,
		cloud:  arm.Cloud{Name: "emulator", Endpoint: emulatorEndpoint},
		close:  closeFn,
	}, nil
}
