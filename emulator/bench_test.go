package emulator

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkPutGet measures one PUT and one GET of a registry, in-process.
func BenchmarkPutGet(b *testing.B) {
	hc := &http.Client{Transport: New(Options{}).Transport()}
	send(b, hc, "PUT", rgID, `{"location":"westus"}`)
	for b.Loop() {
		send(b, hc, "PUT", acrID, `{"location":"westus","sku":{"name":"Standard"},"properties":{"adminUserEnabled":true}}`)
		send(b, hc, "GET", acrID, "")
	}
}

// BenchmarkListPaged measures listing 1,000 resources in pages of 100.
func BenchmarkListPaged(b *testing.B) {
	hc := &http.Client{Transport: New(Options{}).Transport()}
	send(b, hc, "PUT", rgID, `{"location":"westus"}`)
	for i := 0; i < 1000; i++ {
		send(b, hc, "PUT", rgID+"/providers/Microsoft.Network/publicIPAddresses/ip"+itoa(i), `{"location":"westus"}`)
	}
	for b.Loop() {
		for skip := 0; skip < 1000; skip += 100 {
			send(b, hc, "GET", rgID+"/providers/Microsoft.Network/publicIPAddresses?api-version=x&$skiptoken="+itoa(skip), "")
		}
	}
}

// BenchmarkParallelReads measures concurrent GETs with throttling (never
// empty) and the request log on.
func BenchmarkParallelReads(b *testing.B) {
	hc := &http.Client{Transport: New(Options{Throttle: &Throttle{ReadBurst: 1e12, ReadRate: 1e12, WriteBurst: 1e12, WriteRate: 1e12}}).Transport()}
	send(b, hc, "PUT", rgID, `{"location":"westus"}`)
	send(b, hc, "PUT", acrID, `{"location":"westus","sku":{"name":"Standard"}}`)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			send(b, hc, "GET", acrID, "")
		}
	})
}

func send(b *testing.B, hc *http.Client, method, path, body string) {
	u := testBase + path
	if !strings.Contains(path, "?") {
		u += "?api-version=2023-07-01"
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer x")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
}
