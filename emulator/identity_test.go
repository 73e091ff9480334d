package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func TestCloudMetadata(t *testing.T) {
	c := newClient(t, Options{})
	r := c.do("GET", "/metadata/endpoints?api-version=2015-01-01", nil, "Authorization: ").must(t, 200)
	if r.str("authentication.loginEndpoint") != testBase+"/" {
		t.Fatalf("metadata %s", r.raw)
	}
	if v, _ := lookup(r.body, "authentication.audiences.0"); v != Audience {
		t.Fatalf("audiences %s", r.raw)
	}
}

// TestTokenEndpointWithAzidentity gets a token from the emulator with
// azidentity's client-secret credential, over TLS, with instance
// discovery off (so nothing but the emulator is contacted).
func TestTokenEndpointWithAzidentity(t *testing.T) {
	cfg, caPEM, err := LoopbackTLS(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Options{Token: "issued-by-the-emulator"})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() { _ = hs.Close() }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + ln.Addr().String()
	cred, err := azidentity.NewClientSecretCredential("00000000-0000-0000-0000-000000000001", "client", "secret",
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloudFor(base), Transport: hc},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{Audience + ".default"}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token != "issued-by-the-emulator" {
		t.Fatal("the credential did not get the emulator's token")
	}
	sawToken := false
	for _, e := range srv.RequestLog() {
		sawToken = sawToken || (e.Method == "POST" && e.Path == "/00000000-0000-0000-0000-000000000001/oauth2/v2.0/token" && e.Status == 200)
		if strings.Contains(e.Query, "secret") {
			t.Errorf("the request log holds the secret: %+v", e)
		}
	}
	if !sawToken {
		t.Errorf("no token request in the log: %+v", srv.RequestLog())
	}
}

func TestTokenEndpointRefusesIncompleteGrants(t *testing.T) {
	c := newClient(t, Options{})
	for _, form := range []string{"grant_type=client_credentials", "grant_type=client_credentials&client_id=x",
		"grant_type=password&client_id=x&username=u", "grant_type=authorization_code&code=x"} {
		req, _ := http.NewRequest("POST", testBase+"/tenant/oauth2/v2.0/token", stringsReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", form, resp.StatusCode)
		}
	}
}

func cloudFor(base string) cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: base + "/"}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
