// Package statetest holds what the tests of the state backends share: a
// state of typical ARM resources for benchmarks, and the steps of an apply
// that a backend saves, each naming the addresses it changed.
package statetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
)

// Bench is a state of n resources with bodies the size of a typical ARM
// resource (about 2 KB of output each).
func Bench(n int) *state.State {
	s := state.New()
	for i := 0; i < n; i++ {
		props := map[string]any{"provisioningState": "Succeeded", "adminPassword": "p@ss", "subnets": []any{}}
		for j := 0; j < 20; j++ {
			props[fmt.Sprintf("setting%d", j)] = fmt.Sprintf("value-%d-%d-0123456789abcdef0123456789abcdef", i, j)
		}
		s.Set(&state.Resource{
			Address: fmt.Sprintf("resource.r%04d", i), ID: fmt.Sprintf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet%d", i),
			APIVersion: "2023-09-01", LastApplied: map[string]any{"location": "westus", "properties": props}, Output: map[string]any{"location": "westus", "properties": props},
		})
	}
	return s
}

// Encode is state.Encode, failing tb on an error.
func Encode(tb testing.TB, s *state.State) []byte {
	tb.Helper()
	data, err := state.Encode(s)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// Step is one change apply makes to a state, with the addresses it names
// to state.Save.
type Step struct {
	Name   string
	Change func(s *state.State)
	Names  []string
}

// SetStep records the resource at addr, its body marked with n.
func SetStep(addr string, n int) Step {
	return Step{"set " + addr, func(s *state.State) {
		s.Set(&state.Resource{Address: addr, ID: "/subscriptions/s/resourceGroups/" + addr, APIVersion: "2021-04-01",
			LastApplied: map[string]any{"location": "westus", "n": json.Number(fmt.Sprint(n))},
			Output:      map[string]any{"location": "westus", "tags": map[string]any{"n": fmt.Sprint(n)}, "list": []any{1.5, "x", nil}}})
	}, []string{addr}}
}

// JournalSteps are the saves of an apply, one of each kind a journal
// records: resources set and removed, an operation in flight, outputs,
// learned immutable paths, and the removal of an address never recorded.
func JournalSteps() []Step {
	return []Step{
		SetStep("resource.b", 1),
		{"intent of resource.a", func(s *state.State) {
			s.StartOperation("resource.a", "/x/a", "2023-01-01", state.Operation{Method: "PUT", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Sent: map[string]any{"k": "v"}})
		}, []string{"resource.a"}},
		{"in flight resource.a", func(s *state.State) {
			s.StartOperation("resource.a", "/x/a", "2023-01-01", state.Operation{Method: "PUT", PollingURL: "https://p/op", ResumeToken: `{"asyncURL":"https://p/op"}`})
		}, []string{"resource.a"}},
		SetStep("resource.a", 2),
		SetStep("resource.c", 3),
		{"remove resource.b", func(s *state.State) { s.Remove("resource.b") }, []string{"resource.b"}},
		{"remove a group with its child", func(s *state.State) { s.Remove("resource.c"); s.Remove("resource.a") }, []string{"resource.c", "resource.a"}},
		SetStep("resource.d", 4),
		{"outputs", func(s *state.State) {
			s.Outputs = map[string]*state.Output{"name": {Value: "x"}, "secret": {Value: s.HashValue("p"), Sensitive: true}}
		}, []string{state.OutputsChanged}},
		{"learned immutable paths", func(s *state.State) {
			s.LearnImmutable("Microsoft.Web/sites", "properties.hostingEnvironmentProfile")
			s.LearnImmutable("Microsoft.Authorization/roleAssignments", "properties.principalId")
		}, []string{state.ImmutableChanged}},
		{"remove an address never recorded", func(s *state.State) {}, []string{"resource.never"}},
	}
}

// Addresses lists the addresses of s's resources, for messages.
func Addresses(s *state.State) []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Address)
	}
	return out
}
