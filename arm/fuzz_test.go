package arm

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzErrorBody: any error body, however broken, decodes into an Error with
// a message and prints without panicking.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":{"code":"InvalidTemplate","message":"bad","target":"x","details":[{"code":"a","message":"b","details":[{"code":"c","message":"d"}]}],"additionalInfo":[{"type":"PolicyViolation","info":{}}]}}`,
		`{"code":"BadRequest","message":"flat"}`, `{"error":null}`, `{"error":"text"}`, `[]`, `<html></html>`, ``, `{"error":{"details":[null]}}`,
	} {
		f.Add(s, 400)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		req, _ := http.NewRequest("GET", "https://management.azure.com/subscriptions/x?api-version=1", nil)
		e := newError(&http.Response{StatusCode: status, Header: http.Header{}, Request: req}, []byte(body))
		if e.Message == "" {
			t.Fatalf("no message for %q", body)
		}
		if !strings.Contains(e.Error(), e.Message) {
			t.Fatalf("Error() %q lacks the message %q", e.Error(), e.Message)
		}
	})
}

// FuzzMetadataDocument: any metadata document yields a cloud with an
// endpoint, an audience and an absolute login host, or an error.
func FuzzMetadataDocument(f *testing.F) {
	for _, s := range []string{
		`{"galleryEndpoint":"https://g/","graphEndpoint":"https://graph/","portalEndpoint":"https://p/","authentication":{"loginEndpoint":"https://login.test/adfs/","audiences":["https://management.adfs.test/"]}}`,
		`[{"name":"AzureCloud","resourceManager":"https://management.azure.com/","authentication":{"loginEndpoint":"https://login.microsoftonline.com","audiences":["https://management.core.windows.net/"],"tenant":"common"}}]`,
		`[]`, `{}`, `null`, `[null]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		u, _ := url.Parse("https://management.stack.test/metadata/endpoints?api-version=2015-01-01")
		c, err := cloudFromMetadata([]byte(doc), u)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if c.Endpoint == "" || c.Audience == "" || !strings.Contains(c.AuthorityHost, "://") || !strings.HasSuffix(c.AuthorityHost, "/") || !c.Custom {
			t.Fatalf("%q gave %+v", doc, c)
		}
	})
}
