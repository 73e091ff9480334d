package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		rgID, acrID, sub, "/", "", "/subscriptions", "/subscriptions/x/resourceGroups",
		acrID + "/providers/Microsoft.Authorization/roleAssignments/r",
		"/providers/Microsoft.Management/managementGroups/mg1",
		rgID + "/providers/Microsoft.Network/virtualNetworks/v/subnets/s/",
		"/subscriptions/x/providers/Microsoft.Resources/locations/westus/operationStatuses/1",
		"/subscriptions//resourceGroups/x", "/subscriptions/x/resourceGroups/y/providers/ns",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		tg, err := parseTarget(path)
		if err != nil {
			return
		}
		if key(tg.id) != key(strings.TrimSuffix(path, "/")) || tg.typ == "" || tg.name == "" {
			t.Fatalf("parseTarget(%q) = %+v", path, tg)
		}
		if tg.parent != "" && !strings.HasPrefix(key(tg.id), key(tg.parent)+"/") {
			t.Fatalf("parent %q is not a prefix of %q", tg.parent, tg.id)
		}
		_, _ = parseCollection(path)
		_, _, _ = parseOperationPath(path)
	})
}

// FuzzServeHTTP sends arbitrary requests: the emulator must never panic,
// never answer 5xx unless asked to inject faults, and always answer JSON
// or nothing.
func FuzzServeHTTP(f *testing.F) {
	methods := []string{"GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS"}
	f.Add(uint8(1), rgID, `{"location":"westus"}`)
	f.Add(uint8(1), acrID, `{"location":"westus","sku":{"name":"Basic"}}`)
	f.Add(uint8(2), acrID, `{"tags":null}`)
	f.Add(uint8(4), acrID+"/listKeys", ``)
	f.Add(uint8(0), sub+"/resourceGroups", ``)
	f.Add(uint8(3), rgID, ``)
	f.Add(uint8(1), rgID+"/providers/Microsoft.Network/virtualNetworks/v", `{"location":"x","properties":{"subnets":[{"name":"a"},{}]}}`)
	f.Add(uint8(1), rgID+"/providers/Microsoft.Network/networkSecurityGroups/n", `{"properties":{"securityRules":7}}`)
	srv := New(Options{Operations: RealisticOperations()})
	seed := httptest.NewRequest("PUT", rgID+"?api-version=1", strings.NewReader(`{"location":"westus"}`))
	seed.Header.Set("Authorization", "Bearer x")
	srv.ServeHTTP(httptest.NewRecorder(), seed)
	f.Fuzz(func(t *testing.T, m uint8, path, body string) {
		method := methods[int(m)%len(methods)]
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#%\x00\r\n\t") {
			return
		}
		req, err := http.NewRequest(method, "https://emulator.test"+path+"?api-version=2023-07-01", bytes.NewReader([]byte(body)))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Authorization", "Bearer x")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
		}
	})
}
