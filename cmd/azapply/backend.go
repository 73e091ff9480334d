package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azureblob"
	"github.com/azapply/azapply/state/local"
)

// defaultStatePath is the local backend's file when the configuration names
// none.
const defaultStatePath = "azapply.state.json"

// backendRecordFile remembers, beside the configuration, which backend the
// last command used, so that a changed backend block is noticed instead of
// silently starting from an empty state.
const backendRecordFile = ".azapply/backend.json"

// backendRecord is what backendRecordFile holds: the backend block's
// settings, never a credential.
type backendRecord struct {
	Type       string `json:"type"`
	Path       string `json:"path,omitempty"`
	AccountURL string `json:"account_url,omitempty"`
	Container  string `json:"container,omitempty"`
	Key        string `json:"key,omitempty"`
}

func recordOf(b *config.Backend) backendRecord {
	if b == nil || b.Type == "" || b.Type == "local" {
		p := defaultStatePath
		if b != nil && b.Path != "" {
			p = b.Path
		}
		return backendRecord{Type: "local", Path: filepath.Clean(p)}
	}
	return backendRecord{Type: b.Type, AccountURL: b.AccountURL, Container: b.Container, Key: b.Key}
}

func (r backendRecord) String() string {
	if r.Type == "local" {
		return fmt.Sprintf("local (%s)", r.Path)
	}
	return fmt.Sprintf("%s (%s, container %s, key %s)", r.Type, r.AccountURL, r.Container, r.Key)
}

func (r backendRecord) backend() *config.Backend {
	return &config.Backend{Type: r.Type, Path: r.Path, AccountURL: r.AccountURL, Container: r.Container, Key: r.Key}
}

// newBackend builds the backend a backend block asks for; dir is the
// configuration directory, which relative local paths start from.
func newBackend(ctx context.Context, b *config.Backend, p config.Provider, dir string) (state.Backend, error) {
	r := recordOf(b)
	where := ""
	if b != nil && b.DeclRange.Filename != "" {
		where = fmt.Sprintf("%s:%d: ", b.DeclRange.Filename, b.DeclRange.Start.Line)
	}
	switch r.Type {
	case "local":
		p := r.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return local.New(p), nil
	case "azureblob":
		o := azureblob.Options{
			AccountURL: r.AccountURL, Container: r.Container, Key: r.Key,
			ConnectionString: os.Getenv(azureblob.ConnectionStringEnv),
			SASToken:         os.Getenv(azureblob.SASTokenEnv),
		}
		if o.ConnectionString == "" && o.SASToken == "" {
			cred, err := storageCredential(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("%sthe azureblob backend has no Azure credential (%v): sign in with 'az login', or set %s or %s", where, err, azureblob.ConnectionStringEnv, azureblob.SASTokenEnv)
			}
			o.Credential = cred
		}
		bk, err := azureblob.New(o)
		if err != nil {
			return nil, fmt.Errorf("%s%w", where, err)
		}
		return bk, nil
	default:
		return nil, fmt.Errorf("%sunknown backend type %q: use \"local\" or \"azureblob\"", where, r.Type)
	}
}

// storageCredential signs the azureblob backend in when the environment
// gives neither a connection string nor a SAS token, with the credential the
// provider block (or AZAPPLY_AUTH and the AZURE_* variables) chooses for ARM:
// the same sign-in for the state as for the resources, GitHub's OIDC
// included. With no choice made, it is azidentity's chain.
func storageCredential(ctx context.Context, p config.Provider) (azcore.TokenCredential, error) {
	settings := armSettings(p, os.Getenv)
	if settings.Auth == "" && settings.ClientSecret == "" && settings.ClientCertificatePath == "" &&
		settings.FederatedTokenFile == "" && settings.Username == "" {
		return azidentity.NewDefaultAzureCredential(nil)
	}
	cloud, err := arm.ResolveCloud(ctx, settings)
	if err != nil {
		return nil, err
	}
	return arm.NewCredential(settings, cloud)
}

// readBackendRecord returns the backend recorded in dir, or nil.
func readBackendRecord(dir string) (*backendRecord, error) {
	data, err := os.ReadFile(filepath.Join(dir, backendRecordFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", backendRecordFile, err)
	}
	var r backendRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s cannot be parsed (%v): delete it and run 'azapply init'", filepath.Join(dir, backendRecordFile), err)
	}
	return &r, nil
}

func writeBackendRecord(dir string, r backendRecord) error {
	p := filepath.Join(dir, backendRecordFile)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("recording the backend: %w", err)
	}
	data, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("recording the backend: %w", err)
	}
	return nil
}

// checkBackend refuses to go on when the backend block changed since the
// last command: the new backend may hold no state, and working from an empty
// state would plan to create everything again. The first command records it.
func checkBackend(dir string, b *config.Backend) error {
	cur := recordOf(b)
	prev, err := readBackendRecord(dir)
	if err != nil {
		return err
	}
	if prev == nil {
		return writeBackendRecord(dir, cur)
	}
	if *prev != cur {
		return fmt.Errorf("the backend changed from %s to %s since the last run. Run 'azapply init --migrate-state' to copy the state into the new backend, or 'azapply init --reconfigure' to use the new backend as it is", prev, cur)
	}
	return nil
}
