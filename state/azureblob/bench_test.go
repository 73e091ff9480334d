package azureblob

import (
	"context"
	"fmt"
	"testing"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azuritetest"
	"github.com/azapply/azapply/state/internal/statetest"
)

// BenchmarkBlobWrite is one conditional upload under a lease to Azurite on
// loopback: the cost of a save after every operation with the azureblob
// backend, less the network to Azure.
func BenchmarkBlobWrite(b *testing.B) {
	conn := azuritetest.ConnectionString(b)
	container := azuritetest.NewContainer(b, conn)
	for _, n := range []int{10, 200} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			ctx := context.Background()
			bk := lockedBlob(b, conn, container, fmt.Sprintf("bench-%d.json", n))
			s := statetest.Bench(n)
			for b.Loop() {
				if err := bk.Write(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBlobAppend is one save of one changed resource with the
// azureblob backend under its lease: one block appended to the journal
// blob on Azurite, beside BlobWrite's whole upload.
func BenchmarkBlobAppend(b *testing.B) {
	conn := azuritetest.ConnectionString(b)
	container := azuritetest.NewContainer(b, conn)
	for _, n := range []int{10, 200} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			ctx := context.Background()
			bk := lockedBlob(b, conn, container, fmt.Sprintf("bench-append-%d.json", n))
			s := statetest.Bench(n)
			if err := bk.Write(ctx, s); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				r := *s.Resources[i%n]
				r.APIVersion = fmt.Sprintf("2024-%05d", i)
				s.Set(&r)
				if err := bk.Append(ctx, s, r.Address); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// lockedBlob opens the azureblob backend at key, takes its lease (released
// when the benchmark ends) and reads it, as a command does before saving.
func lockedBlob(b *testing.B, conn, container, key string) *Backend {
	b.Helper()
	ctx := context.Background()
	bk, err := New(Options{ConnectionString: conn, Container: container, Key: key})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bk.Lock(ctx, state.NewLockInfo("bench")); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bk.Unlock(ctx) })
	if _, err := bk.Read(ctx); err != nil {
		b.Fatal(err)
	}
	return bk
}
