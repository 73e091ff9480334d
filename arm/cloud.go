package arm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/azapply/azapply/internal/loopback"
)

// Cloud is where ARM and its login endpoint are.
type Cloud struct {
	// Name is public, china, usgovernment, or custom.
	Name string
	// Endpoint is the ARM endpoint, e.g. https://management.azure.com.
	Endpoint string
	// Audience is the resource tokens are requested for.
	Audience string
	// AuthorityHost is the Microsoft Entra (or AD FS) login host.
	AuthorityHost string
	// Tenant is a tenant the cloud imposes ("adfs" on an AD FS Azure Stack
	// Hub), or "".
	Tenant string
	// Custom is true for clouds that are not one of Azure's own (Azure
	// Stack Hub, a private cloud): no Entra instance discovery there.
	Custom bool
}

// The ARM endpoint and audience of the clouds azcore knows.
var knownClouds = map[string]struct {
	cfg      cloud.Configuration
	endpoint string
}{
	"public":       {cloud.AzurePublic, "https://management.azure.com"},
	"china":        {cloud.AzureChina, "https://management.chinacloudapi.cn"},
	"usgovernment": {cloud.AzureGovernment, "https://management.usgovcloudapi.net"},
}

var cloudAliases = map[string]string{
	"": "public", "public": "public", "azurecloud": "public", "azurepublic": "public", "azurepubliccloud": "public",
	"china": "china", "azurechinacloud": "china", "azurechina": "china",
	"usgovernment": "usgovernment", "usgov": "usgovernment", "azureusgovernment": "usgovernment", "azureusgovernmentcloud": "usgovernment", "azuregovernment": "usgovernment",
}

// ResolveCloud works out the ARM endpoint, audience and login host from
// the settings: the named cloud, then the metadata endpoint's document when
// one is given, then the explicit endpoint, audience and authority_host,
// which win over both. It sends a request only to read the metadata
// document.
func ResolveCloud(ctx context.Context, s Settings) (Cloud, error) {
	name, ok := cloudAliases[strings.ToLower(strings.TrimSpace(s.Cloud))]
	if !ok {
		return Cloud{}, fmt.Errorf("cloud %q is not one azapply knows: use public, china or usgovernment, or give endpoint (or metadata_endpoint) for another cloud", s.Cloud)
	}
	known := knownClouds[name]
	c := Cloud{
		Name:          name,
		Endpoint:      known.endpoint,
		Audience:      known.cfg.Services[cloud.ResourceManager].Audience,
		AuthorityHost: known.cfg.ActiveDirectoryAuthorityHost,
	}
	if s.MetadataEndpoint != "" {
		m, err := discover(ctx, s.MetadataEndpoint, s.Transport)
		if err != nil {
			return Cloud{}, err
		}
		c = m
	}
	if s.Endpoint != "" {
		c.Endpoint = strings.TrimSuffix(s.Endpoint, "/")
	}
	if s.Audience != "" {
		c.Audience = s.Audience
	}
	if s.AuthorityHost != "" {
		c.AuthorityHost = s.AuthorityHost
		c.Custom = c.Custom || !isKnownAuthority(s.AuthorityHost)
	}
	if _, err := checkEndpoint(c.Endpoint); err != nil {
		return Cloud{}, err
	}
	if u, err := url.Parse(c.AuthorityHost); err != nil || u.Scheme != "https" || u.Host == "" {
		return Cloud{}, fmt.Errorf("the authority host %q is not an https URL: Microsoft Entra ID and AD FS are reached over TLS only", c.AuthorityHost)
	}
	return c, nil
}

func isKnownAuthority(host string) bool {
	for _, k := range knownClouds {
		if strings.EqualFold(strings.TrimSuffix(host, "/"), strings.TrimSuffix(k.cfg.ActiveDirectoryAuthorityHost, "/")) {
			return true
		}
	}
	return false
}

// metadataDoc is an Azure Stack Hub style /metadata/endpoints document
// (api-version 2015-01-01); newer ones (2022-09-01) are an array of clouds
// that also name their resourceManager endpoint.
type metadataDoc struct {
	Name            string `json:"name"`
	ResourceManager string `json:"resourceManager"`
	Authentication  struct {
		LoginEndpoint string   `json:"loginEndpoint"`
		Audiences     []string `json:"audiences"`
		Tenant        string   `json:"tenant"`
	} `json:"authentication"`
}

