package arm

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// StaticCredential is an azcore.TokenCredential that always returns the same
// token. It is for the local emulator only, which accepts any bearer token.
type StaticCredential struct {
	Token string
}

// GetToken returns the static token, valid for an hour.
func (c StaticCredential) GetToken(_ context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.Token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}
