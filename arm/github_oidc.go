package arm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/azapply/azapply/internal/loopback"
)

// githubAudience is the audience Microsoft Entra expects of a federated
// GitHub Actions token.
const githubAudience = "api://AzureADTokenExchange"

// newGitHubOIDC is workload identity for a GitHub Actions job that has
// `permissions: id-token: write` but no token file: the assertion is
// requested from the job's OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL,
// authorised by ACTIONS_ID_TOKEN_REQUEST_TOKEN) each time azidentity needs
// a new Azure token. azidentity does the token exchange itself.
func newGitHubOIDC(s Settings, c Cloud, copts azcore.ClientOptions, tenant string) (azcore.TokenCredential, error) {
	if tenant == "" || s.ClientID == "" {
		return nil, fmt.Errorf("workload identity from GitHub Actions OIDC needs tenant_id and client_id in the provider block (or AZURE_TENANT_ID and AZURE_CLIENT_ID)")
	}
	u, err := url.Parse(s.OIDCRequestURL)
	if err != nil || u.Scheme != "https" && !(u.Scheme == "http" && loopback.IsHost(u.Hostname())) {
		return nil, fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL is not an https URL")
	}
	q := u.Query()
	q.Set("audience", githubAudience)
	u.RawQuery = q.Encode()
	transport := s.Transport
	if transport == nil {
		transport = http.DefaultClient
	}
	requestURL, requestToken := u.String(), s.OIDCRequestToken
	assertion := func(ctx context.Context) (string, error) {
		return fetchGitHubToken(ctx, transport, requestURL, requestToken)
	}
	return azidentity.NewClientAssertionCredential(tenant, s.ClientID, assertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs})
}

func fetchGitHubToken(ctx context.Context, transport policy.Transporter, requestURL, requestToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, requestURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := transport.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting the GitHub Actions OIDC token: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the GitHub Actions OIDC token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the GitHub Actions OIDC endpoint answered HTTP %d: does the job have `permissions: id-token: write`?", resp.StatusCode)
	}
	var body struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Value == "" {
		return "", fmt.Errorf("the GitHub Actions OIDC endpoint gave no token")
	}
	return body.Value, nil
}
