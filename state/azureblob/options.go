package azureblob

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/azapply/azapply/internal/loopback"
)

// ConnectionStringEnv names the environment variable that holds a
// storage connection string for the azureblob backend, e.g. Azurite's
// development account. When set it is used instead of the account URL and
// the azidentity credential.
const ConnectionStringEnv = "AZAPPLY_BLOB_CONNECTION_STRING"

// SASTokenEnv names the environment variable that holds a SAS token
// (the query string, with or without the leading ?) for the azureblob backend.
const SASTokenEnv = "AZAPPLY_BLOB_SAS_TOKEN"

// Options locate and authenticate the azureblob backend.
type Options struct {
	// AccountURL is https://ACCOUNT.blob.core.windows.net (http only on
	// loopback, for Azurite).
	AccountURL string
	Container  string
	// Key is the blob's name, e.g. prod/app.json.
	Key string
	// ConnectionString, when set, is used instead of AccountURL and
	// Credential.
	ConnectionString string
	// SASToken, when set, authenticates by SAS instead of Credential.
	SASToken string
	// Credential is the azidentity credential used otherwise.
	Credential azcore.TokenCredential
	// Transport sends the HTTP requests; the default client when nil.
	Transport policy.Transporter
	// Retry tunes azcore's retries; zero values take its defaults.
	Retry policy.RetryOptions
	// LeaseDuration is how long one lease lasts before it must be renewed:
	// 15s to 60s; 60s when zero. It is renewed every third of it.
	LeaseDuration time.Duration
}

// New returns the azureblob backend for o. Nothing is sent yet.
func New(o Options) (*Backend, error) {
	if o.Container == "" || o.Key == "" {
		return nil, errors.New(`the azureblob backend needs container and key: backend "azureblob" { account_url = "https://ACCOUNT.blob.core.windows.net"  container = "tfstate"  key = "prod/app.json" }`)
	}
	if o.LeaseDuration == 0 {
		o.LeaseDuration = 60 * time.Second
	}
	if o.LeaseDuration < 15*time.Second || o.LeaseDuration > 60*time.Second {
		return nil, fmt.Errorf("the blob lease duration %s is outside 15s to 60s", o.LeaseDuration)
	}
	copts := &blockblob.ClientOptions{}
	copts.Retry = o.Retry
	if copts.Retry.TryTimeout == 0 {
		// A hung connection must not hang the command (and the lease).
		copts.Retry.TryTimeout = time.Minute
	}
	if o.Transport != nil {
		copts.Transport = o.Transport
	}
	var client *blockblob.Client
	var journal *appendblob.Client
	var err error
	jopts := &appendblob.ClientOptions{ClientOptions: copts.ClientOptions}
	switch {
	case o.ConnectionString != "":
		client, err = blockblob.NewClientFromConnectionString(o.ConnectionString, o.Container, o.Key, copts)
		if err == nil {
			journal, err = appendblob.NewClientFromConnectionString(o.ConnectionString, o.Container, o.Key+journalSuffix, jopts)
		}
	default:
		var base string
		base, err = checkAccountURL(o.AccountURL)
		if err != nil {
			return nil, err
		}
		blobURL := base + "/" + url.PathEscape(o.Container) + "/" + escapeKey(o.Key)
		switch {
		case o.SASToken != "":
			sas := "?" + strings.TrimPrefix(o.SASToken, "?")
			client, err = blockblob.NewClientWithNoCredential(blobURL+sas, copts)
			if err == nil {
				journal, err = appendblob.NewClientWithNoCredential(blobURL+url.PathEscape(journalSuffix)+sas, jopts)
			}
		case o.Credential != nil:
			client, err = blockblob.NewClient(blobURL, o.Credential, copts)
			if err == nil {
				journal, err = appendblob.NewClient(blobURL+url.PathEscape(journalSuffix), o.Credential, jopts)
			}
		default:
			return nil, fmt.Errorf("the azureblob backend has no credential: sign in with the Azure CLI or set %s or %s", ConnectionStringEnv, SASTokenEnv)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the azureblob backend: %w", err)
	}
	return &Backend{opts: o, client: client, where: withoutQuery(client.URL()), journal: journalBlob{client: journal, where: withoutQuery(journal.URL())}}, nil
}

// journalSuffix names the journal blob beside the state blob.
const journalSuffix = ".journal"

// withoutQuery is a blob URL without its query: never print a SAS token.
func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = ""
	return u.String()
}

func checkAccountURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if raw == "" || err != nil || u.Host == "" {
		return "", fmt.Errorf("the azureblob backend's account_url %q is not a URL: write it as https://ACCOUNT.blob.core.windows.net", raw)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback.IsHost(u.Hostname())) {
		return "", fmt.Errorf("the azureblob backend's account_url %q is not https: only an emulator on loopback may use http", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
