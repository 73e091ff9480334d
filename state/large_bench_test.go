package state

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkLocalRead10000 reads a 10,000-resource state file: what every
// plan and apply does first.
func BenchmarkLocalRead10000(b *testing.B) {
	ctx := context.Background()
	l := NewLocal(filepath.Join(b.TempDir(), "azapply.state.json"))
	if err := l.Write(ctx, benchState(10000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := l.Read(ctx)
		if err != nil || len(s.Resources) != 10000 {
			b.Fatalf("%v, %d resources", err, len(s.Resources))
		}
	}
}

// BenchmarkLocalWrite10000 is one state write of 10,000 resources, as apply
// does after every operation.
func BenchmarkLocalWrite10000(b *testing.B) {
	ctx := context.Background()
	l := NewLocal(filepath.Join(b.TempDir(), "azapply.state.json"))
	s := benchState(10000)
	data, err := Encode(s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Write(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode10000 is the encoding part of a write, without the disk.
func BenchmarkEncode10000(b *testing.B) {
	s := benchState(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}
