package plan

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
)

const testSub = "/subscriptions/00000000-0000-0000-0000-000000000000"

// newEmulator returns an in-process emulator and an ARM client that reaches
// it only (the transport never opens a socket).
func newEmulator(t testing.TB) (*emulator.Server, *arm.Client) {
	t.Helper()
	srv := emulator.New(emulator.Options{})
	c, err := arm.NewClient(arm.ClientOptions{
		Endpoint:   "https://emulator.invalid",
		Credential: arm.StaticCredential{Token: "test-token"},
		Transport:  &http.Client{Transport: srv.Transport()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// setWorld replaces the emulator's world with the given bodies by ID. Every
// resource group and parent an ID needs is added, empty, unless given.
func setWorld(t testing.TB, srv *emulator.Server, bodies map[string]map[string]any) {
	t.Helper()
	type res struct {
		ID   string         `json:"id"`
		Type string         `json:"type"`
		Body map[string]any `json:"body"`
	}
	seen := map[string]bool{}
	var all []res
	add := func(id string, body map[string]any) {
		k := strings.ToLower(id)
		if seen[k] {
			return
		}
		seen[k] = true
		all = append(all, res{ID: id, Type: "test", Body: body})
	}
	for id, b := range bodies {
		add(id, b)
	}
	for id := range bodies {
		for _, p := range parents(id) {
			add(p, map[string]any{"id": p})
		}
	}
	data, err := json.Marshal(map[string]any{"resources": all})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.UnmarshalWorld(data); err != nil {
		t.Fatal(err)
	}
}

// parents lists the resource group and parent resources of an ID.
func parents(id string) []string {
	segs := strings.Split(strings.TrimPrefix(id, "/"), "/")
	var out []string
	for n := 4; n < len(segs); n += 2 {
		if strings.EqualFold(segs[n-2], "providers") {
			continue // a provider namespace, not a resource
		}
		out = append(out, "/"+strings.Join(segs[:n], "/"))
	}
	return out
}
