package arm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
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

// The values of Settings.Auth.
const (
	AuthDefault          = ""
	AuthCLI              = "cli"
	AuthEnv              = "env"
	AuthWorkloadIdentity = "workload_identity"
	AuthManagedIdentity  = "managed_identity"
	AuthClientSecret     = "client_secret"
	AuthClientCert       = "client_certificate"
	AuthUsernamePassword = "username_password"
)

// Settings say which cloud to reach and how to sign in: the provider
// block's settings in arm's terms (arm knows nothing of HCL).
type Settings struct {
	// Cloud is public (the default), china or usgovernment.
	Cloud string
	// Endpoint, Audience and AuthorityHost override the cloud's.
	Endpoint, Audience, AuthorityHost string
	// MetadataEndpoint is an Azure Stack Hub style
	// https://management.{region}.{domain}/metadata/endpoints URL to learn
	// the endpoint, audience and login host from.
	MetadataEndpoint string
	// Auth chooses the credential: "" for the default chain (environment,
	// workload identity, managed identity, Azure CLI), or one of cli, env,
	// workload_identity, managed_identity, client_secret,
	// client_certificate, username_password.
	Auth                      string
	TenantID, ClientID        string
	ClientSecret              string
	ClientCertificatePath     string
	ClientCertificatePassword string
	FederatedTokenFile        string
	// OIDCRequestURL and OIDCRequestToken are a GitHub Actions job's OIDC
	// endpoint (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN): workload identity
	// uses them when there is no federated token file.
	OIDCRequestURL, OIDCRequestToken string
	Username, Password               string
	// AuxiliaryTenantIDs are other tenants whose tokens every request
	// carries in x-ms-authorization-auxiliary (a resource that refers to
	// one in another tenant, such as a virtual network peering). The
	// credential must be allowed to sign in to them.
	AuxiliaryTenantIDs []string
	// Transport sends the token, metadata and ARM requests; the default
	// HTTP client when nil. Tests use it to trust a local TLS server.
	Transport policy.Transporter
}

// String describes the settings without their secrets.
func (s Settings) String() string {
	redact := func(v string) string {
		if v == "" {
			return `""`
		}
		return "(set)"
	}
	return fmt.Sprintf("cloud=%q endpoint=%q audience=%q authority_host=%q metadata_endpoint=%q auth=%q tenant_id=%q client_id=%q client_secret=%s client_certificate_path=%q client_certificate_password=%s federated_token_file=%q oidc_request_url=%q oidc_request_token=%s username=%q password=%s auxiliary_tenant_ids=%q",
		s.Cloud, s.Endpoint, s.Audience, s.AuthorityHost, s.MetadataEndpoint, s.Auth, s.TenantID, s.ClientID,
		redact(s.ClientSecret), s.ClientCertificatePath, redact(s.ClientCertificatePassword), s.FederatedTokenFile,
		s.OIDCRequestURL, redact(s.OIDCRequestToken), s.Username, redact(s.Password), s.AuxiliaryTenantIDs)
}

// GoString keeps %#v from printing secrets too.
func (s Settings) GoString() string { return "arm.Settings{" + s.String() + "}" }

