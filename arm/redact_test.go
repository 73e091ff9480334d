package arm

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/azapply/azapply/secret"
)

// TestSetRedactCleansErrors: whatever shape an error body has (ARM's JSON
// with details and additional info, a 409, plain text cut short, an HTML
// page), the error the client returns holds no secret the run knows.
func TestSetRedactCleansErrors(t *testing.T) {
	const pw = "Pa55word-for-the-sql-server-1234"
	long := strings.Repeat("x", 180) + " password=" + pw
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"400 that quotes the body", "application/json", `{"error":{"code":"InvalidRequestContent","message":"bad body: {\"administratorLoginPassword\":\"` + pw + `\"}","target":"` + pw + `"}}`, 400},
		{"409 with details", "application/json", `{"error":{"code":"Conflict","message":"no","details":[{"code":"PasswordInUse","message":"` + pw + ` is used","details":[{"code":"Deep","message":"again ` + pw + `"}]}],"additionalInfo":[{"type":"PolicyViolation","info":{"value":"` + pw + `"}}]}}`, 409},
		{"text/plain cut short", "text/plain", long, 400},
		{"HTML page", "text/html", "<html><title>Denied " + pw + "</title></html>", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv)
			var known secret.Values
			known.Add(pw)
			c.SetRedact(known.Redact)
			_, err := c.Put(context.Background(), testRG+"/providers/Microsoft.Sql/servers/s", "2023-08-01", map[string]any{"properties": map[string]any{"administratorLoginPassword": pw}})
			if err == nil {
				t.Fatal("no error")
			}
			var text strings.Builder
			text.WriteString(err.Error())
			if ae, ok := err.(*Error); ok {
				for _, ai := range ae.AdditionalInfo {
					text.Write(ai)
				}
			}
			if strings.Contains(text.String(), pw[:8]) {
				t.Errorf("the error holds the secret:\n%s", text.String())
			}
		})
	}
}
