package arm

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// maxResponseBytes bounds what one response may hold, so that a broken or
// hostile server cannot make azapply read without end. ARM bodies are a few
// kilobytes to a few megabytes.
const maxResponseBytes = 32 << 20

// refusedError is an error the pipeline must not retry: resending would
// meet the same refusal.
type refusedError struct{ error }

// NonRetriable tells azcore's retry policy not to resend.
func (refusedError) NonRetriable() {}

func (e refusedError) Unwrap() error { return e.error }

// ErrOtherHost is the refusal to send a request (and so the bearer token)
// to a host other than the ARM endpoint's: a polling URL, a resume token or
// a redirect that names another host.
var ErrOtherHost = errors.New("refusing to send the bearer token to a host other than the ARM endpoint")

// hostGuardPolicy runs before the bearer token policy: every request the
// pipeline sends (the first request, each poll, the final GET of a
// long-running operation, a resumed operation) must go to the endpoint's
// scheme and host, or it is refused before a token is attached. A redirect
// is never followed (see noRedirects) and is an error here.
type hostGuardPolicy struct{ endpoint *url.URL }

func (p hostGuardPolicy) Do(req *policy.Request) (*http.Response, error) {
	u := req.Raw().URL
	if !strings.EqualFold(u.Scheme, p.endpoint.Scheme) || !strings.EqualFold(hostPort(u), hostPort(p.endpoint)) {
		return nil, refusedError{fmt.Errorf("%w: ARM asked azapply to follow %s://%s%s, but the endpoint is %s://%s; "+
			"nothing was sent there (a polling URL or a stored resume token names another host)",
			ErrOtherHost, u.Scheme, u.Host, u.Path, p.endpoint.Scheme, p.endpoint.Host)}
	}
	resp, err := req.Next()
	if err != nil || resp.StatusCode < 300 || resp.StatusCode >= 400 || resp.StatusCode == http.StatusNotModified {
		return resp, err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode == http.StatusAccepted || loc == "" {
		return resp, err
	}
	resp.Body.Close()
	target := "another URL"
	if lu, perr := u.Parse(loc); perr == nil {
		target = lu.Scheme + "://" + lu.Host + lu.Path
	}
	return nil, refusedError{fmt.Errorf("%s %s answered HTTP %d, a redirect to %s: ARM does not redirect, and azapply follows no redirect "+
		"so that the bearer token goes to the ARM endpoint only; check the endpoint in the provider block", req.Raw().Method, u.Path, resp.StatusCode, target)}
}

// hostPort is the URL's host with the scheme's default port made explicit,
// so that https://h and https://h:443 are the same host.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if strings.EqualFold(u.Scheme, "http") {
		return u.Host + ":80"
	}
	return u.Host + ":443"
}

// ErrResponseTooLarge is the error of a response body over the limit.
var ErrResponseTooLarge = fmt.Errorf("the response is larger than %d MiB, far more than any ARM resource: azapply stopped reading it", maxResponseBytes>>20)

// limitTransport cuts every response body at a limit, below azcore's body
// download policy, which otherwise reads a whole body into memory whatever
// its size.
type limitTransport struct {
	next  policy.Transporter
	limit int64
}

func (t limitTransport) Do(req *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > t.limit {
		resp.Body.Close()
		return nil, refusedError{fmt.Errorf("%s %s: %w (Content-Length %d)", req.Method, req.URL.Path, ErrResponseTooLarge, resp.ContentLength)}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.limit}
	return resp, nil
}

// limitedBody fails the read that would go past the limit.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, refusedError{ErrResponseTooLarge}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// noRedirects returns the transport with redirects switched off: an
// *http.Client is copied with a CheckRedirect that hands the 3xx back (for
// hostGuardPolicy to refuse), and nil becomes a client of its own with
// TLS 1.2 at least, the system's certificates (SSL_CERT_FILE) and the
// environment's proxy, as azcore's default.
func noRedirects(t policy.Transporter) policy.Transporter {
	stop := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	switch c := t.(type) {
	case nil:
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		// Apply and refresh keep up to --parallelism requests (and their
		// polls) in flight to one host; net/http keeps only 2 idle
		// connections per host by default, so the rest were closed after
		// each answer and each new request paid a TLS handshake.
		tr.MaxIdleConnsPerHost = 128
		return &http.Client{Transport: tr, CheckRedirect: stop}
	case *http.Client:
		cp := *c
		cp.CheckRedirect = stop
		return &cp
	}
	return t
}
