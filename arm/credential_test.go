package arm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// idp is a local Microsoft Entra ID (and AD FS) token endpoint, a metadata
// endpoint and an ARM endpoint in one TLS server.
type idp struct {
	t   *testing.T
	srv *httptest.Server
	// audience is what the metadata document advertises.
	audience string
	// loginPath is the path of the login endpoint in the metadata
	// document: "/" (Entra ID) or "/adfs/".
	loginPath string

	// refuse makes the token endpoint answer invalid_client.
	refuse bool

	mu     sync.Mutex
	tokens []url.Values // the form of every token request
	bearer []string     // the Authorization header of every ARM request
}

func newIDP(t *testing.T) *idp {
	p := &idp{t: t, audience: "https://management.stack.test/", loginPath: "/"}
	p.srv = httptest.NewTLSServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	base := p.srv.URL
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		tenantPath := strings.TrimSuffix(r.URL.Path, "/.well-known/openid-configuration")
		tenantPath = strings.TrimSuffix(tenantPath, "/v2.0")
		tokenPath := tenantPath + "/oauth2/v2.0/token"
		if tenantPath == "/adfs" {
			tokenPath = "/adfs/oauth2/token"
		}
		writeJSON(w, 200, fmt.Sprintf(`{"token_endpoint":%q,"authorization_endpoint":%q,"issuer":%q}`,
			base+tokenPath, base+tenantPath+"/oauth2/v2.0/authorize", base+tenantPath+"/v2.0"))
	case strings.HasSuffix(r.URL.Path, "/token"):
		if err := r.ParseForm(); err != nil {
			p.t.Error(err)
		}
		p.tokens = append(p.tokens, r.PostForm)
		if p.refuse {
			writeJSON(w, 401, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}`)
			return
		}
		writeJSON(w, 200, fmt.Sprintf(`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"tok-%s-%d"}`,
			r.PostForm.Get("grant_type"), len(p.tokens)))
	case r.URL.Path == "/_github/idtoken":
		if r.Header.Get("Authorization") != "bearer gh-request-token" || r.URL.Query().Get("audience") != "api://AzureADTokenExchange" || r.URL.Query().Get("api-version") != "2.0" {
			p.t.Errorf("GitHub OIDC request %s with %q", r.URL, r.Header.Get("Authorization"))
			w.WriteHeader(403)
			return
		}
		writeJSON(w, 200, `{"count":1,"value":"github-actions-jwt"}`)
	case r.URL.Path == "/metadata/endpoints":
		if r.URL.Query().Get("api-version") != "2015-01-01" {
			p.t.Errorf("metadata request %s", r.URL)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"galleryEndpoint":"https://portal.stack.test:30015/","graphEndpoint":"https://graph.stack.test/","portalEndpoint":"https://portal.stack.test/","authentication":{"loginEndpoint":%q,"audiences":[%q]}}`,
			base+p.loginPath, p.audience))
	case strings.HasPrefix(r.URL.Path, "/subscriptions/"):
		p.bearer = append(p.bearer, r.Header.Get("Authorization"))
		writeJSON(w, 200, `{"id":"x"}`)
	default:
		p.t.Errorf("the identity provider got %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

// settings are the provider settings of a custom cloud served by p.
func (p *idp) settings() Settings {
	return Settings{
		Endpoint: p.srv.URL, Audience: "https://management.test/", AuthorityHost: p.srv.URL,
		TenantID: "tenant1", ClientID: "client1", Transport: p.srv.Client(),
	}
}

// hasScope reports whether a token request asked for scope (MSAL adds
// openid, offline_access and profile).
func hasScope(form url.Values, scope string) bool {
	for _, s := range strings.Fields(form.Get("scope")) {
		if s == scope {
			return true
		}
	}
	return false
}

func (p *idp) lastToken() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.tokens) == 0 {
		p.t.Fatal("no token was requested")
	}
	return p.tokens[len(p.tokens)-1]
}

