package arm

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"software.sslmate.com/src/go-pkcs12"
)

// parseCertificate reads a client certificate and its private key from a
// PEM file or a PKCS#12 (.pfx, .p12) file. azidentity reads PEM and the
// legacy PKCS#12 encryption (RC2 or 3DES with a SHA-1 MAC, `openssl pkcs12
// -export -legacy`); OpenSSL 3's default (PBES2 with AES-256-CBC and a
// SHA-256 MAC), and what Windows and Key Vault export today, needs
// go-pkcs12.
func parseCertificate(data, password []byte) ([]*x509.Certificate, crypto.PrivateKey, error) {
	certs, key, err := azidentity.ParseCertificates(data, password)
	if err == nil || isPEM(data) {
		return certs, key, err
	}
	pkey, leaf, chain, perr := pkcs12.DecodeChain(data, string(password))
	if perr != nil {
		if errors.Is(perr, pkcs12.ErrIncorrectPassword) {
			return nil, nil, fmt.Errorf("the PKCS#12 file's password is wrong (client_certificate_password): %w", perr)
		}
		return nil, nil, errors.Join(err, perr)
	}
	if leaf == nil || pkey == nil {
		return nil, nil, errors.New("the PKCS#12 file holds no certificate with its private key")
	}
	return append([]*x509.Certificate{leaf}, chain...), pkey, nil
}

func isPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}