// discover reads a metadata document. The ARM endpoint is the host that
// served it, unless the document names one.
func discover(ctx context.Context, endpoint string, transport policy.Transporter) (Cloud, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return Cloud{}, fmt.Errorf("metadata_endpoint %q is not a URL: write it like https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01", endpoint)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback.IsHost(u.Hostname())) {
		return Cloud{}, fmt.Errorf("metadata_endpoint %q is not https: the document says where to send credentials, so it is read over TLS only", endpoint)
	}
	if u.Query().Get("api-version") == "" {
		q := u.Query()
		q.Set("api-version", "2015-01-01")
		u.RawQuery = q.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Cloud{}, fmt.Errorf("metadata_endpoint %q: %w", endpoint, err)
	}
	req.Header.Set("Accept", "application/json")
	if transport == nil {
		transport = http.DefaultClient
	}
	resp, err := transport.Do(req)
	if err != nil {
		return Cloud{}, fmt.Errorf("reading the cloud's endpoints from metadata_endpoint %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Cloud{}, fmt.Errorf("reading the cloud's endpoints from metadata_endpoint %s: %w", u.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return Cloud{}, fmt.Errorf("metadata_endpoint %s answered HTTP %d: check the URL (it ends in /metadata/endpoints)", u.Redacted(), resp.StatusCode)
	}
	c, err := cloudFromMetadata(raw, u)
	if err != nil {
		return Cloud{}, fmt.Errorf("metadata_endpoint %s: %w", u.Redacted(), err)
	}
	return c, nil
}

// cloudFromMetadata reads the cloud from a metadata document served at u.
func cloudFromMetadata(raw []byte, u *url.URL) (Cloud, error) {
	doc, err := pickMetadata(raw, u.Host)
	if err != nil {
		return Cloud{}, err
	}
	c := Cloud{Name: "custom", Custom: true, Endpoint: u.Scheme + "://" + u.Host}
	if doc.ResourceManager != "" {
		rm, err := url.Parse(doc.ResourceManager)
		if err != nil || rm.Host == "" {
			return Cloud{}, fmt.Errorf("the document's resourceManager %q is not a URL", doc.ResourceManager)
		}
		c.Endpoint = strings.TrimSuffix(doc.ResourceManager, "/")
	}
	if len(doc.Authentication.Audiences) > 0 {
		c.Audience = doc.Authentication.Audiences[0]
	}
	if c.Audience == "" {
		return Cloud{}, fmt.Errorf("the document gives no authentication.audiences; set audience in the provider block")
	}
	login, err := url.Parse(doc.Authentication.LoginEndpoint)
	if err != nil || login.Host == "" || login.Scheme == "" {
		return Cloud{}, fmt.Errorf("the document gives no usable authentication.loginEndpoint (%q)", doc.Authentication.LoginEndpoint)
	}
	c.AuthorityHost = login.Scheme + "://" + login.Host + "/"
	// AD FS (a disconnected Azure Stack Hub) logs in at https://host/adfs:
	// azidentity builds the authority as host + tenant, so the tenant is adfs.
	if p := strings.Trim(login.Path, "/"); strings.EqualFold(p, "adfs") {
		c.Tenant = "adfs"
	} else if p != "" {
		c.AuthorityHost = login.Scheme + "://" + login.Host + "/" + p + "/"
	}
	return c, nil
}

func pickMetadata(raw []byte, host string) (metadataDoc, error) {
	var one metadataDoc
	if err := json.Unmarshal(raw, &one); err == nil {
		return one, nil
	}
	var many []metadataDoc
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return metadataDoc{}, fmt.Errorf("the document is not a metadata endpoints document (a JSON object with authentication.loginEndpoint and audiences)")
	}
	for _, d := range many {
		if rm, err := url.Parse(d.ResourceManager); err == nil && strings.EqualFold(rm.Host, host) {
			return d, nil
		}
	}
	return many[0], nil
}

// cloudConfig is the azcore view of c, for azidentity.
func (c Cloud) cloudConfig() cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: c.AuthorityHost,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: c.Endpoint, Audience: c.Audience},
		},
	}
}