// connectAndGet connects with s, sends two GETs and checks the token.
func connectAndGet(t *testing.T, p *idp, s Settings, wantToken string) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, err := Connect(context.Background(), s, ClientOptions{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Get(context.Background(), testRG, "2021-04-01"); err != nil {
			t.Fatal(err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.bearer) != 2 || p.bearer[0] != "Bearer "+wantToken || p.bearer[1] != p.bearer[0] {
		t.Errorf("ARM saw %q, want Bearer %s twice", p.bearer, wantToken)
	}
	if len(p.tokens) > 1 {
		t.Errorf("%d token requests: the token was not cached", len(p.tokens))
	}
	for _, secret := range []string{wantToken, s.ClientSecret, s.Password} {
		if secret != "" && strings.Contains(logs.String(), secret) {
			t.Errorf("the debug log shows a secret: %s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "arm: connected") {
		t.Errorf("no debug log: %s", logs.String())
	}
}

func TestClientSecretCredential(t *testing.T) {
	p := newIDP(t)
	s := p.settings()
	s.Auth, s.ClientSecret = AuthClientSecret, "s3cret-value"
	connectAndGet(t, p, s, "tok-client_credentials-1")
	form := p.lastToken()
	if form.Get("client_secret") != "s3cret-value" || form.Get("client_id") != "client1" || !hasScope(form, "https://management.test/.default") {
		t.Errorf("token request %v", form)
	}
}

func TestSignInFailure(t *testing.T) {
	p := newIDP(t)
	p.refuse = true
	s := p.settings()
	s.Auth, s.ClientSecret = AuthClientSecret, "wrong-s3cret"
	c, _, err := Connect(context.Background(), s, ClientOptions{Retry: RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), testRG, "2021-04-01")
	if err == nil || !strings.Contains(err.Error(), "signing in to Azure failed") || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-s3cret") {
		t.Fatalf("the error shows the secret: %v", err)
	}
	if len(p.bearer) != 0 {
		t.Errorf("ARM was called although signing in failed")
	}
}

func TestUntrustedCertificateIsRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) }))
	defer srv.Close()
	// No Transport: the system pool, which does not hold the test
	// server's self-signed certificate.
	c, err := NewClient(ClientOptions{Endpoint: srv.URL, Credential: StaticCredential{Token: "t"}, Retry: RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), testRG, "2021-04-01")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
}

func TestClientSecretInferredFromSettings(t *testing.T) {
	p := newIDP(t)
	s := p.settings()
	s.ClientSecret = "s3cret-value"
	connectAndGet(t, p, s, "tok-client_credentials-1")
}

func TestWorkloadIdentityCredential(t *testing.T) {
	p := newIDP(t)
	file := filepath.Join(t.TempDir(), "oidc-token")
	if err := os.WriteFile(file, []byte("github-oidc-assertion"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := p.settings()
	s.Auth, s.FederatedTokenFile = AuthWorkloadIdentity, file
	connectAndGet(t, p, s, "tok-client_credentials-1")
	form := p.lastToken()
	if form.Get("client_assertion") != "github-oidc-assertion" || form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		t.Errorf("token request %v", form)
	}
}

// clearAzureEnv keeps the machine's own AZURE_* settings out of a test of
// the default chain, whose azidentity members read the environment.
func clearAzureEnv(t *testing.T) {
	for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
		"AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_AUTHORITY_HOST"} {
		t.Setenv(k, "") // restores the variable when the test ends
		_ = os.Unsetenv(k)
	}
}

func TestGitHubActionsOIDC(t *testing.T) {
	for _, auth := range []string{AuthWorkloadIdentity, AuthDefault} {
		t.Run("auth="+auth, func(t *testing.T) {
			clearAzureEnv(t)
			p := newIDP(t)
			s := p.settings()
			s.Auth, s.TenantID, s.ClientID = auth, "", ""
			s = s.WithEnvironment(func(k string) string {
				return map[string]string{
					"AZURE_TENANT_ID": "tenant1", "AZURE_CLIENT_ID": "client1",
					"ACTIONS_ID_TOKEN_REQUEST_URL":   p.srv.URL + "/_github/idtoken?api-version=2.0",
					"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-request-token",
				}[k]
			})
			if strings.Contains(s.String(), "gh-request-token") {
				t.Errorf("Settings show the request token: %s", s)
			}
			connectAndGet(t, p, s, "tok-client_credentials-1")
			form := p.lastToken()
			if form.Get("client_assertion") != "github-actions-jwt" || form.Get("client_id") != "client1" {
				t.Errorf("token request %v", form)
			}
		})
	}
}