// WithEnvironment fills the settings the configuration left empty from the
// environment: AZAPPLY_ARM_ENDPOINT (which wins over the configuration),
// AZAPPLY_AUTH, and for the explicit credentials Azure's usual AZURE_TENANT_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
// AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_FEDERATED_TOKEN_FILE,
// AZURE_USERNAME and AZURE_PASSWORD, and GitHub Actions'
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN. getenv is
// os.Getenv when nil.
func (s Settings) WithEnvironment(getenv func(string) string) Settings {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("AZAPPLY_ARM_ENDPOINT"); v != "" {
		s.Endpoint = v
	}
	fill := func(field *string, name string) {
		if *field == "" {
			*field = getenv(name)
		}
	}
	fill(&s.Auth, "AZAPPLY_AUTH")
	fill(&s.TenantID, "AZURE_TENANT_ID")
	fill(&s.ClientID, "AZURE_CLIENT_ID")
	fill(&s.ClientSecret, "AZURE_CLIENT_SECRET")
	fill(&s.ClientCertificatePath, "AZURE_CLIENT_CERTIFICATE_PATH")
	fill(&s.ClientCertificatePassword, "AZURE_CLIENT_CERTIFICATE_PASSWORD")
	fill(&s.FederatedTokenFile, "AZURE_FEDERATED_TOKEN_FILE")
	fill(&s.OIDCRequestURL, "ACTIONS_ID_TOKEN_REQUEST_URL")
	fill(&s.OIDCRequestToken, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	fill(&s.Username, "AZURE_USERNAME")
	fill(&s.Password, "AZURE_PASSWORD")
	return s
}

// authKind is the credential the settings ask for: Auth when set, else
// the one the given secrets imply, else the default chain.
func (s Settings) authKind() string {
	switch {
	case s.Auth != "":
		return strings.ToLower(strings.TrimSpace(s.Auth))
	case s.ClientSecret != "":
		return AuthClientSecret
	case s.ClientCertificatePath != "":
		return AuthClientCert
	case s.FederatedTokenFile != "":
		return AuthWorkloadIdentity
	case s.Username != "" && s.Password != "":
		return AuthUsernamePassword
	}
	return AuthDefault
}

// NewCredential returns the azidentity credential the settings ask for, in
// the given cloud. Tokens are requested for the cloud's ARM audience and
// cached and refreshed by azidentity; nothing here prints or logs them.
func NewCredential(s Settings, c Cloud) (azcore.TokenCredential, error) {
	copts := azcore.ClientOptions{Cloud: c.cloudConfig(), Transport: s.Transport}
	tenant := s.TenantID
	if c.Tenant != "" {
		tenant = c.Tenant
	}
	need := func(kind string, pairs ...string) error {
		var missing []string
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i+1] == "" {
				missing = append(missing, pairs[i])
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("auth = %q needs %s in the provider block (or the matching AZURE_* environment variable)", kind, strings.Join(missing, ", "))
		}
		return nil
	}
	switch kind := s.authKind(); kind {
	case AuthClientSecret:
		if err := need(kind, "tenant_id", tenant, "client_id", s.ClientID, "client_secret", s.ClientSecret); err != nil {
			return nil, err
		}
		return azidentity.NewClientSecretCredential(tenant, s.ClientID, s.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs})
	case AuthClientCert:
		if err := need(kind, "tenant_id", tenant, "client_id", s.ClientID, "client_certificate_path", s.ClientCertificatePath); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(s.ClientCertificatePath)
		if err != nil {
			return nil, fmt.Errorf("reading client_certificate_path: %w", err)
		}
		certs, key, err := parseCertificate(data, []byte(s.ClientCertificatePassword))
		if err != nil {
			return nil, fmt.Errorf("client_certificate_path %s: not a PEM or PKCS#12 certificate with its private key, or a wrong client_certificate_password: %w", s.ClientCertificatePath, err)
		}
		return azidentity.NewClientCertificateCredential(tenant, s.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs})
	case AuthWorkloadIdentity:
		if s.FederatedTokenFile == "" && s.OIDCRequestURL != "" {
			return newGitHubOIDC(s, c, copts, tenant)
		}
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs,
			TenantID: tenant, ClientID: s.ClientID, TokenFilePath: s.FederatedTokenFile,
		})
	case AuthManagedIdentity:
		return newManagedIdentity(s, copts)
	case AuthCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs})
	case AuthEnv:
		return azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom})
	case AuthUsernamePassword:
		if err := need(kind, "tenant_id", tenant, "client_id", s.ClientID, "username", s.Username, "password", s.Password); err != nil {
			return nil, err
		}
		// The resource-owner password grant is deprecated by Microsoft (it
		// cannot do multifactor sign-in), but it is how Azure Stack Hub with
		// AD FS signs users in.
		//lint:ignore SA1019 Azure Stack Hub needs it
		opts := &azidentity.UsernamePasswordCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs} //nolint:staticcheck // SA1019, as above: Azure Stack Hub needs it
		return azidentity.NewUsernamePasswordCredential(tenant, s.ClientID, s.Username, s.Password, opts)
	case AuthDefault:
		return newDefaultChain(s, c, copts, tenant)
	default:
		return nil, fmt.Errorf("auth = %q is not a credential azapply knows: use cli, env, workload_identity, managed_identity, client_secret, client_certificate or username_password, or leave it out for the default chain", s.Auth)
	}
}

