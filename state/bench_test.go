package state_test

import (
	"testing"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/internal/statetest"
)

func BenchmarkDecode(b *testing.B) {
	data, err := state.Encode(statetest.Bench(200))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := state.Decode(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	s := statetest.Bench(1)
	body := s.Resources[0].LastApplied
	paths := []string{"properties.adminPassword", "properties.subnets[*].key"}
	for b.Loop() {
		if _, err := s.Redact(body, paths); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode10000 is the encoding part of a write, without the disk.
func BenchmarkEncode10000(b *testing.B) {
	s := statetest.Bench(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := state.Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSet10000 records one resource in a 10,000-resource state and
// looks it up: what apply does to its state in memory per operation.
func BenchmarkSet10000(b *testing.B) {
	s := statetest.Bench(10000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := *s.Resources[(i*7919)%10000]
		s.Set(&r)
		if s.Get(r.Address) == nil || s.FindID(r.ID) == nil {
			b.Fatal("lost")
		}
		i++
	}
}