func TestClientCertificateCredential(t *testing.T) {
	p := newIDP(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "azapply-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	var pemData bytes.Buffer
	_ = pem.Encode(&pemData, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	_ = pem.Encode(&pemData, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	file := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(file, pemData.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s := p.settings()
	s.Auth, s.ClientCertificatePath = AuthClientCert, file
	connectAndGet(t, p, s, "tok-client_credentials-1")
	form := p.lastToken()
	assertion := strings.Split(form.Get("client_assertion"), ".")
	if len(assertion) != 3 || form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		t.Fatalf("token request %v", form)
	}
	header, _ := base64.RawURLEncoding.DecodeString(assertion[0])
	var h map[string]any
	if err := json.Unmarshal(header, &h); err != nil || (h["alg"] != "RS256" && h["alg"] != "PS256") || (h["x5t"] == nil && h["x5t#S256"] == nil) {
		t.Errorf("assertion header %s", header)
	}
}

func TestAzureCLICredential(t *testing.T) {
	p := newIDP(t)
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$@\" > " + argsFile + "\n" +
		`echo '{"accessToken":"cli-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"tokenType":"Bearer"}'` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	s := p.settings()
	s.Auth = AuthCLI
	connectAndGet(t, p, s, "cli-token")
	args, _ := os.ReadFile(argsFile)
	if !strings.Contains(string(args), "--resource https://management.test") || !strings.Contains(string(args), "--tenant tenant1") {
		t.Errorf("az was run with %q", args)
	}
}

func TestDefaultChainUsesEnvironment(t *testing.T) {
	clearAzureEnv(t)
	p := newIDP(t)
	t.Setenv("AZURE_TENANT_ID", "tenant1")
	t.Setenv("AZURE_CLIENT_ID", "client1")
	t.Setenv("AZURE_CLIENT_SECRET", "env-secret")
	s := p.settings()
	s.TenantID, s.ClientID = "", ""
	connectAndGet(t, p, s, "tok-client_credentials-1")
	if p.lastToken().Get("client_secret") != "env-secret" {
		t.Errorf("token request %v", p.lastToken())
	}
}

func TestMetadataDiscovery(t *testing.T) {
	p := newIDP(t)
	s := Settings{MetadataEndpoint: p.srv.URL + "/metadata/endpoints?api-version=2015-01-01", Auth: AuthClientSecret,
		TenantID: "tenant1", ClientID: "client1", ClientSecret: "s3cret", Transport: p.srv.Client()}
	c, err := ResolveCloud(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := Cloud{Name: "custom", Endpoint: p.srv.URL, Audience: p.audience, AuthorityHost: p.srv.URL + "/", Custom: true}
	if c != want {
		t.Errorf("ResolveCloud = %+v, want %+v", c, want)
	}
	connectAndGet(t, p, s, "tok-client_credentials-1")
	if !hasScope(p.lastToken(), "https://management.stack.test/.default") {
		t.Errorf("scope %q, want the metadata's audience", p.lastToken().Get("scope"))
	}
}

func TestMetadataDiscoveryADFSPassword(t *testing.T) {
	p := newIDP(t)
	p.loginPath = "/adfs/"
	s := Settings{MetadataEndpoint: p.srv.URL + "/metadata/endpoints", ClientID: "client1",
		Username: "operator@stack.test", Password: "pa55word", Transport: p.srv.Client()}
	c, err := ResolveCloud(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenant != "adfs" || c.AuthorityHost != p.srv.URL+"/" {
		t.Errorf("ResolveCloud = %+v", c)
	}
	connectAndGet(t, p, s, "tok-password-1")
	form := p.lastToken()
	if form.Get("username") != "operator@stack.test" || form.Get("password") != "pa55word" || form.Get("grant_type") != "password" {
		t.Errorf("token request %v", form)
	}
}

func TestResolveCloud(t *testing.T) {
	tests := []struct {
		name    string
		s       Settings
		want    Cloud
		wantErr string
	}{
		{"default", Settings{}, Cloud{Name: "public", Endpoint: "https://management.azure.com", Audience: "https://management.core.windows.net/", AuthorityHost: "https://login.microsoftonline.com/"}, ""},
		{"china", Settings{Cloud: "china"}, Cloud{Name: "china", Endpoint: "https://management.chinacloudapi.cn", Audience: "https://management.core.chinacloudapi.cn/", AuthorityHost: "https://login.chinacloudapi.cn/"}, ""},
		{"usgovernment", Settings{Cloud: "AzureUSGovernment"}, Cloud{Name: "usgovernment", Endpoint: "https://management.usgovcloudapi.net", Audience: "https://management.core.usgovcloudapi.net/", AuthorityHost: "https://login.microsoftonline.us/"}, ""},
		{"custom endpoint", Settings{Endpoint: "https://arm.example.test/", Audience: "https://arm.example.test/", AuthorityHost: "https://login.example.test/"},
			Cloud{Name: "public", Endpoint: "https://arm.example.test", Audience: "https://arm.example.test/", AuthorityHost: "https://login.example.test/", Custom: true}, ""},
		{"unknown cloud", Settings{Cloud: "mars"}, Cloud{}, `cloud "mars" is not one azapply knows`},
		{"http endpoint", Settings{Endpoint: "http://arm.example.test"}, Cloud{}, "plain http"},
		{"http authority", Settings{AuthorityHost: "http://login.example.test/"}, Cloud{}, "not an https URL"},
		{"http metadata", Settings{MetadataEndpoint: "http://stack.example.test/metadata/endpoints"}, Cloud{}, "is not https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveCloud(context.Background(), tt.s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ResolveCloud = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestCredentialSettingErrors(t *testing.T) {
	tests := []struct {
		s       Settings
		wantErr string
	}{
		{Settings{Auth: "magic"}, `auth = "magic" is not a credential azapply knows`},
		{Settings{Auth: AuthClientSecret, ClientID: "c"}, `auth = "client_secret" needs tenant_id, client_secret`},
		{Settings{Auth: AuthClientCert, TenantID: "t", ClientID: "c", ClientCertificatePath: "/nonexistent/cert.pem"}, "reading client_certificate_path"},
		{Settings{Auth: AuthUsernamePassword, TenantID: "t"}, "needs client_id, username, password"},
	}
	for _, tt := range tests {
		_, err := NewCredential(tt.s, Cloud{AuthorityHost: "https://login.example.test/"})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("NewCredential(%v) = %v, want %q", tt.s, err, tt.wantErr)
		}
	}
}

func TestSettingsHideSecrets(t *testing.T) {
	s := Settings{ClientSecret: "cs-secret", Password: "pw-secret", ClientCertificatePassword: "cert-secret", Username: "u"}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s)} {
		for _, secret := range []string{"cs-secret", "pw-secret", "cert-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows %s", out, secret)
			}
		}
	}
}

func TestWithEnvironment(t *testing.T) {
	env := map[string]string{"AZAPPLY_ARM_ENDPOINT": "https://override.test", "AZAPPLY_AUTH": "cli", "AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_ID": "env-client"}
	s := Settings{Endpoint: "https://config.test", ClientID: "config-client"}.WithEnvironment(func(k string) string { return env[k] })
	if s.Endpoint != "https://override.test" || s.Auth != "cli" || s.TenantID != "env-tenant" || s.ClientID != "config-client" {
		t.Errorf("WithEnvironment = %+v", s)
	}
}