func newManagedIdentity(s Settings, copts azcore.ClientOptions) (azcore.TokenCredential, error) {
	o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: copts}
	if s.ClientID != "" {
		o.ID = azidentity.ClientID(s.ClientID)
	}
	return azidentity.NewManagedIdentityCredential(o)
}

// newDefaultChain is azidentity's usual order, built here so that every
// member gets the cloud and transport: the environment (client secret or
// certificate), workload identity (a federated token file, or a GitHub
// Actions job's OIDC endpoint), managed identity, then the Azure CLI. A member
// whose settings are absent is left out; the chain moves on only when a
// member is unavailable, not when a sign-in fails.
func newDefaultChain(s Settings, c Cloud, copts azcore.ClientOptions, tenant string) (azcore.TokenCredential, error) {
	var chain []azcore.TokenCredential
	if env, err := azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: c.Custom}); err == nil {
		chain = append(chain, env)
	}
	if wi, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: copts, DisableInstanceDiscovery: c.Custom, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs,
		TenantID: tenant, ClientID: s.ClientID, TokenFilePath: s.FederatedTokenFile,
	}); err == nil {
		chain = append(chain, wi)
	} else if s.OIDCRequestURL != "" && s.OIDCRequestToken != "" {
		if gh, err := newGitHubOIDC(s, c, copts, tenant); err == nil {
			chain = append(chain, gh)
		}
	}
	if mi, err := newManagedIdentity(s, copts); err == nil {
		chain = append(chain, mi)
	}
	if cli, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant, AdditionallyAllowedTenants: s.AuxiliaryTenantIDs}); err == nil {
		chain = append(chain, cli)
	}
	if len(chain) == 0 {
		return nil, errors.New("no Azure credential could be set up: sign in with `az login`, or set auth in the provider block")
	}
	return azidentity.NewChainedTokenCredential(chain, nil)
}

// Connect resolves the cloud, builds the credential and returns a Client
// for them. opts supplies the rest of the client's options; its Endpoint,
// Audience, Credential and (when unset) Transport come from the settings.
func Connect(ctx context.Context, s Settings, opts ClientOptions) (*Client, Cloud, error) {
	c, err := ResolveCloud(ctx, s)
	if err != nil {
		return nil, Cloud{}, err
	}
	cred, err := NewCredential(s, c)
	if err != nil {
		return nil, Cloud{}, err
	}
	opts.Endpoint, opts.Audience, opts.Credential = c.Endpoint, c.Audience, cred
	opts.AuxiliaryTenants = s.AuxiliaryTenantIDs
	if opts.Principal == "" {
		opts.Principal = principalOf(s)
	}
	if opts.Transport == nil {
		opts.Transport = s.Transport
	}
	client, err := NewClient(opts)
	if err != nil {
		return nil, Cloud{}, err
	}
	client.log.Debug("arm: connected", "cloud", c.Name, "endpoint", c.Endpoint, "audience", c.Audience,
		"authority_host", c.AuthorityHost, "auth", authName(s.authKind()))
	return client, c, nil
}

func authName(kind string) string {
	if kind == "" {
		return "default chain"
	}
	return kind
}
