package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/azapply/azapply/emulator"
)

// do sends one request through the in-process transport.
func do(hc *http.Client, method, url, body string) *http.Response {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer any-token")
	resp, err := hc.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// A registry whose PUT is a long-running operation that needs two polls.
func ExampleServer_SetOperations() {
	srv := emulator.New(emulator.Options{RetryAfter: 10 * time.Millisecond})
	srv.SetOperations(emulator.OperationRule{
		Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Polls: 2},
	})
	hc := &http.Client{Transport: srv.Transport()}
	rg := "https://emulator.invalid/subscriptions/0000/resourceGroups/demo"
	do(hc, "PUT", rg+"?api-version=2021-04-01", `{"location":"westus"}`)
	resp := do(hc, "PUT", rg+"/providers/Microsoft.ContainerRegistry/registries/acr1?api-version=2023-07-01",
		`{"location":"westus","sku":{"name":"Standard"}}`)
	fmt.Println(resp.StatusCode, resp.Header.Get("retry-after-ms"))
	status := resp.Header.Get("Azure-AsyncOperation")
	for i := 0; i < 3; i++ {
		do(hc, "GET", status, "")
	}
	res, _ := srv.Resource("/subscriptions/0000/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr1")
	fmt.Println(res.Body["properties"].(map[string]any)["provisioningState"], res.Body["properties"].(map[string]any)["loginServer"])
	fmt.Println(srv.Counters().ByMethodStatus["GET 200"], "polls")
	// Output:
	// 201 10
	// Succeeded acr1.azurecr.io
	// 3 polls
}

// Drift as if someone used the portal.
func ExampleServer_ChangeOutOfBand() {
	srv := emulator.New(emulator.Options{})
	hc := &http.Client{Transport: srv.Transport()}
	rg := "/subscriptions/0000/resourceGroups/demo"
	do(hc, "PUT", "https://emulator.invalid"+rg+"?api-version=2021-04-01", `{"location":"westus","tags":{"env":"demo"}}`)
	if err := srv.ChangeOutOfBand(rg, map[string]any{"tags": map[string]any{"env": nil, "owner": "portal"}}); err != nil {
		panic(err)
	}
	res, _ := srv.Resource(rg)
	fmt.Println(res.Body["tags"])
	// Output: map[owner:portal]
}
