package arm

import (
	"context"
	"net/http/httptest"
	"testing"
)

// TestReadAfterOperation: a long-running PUT or PATCH whose poller ends by
// reading the resource says so, and its body is that read; a result taken
// from a Location URL, and a synchronous answer, do not claim it.
func TestReadAfterOperation(t *testing.T) {
	for _, tt := range []struct {
		pattern, method string
		want            bool
	}{
		{"async", "PUT", true},
		{"async", "PATCH", true},
		{"both", "PUT", true},
		{"provisioningState", "PUT", true},
		{"location", "PUT", false},
		{"location", "POST", false},
		{"location", "DELETE", false},
	} {
		t.Run(tt.pattern+"/"+tt.method, func(t *testing.T) {
			rp := &lroRP{t: t, pattern: tt.pattern, polls: 2, end: "Succeeded"}
			srv := httptest.NewTLSServer(rp)
			defer srv.Close()
			c := newTestClient(t, srv)
			id := lroID
			var body any = map[string]any{"location": "westus"}
			switch tt.method {
			case "POST":
				id += "/beginGetAccess"
			case "DELETE":
				body = nil
			}
			resp, err := c.Do(context.Background(), Request{Method: tt.method, ID: id, APIVersion: "2024-03-02", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if resp.ReadAfterOperation != tt.want {
				t.Fatalf("ReadAfterOperation = %v, want %v (result %s)", resp.ReadAfterOperation, tt.want, resp.Raw)
			}
			// The resource as its GET answers it carries its size.
			if tt.want && resp.Body["properties"].(map[string]any)["size"] == nil {
				t.Errorf("result %s is not the resource as read", resp.Raw)
			}
		})
	}
}
