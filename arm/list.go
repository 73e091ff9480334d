package arm

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Page is one page of a collection GET: ARM's {"value": [...], "nextLink": ...}.
type Page struct {
	// Items are the resources of the page, as a GET of each would decode
	// them (numbers as json.Number).
	Items []map[string]any
	// NextLink is the URL of the next page, "" on the last one.
	NextLink string
}

// list is List before its ARM errors are redacted.
func (c *Client) list(ctx context.Context, collection, apiVersion string, fn func(Page) bool) error {
	next := c.url(collection, apiVersion)
	seen := map[string]bool{}
	for next != "" {
		if seen[next] {
			return fmt.Errorf("listing %s: ARM answered the same nextLink twice (%s); stopped rather than loop", collection, redactQuery(next))
		}
		seen[next] = true
		page, err := c.listPage(ctx, collection, next, apiVersion)
		if err != nil {
			return err
		}
		if !fn(page) {
			return nil
		}
		next = page.NextLink
	}
	return nil
}

// listPage GETs one page at an absolute URL (the collection's, or a
// nextLink, which keeps its own query: its skip token).
func (c *Client) listPage(ctx context.Context, collection, rawURL, apiVersion string) (Page, error) {
	u, err := c.resolve(rawURL, apiVersion)
	if err != nil {
		return Page{}, fmt.Errorf("listing %s: %w", collection, err)
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return Page{}, fmt.Errorf("listing %s: %w", collection, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	resp, err := c.pl.Do(req)
	if err != nil {
		if isSignInError(err) {
			return Page{}, fmt.Errorf("GET %s: signing in to Azure failed; check auth and its settings in the provider block (or run `az login`): %w", collection, err)
		}
		return Page{}, fmt.Errorf("GET %s: %w", collection, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return Page{}, fmt.Errorf("GET %s: reading the response: %w", collection, err)
	}
	if resp.StatusCode >= 400 {
		return Page{}, newError(resp, raw)
	}
	var body struct {
		Value    []any  `json:"value"`
		NextLink string `json:"nextLink"`
	}
	if err := unmarshalBody(raw, &body); err != nil {
		return Page{}, fmt.Errorf("GET %s answered %d with a body that is not a collection ({\"value\": [...]}): %w", collection, resp.StatusCode, err)
	}
	page := Page{Items: make([]map[string]any, 0, len(body.Value)), NextLink: body.NextLink}
	for i, v := range body.Value {
		m, ok := v.(map[string]any)
		if !ok {
			return Page{}, fmt.Errorf("GET %s: item %d of the collection is not a JSON object", collection, i)
		}
		page.Items = append(page.Items, m)
	}
	return page, nil
}

// resolve makes a nextLink absolute against the endpoint and gives it the
// api-version when it has none (some providers leave it out); the host
// guard then refuses any other host.
func (c *Client) resolve(rawURL, apiVersion string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("ARM answered a nextLink that is not a URL: %w", err)
	}
	u = c.endpoint.ResolveReference(u)
	q := u.Query()
	if q.Get("api-version") == "" {
		q.Set("api-version", apiVersion)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// redactQuery drops a URL's query (a skip token is opaque and may be long)
// for messages.
func redactQuery(s string) string {
	before, _, _ := strings.Cut(s, "?")
	return before
}
