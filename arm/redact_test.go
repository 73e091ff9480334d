package arm

import (
	"context"
	"encoding/json"
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

// TestPostRawRedacts: a deployment validation's answer (preflight) that
// quotes a secret the run knows comes back without it.
func TestPostRawRedacts(t *testing.T) {
	const pw = "Pa55word-for-the-sql-server-5678"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"error":{"code":"InvalidTemplate","message":"bad value '`+pw+`' for administratorLoginPassword"}}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	var known secret.Values
	known.Add(pw)
	c.SetRedact(known.Redact)
	status, raw, err := c.PostRaw(context.Background(), testRG+"/providers/Microsoft.Resources/deployments/d/validate", "2021-04-01", map[string]any{})
	if err != nil || status != 400 {
		t.Fatalf("status %d, err %v", status, err)
	}
	if strings.Contains(string(raw), pw[:8]) {
		t.Errorf("the validation's answer holds the secret: %s", raw)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Errorf("the redacted answer is no longer JSON: %v", err)
	}
}
