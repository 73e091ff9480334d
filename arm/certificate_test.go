package arm

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// testCertificate makes a self-signed client certificate and its key.
func testCertificate(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "azapply-p12"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// opensslPKCS12 writes cert and key with `openssl pkcs12 -export` and the
// extra arguments, as a user would; it skips the test when openssl is not
// installed.
func opensslPKCS12(t *testing.T, cert *x509.Certificate, key *rsa.PrivateKey, password string, extra ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	certFile, keyFile, out := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.p12")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	args := append([]string{"pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-out", out, "-passout", "pass:" + password}, extra...)
	if b, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		if len(extra) > 0 && strings.Contains(string(b), "legacy") {
			t.Skipf("this openssl has no legacy provider: %s", b)
		}
		t.Fatalf("openssl %v: %v\n%s", args, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPKCS12Formats signs in with a client certificate in each PKCS#12
// encoding: OpenSSL 3's default (AES-256-CBC, SHA-256 MAC), which
// azidentity alone cannot read, the legacy ones, and PEM. The assertion
// sent to the token endpoint names the certificate by its thumbprint.
func TestPKCS12Formats(t *testing.T) {
	cert, key := testCertificate(t)
	const password = "p12-Pass!word"
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"openssl 3 default (AES-256, SHA-256 MAC)", func(t *testing.T) []byte { return opensslPKCS12(t, cert, key, password) }},
		{"openssl -legacy", func(t *testing.T) []byte { return opensslPKCS12(t, cert, key, password, "-legacy") }},
		{"modern encoder", func(t *testing.T) []byte {
			b, err := pkcs12.Modern.Encode(key, cert, nil, password)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
		{"legacy DES encoder", func(t *testing.T) []byte {
			b, err := pkcs12.LegacyDES.Encode(key, cert, nil, password)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "client.p12")
			if err := os.WriteFile(file, tt.data(t), 0o600); err != nil {
				t.Fatal(err)
			}
			p := newIDP(t)
			s := p.settings()
			s.Auth, s.ClientCertificatePath, s.ClientCertificatePassword = AuthClientCert, file, password
			connectAndGet(t, p, s, "tok-client_credentials-1")
			form := p.lastToken()
			parts := strings.Split(form.Get("client_assertion"), ".")
			if len(parts) != 3 {
				t.Fatalf("no client assertion in %v", form)
			}
			header, _ := base64.RawURLEncoding.DecodeString(parts[0])
			var h map[string]any
			_ = json.Unmarshal(header, &h)
			sha1Sum, sha256Sum := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
			named := false
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
				named = named || h["x5t"] == enc.EncodeToString(sha1Sum[:]) || h["x5t#S256"] == enc.EncodeToString(sha256Sum[:])
			}
			if !named {
				t.Errorf("the assertion names another certificate: %s", header)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		b, err := pkcs12.Modern.Encode(key, cert, nil, password)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "client.p12")
		_ = os.WriteFile(file, b, 0o600)
		p := newIDP(t)
		s := p.settings()
		s.Auth, s.ClientCertificatePath, s.ClientCertificatePassword = AuthClientCert, file, "wrong"
		_, err = NewCredential(s, Cloud{})
		if err == nil || !strings.Contains(err.Error(), "password is wrong") {
			t.Fatalf("err = %v, want it to say the password is wrong", err)
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("the error shows the password: %v", err)
		}
	})
}
