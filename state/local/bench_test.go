package local

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/internal/statetest"
)

// BenchmarkLocalWrite is one state write as apply does after every
// operation: encode, check the file on disk, back it up, fsync and rename.
func BenchmarkLocalWrite(b *testing.B) {
	for _, n := range []int{10, 200, 1000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			ctx := context.Background()
			l := New(filepath.Join(b.TempDir(), "azapply.state.json"))
			s := statetest.Bench(n)
			for b.Loop() {
				if err := l.Write(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLocalRead10000 reads a 10,000-resource state file: what every
// plan and apply does first.
func BenchmarkLocalRead10000(b *testing.B) {
	ctx := context.Background()
	l := New(filepath.Join(b.TempDir(), "azapply.state.json"))
	if err := l.Write(ctx, statetest.Bench(10000)); err != nil {
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
	l := New(filepath.Join(b.TempDir(), "azapply.state.json"))
	s := statetest.Bench(10000)
	data, err := state.Encode(s)
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

// BenchmarkRecordChange10000 is one save of one changed resource in a
// 10,000-resource state, as apply makes after every operation: the change
// applied with Set and appended to the journal (and synced). The journal is
// compacted into the state (a LocalWrite10000) once it outgrows the state,
// about every 20,000 such saves, which adds about 0.05 ms to each.
func BenchmarkRecordChange10000(b *testing.B) {
	ctx := context.Background()
	l := New(filepath.Join(b.TempDir(), "azapply.state.json"))
	s := statetest.Bench(10000)
	if err := l.Write(ctx, s); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := *s.Resources[(i*7919)%10000]
		r.APIVersion = fmt.Sprintf("2024-%05d", i)
		s.Set(&r)
		if err := l.Append(ctx, s, r.Address); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
