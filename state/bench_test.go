package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/azapply/azapply/state/azuritetest"
)

// benchState is a state of n resources with bodies the size of a typical
// ARM resource (about 2 KB of output each).
func benchState(n int) *State {
	s := New()
	for i := 0; i < n; i++ {
		props := map[string]any{"provisioningState": "Succeeded", "adminPassword": "p@ss", "subnets": []any{}}
		for j := 0; j < 20; j++ {
			props[fmt.Sprintf("setting%d", j)] = fmt.Sprintf("value-%d-%d-0123456789abcdef0123456789abcdef", i, j)
		}
		s.Set(&Resource{
			Address: fmt.Sprintf("resource.r%04d", i), ID: fmt.Sprintf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet%d", i),
			APIVersion: "2023-09-01", LastApplied: map[string]any{"location": "westus", "properties": props}, Output: map[string]any{"location": "westus", "properties": props},
		})
	}
	return s
}

// BenchmarkLocalWrite is one state write as apply does after every
// operation: encode, check the file on disk, back it up, fsync and rename.
func BenchmarkLocalWrite(b *testing.B) {
	for _, n := range []int{10, 200, 1000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			ctx := context.Background()
			l := NewLocal(filepath.Join(b.TempDir(), "azapply.state.json"))
			s := benchState(n)
			for b.Loop() {
				if err := l.Write(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	data, err := Encode(benchState(200))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	s := benchState(1)
	body := s.Resources[0].LastApplied
	paths := []string{"properties.adminPassword", "properties.subnets[*].key"}
	for b.Loop() {
		if _, err := s.Redact(body, paths); err != nil {
			b.Fatal(err)
		}
	}
}

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
			s := benchState(n)
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
			s := benchState(n)
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
func lockedBlob(b *testing.B, conn, container, key string) *Blob {
	b.Helper()
	ctx := context.Background()
	bk, err := NewBlob(BlobOptions{ConnectionString: conn, Container: container, Key: key})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bk.Lock(ctx, NewLockInfo("bench")); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bk.Unlock(ctx) })
	if _, err := bk.Read(ctx); err != nil {
		b.Fatal(err)
	}
	return bk
}
