package main

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
)

// TestStorageCredentialFollowsTheProvider checks that the azureblob backend
// signs in the way the provider block says, not with the default chain.
func TestStorageCredentialFollowsTheProvider(t *testing.T) {
	t.Setenv("AZAPPLY_AUTH", "")
	// An explicit choice with a setting missing is refused by the provider's
	// own credential code, which names what is missing.
	_, err := storageCredential(context.Background(), config.Provider{Auth: "client_secret", ClientID: "app"})
	if err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Fatalf("error = %v, want the client_secret credential asking for a tenant", err)
	}
	cred, err := storageCredential(context.Background(), config.Provider{Auth: "client_secret", TenantID: "00000000-0000-0000-0000-000000000001", ClientID: "app", ClientSecret: "s"})
	if err != nil || cred == nil {
		t.Fatalf("a complete client secret gave %v, %v", cred, err)
	}
}
