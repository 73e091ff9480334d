package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/azapply/azapply/emulator"
)

// served is the emulator on a loopback TLS listener. Each phase of the
// benchmark gets a fresh Server holding the previous phase's world, so it
// starts with full token buckets (as a CI job does after a pause) and its
// own request counters.
type served struct {
	endpoint string
	caFile   string
	opts     emulator.Options
	current  atomic.Pointer[emulator.Server]
	hs       *http.Server
}

func serve(dir string, opts emulator.Options) (*served, error) {
	tlsCfg, caPEM, err := emulator.LoopbackTLS(time.Now(), 24*time.Hour, "127.0.0.1")
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "emulator-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	s := &served{endpoint: "https://" + ln.Addr().String(), caFile: caFile, opts: opts}
	s.opts.BaseURL = s.endpoint
	s.current.Store(emulator.New(s.opts))
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.current.Load().ServeHTTP(w, r) }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := s.hs.Serve(tls.NewListener(ln, tlsCfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: the emulator stopped:", err)
		}
	}()
	return s, nil
}

// server is the emulator answering now.
func (s *served) server() *emulator.Server { return s.current.Load() }

// nextPhase replaces the server by a fresh one with the same world.
func (s *served) nextPhase() error {
	data, err := s.server().MarshalWorld()
	if err != nil {
		return err
	}
	return s.load(data)
}

// load replaces the server by a fresh one holding the world data.
func (s *served) load(data []byte) error {
	next := emulator.New(s.opts)
	if err := next.UnmarshalWorld(data); err != nil {
		return err
	}
	s.current.Store(next)
	return nil
}

func (s *served) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.hs.Shutdown(ctx)
}
