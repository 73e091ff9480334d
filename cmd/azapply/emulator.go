package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/internal/loopback"
)

// NewCmdEmulator defines the group 'azapply emulator': serve and change.
func NewCmdEmulator(f *Factory) *command {
	return newGroup(f, "emulator", "Serve the local ARM emulator, or change its resources out of band",
		"azapply emulator serve --addr 127.0.0.1:8443 --state world.json",
		NewCmdEmulatorServe(f, nil), NewCmdEmulatorChange(f, nil))
}

type serveOptions struct {
	factory     *Factory
	addr        string
	state       string
	caFile      string
	token       string
	latency     time.Duration
	throttle    bool
	failRate    float64
	dropRate    float64
	seed        int64
	operations  string
	retryAfter  time.Duration
	allowRemote bool
	// readRate is the read bucket's refill per second with --throttle.
	readRate float64
	// The windows of eventual consistency (emulator.Consistency).
	readAfterCreate, lingeringDelete, principalDelay time.Duration
	// ops are the behaviours of ARM's refusals (ops_flags.go).
	ops opsServeFlags
}

// NewCmdEmulatorServe defines azapply emulator serve; runF, when a test
// gives it, runs instead of serveEmulator.
func NewCmdEmulatorServe(f *Factory, runF func(context.Context, *serveOptions) error) *command {
	o := &serveOptions{factory: f}
	c := newCommand(f, "emulator serve", "", "Serve the local ARM emulator over TLS on loopback",
		"Serve the local ARM emulator over TLS with a generated certificate.",
		"azapply emulator serve --addr 127.0.0.1:8443 --state world.json --latency 20ms --throttle --fail-rate 0.05")
	fs := c.flags
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8443", "the address to listen on (loopback unless --allow-remote)")
	fs.StringVar(&o.state, "state", "", "a file to load the emulator's world from and save it to (default: in memory only)")
	fs.StringVar(&o.caFile, "ca-file", "", "where to write the generated CA certificate (default: ca.pem in a new directory of its own, mode 0700, under the system's temporary directory, removed when the emulator stops)")
	fs.StringVar(&o.token, "token", "", "accept only this bearer token (default: any non-empty token)")
	fs.DurationVar(&o.latency, "latency", 0, "added latency per request, e.g. 20ms")
	fs.BoolVar(&o.throttle, "throttle", false, "ARM's per-subscription token buckets: 429 with Retry-After when exhausted")
	fs.Float64Var(&o.failRate, "fail-rate", 0, "the fraction of requests answered 500/503 with Retry-After, e.g. 0.05")
	fs.Float64Var(&o.dropRate, "drop-rate", 0, "the fraction of requests whose connection is dropped mid-response")
	fs.Int64Var(&o.seed, "seed", 1, "the seed of the injected faults")
	fs.StringVar(&o.operations, "operations", "realistic", "long-running operations: realistic (asynchronous, as ARM) or sync")
	fs.DurationVar(&o.retryAfter, "retry-after", time.Second, "the Retry-After the emulator asks for while operations run")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.Float64Var(&o.readRate, "throttle-read-rate", 0, "with --throttle, the read bucket's refill per second (ARM's default 25), e.g. 5 for a busy shared subscription")
	fs.DurationVar(&o.readAfterCreate, "read-after-create", 0, "eventual consistency: how long a GET answers 404 after a create, e.g. 5s")
	fs.DurationVar(&o.lingeringDelete, "lingering-delete", 0, "eventual consistency: how long a GET still shows a deleted resource (and a PUT of it answers 409), e.g. 10s")
	fs.DurationVar(&o.principalDelay, "principal-delay", 0, "eventual consistency: how long a new identity's principal is unknown to role assignments (400 PrincipalNotFound), e.g. 30s")
	o.ops.register(fs)
	c.run = func(ctx context.Context, args []string) error {
		if err := noArgs(c, args, ""); err != nil {
			return err
		}
		if runF != nil {
			return runF(ctx, o)
		}
		// Serving changes nothing a second signal would protect: stop at
		// the first.
		ctx, stop := stopOnFirstInterrupt(ctx)
		defer stop()
		return serveEmulator(ctx, o)
	}
	return c
}

// emulatorOptions turns the serve flags into the emulator's options.
func (o *serveOptions) emulatorOptions() (emulator.Options, error) {
	opts := emulator.Options{Token: o.token, RetryAfter: o.retryAfter,
		Faults: emulator.Faults{Seed: o.seed, ErrorRate: o.failRate, DropRate: o.dropRate, Latency: o.latency}}
	switch o.operations {
	case "realistic":
		opts.Operations = emulator.RealisticOperations()
		// As ARM's, operations end by time, whether polled or not.
		opts.TimedOperations = true
	case "sync":
	default:
		return opts, fmt.Errorf("--operations %q: use realistic or sync", o.operations)
	}
	for name, r := range map[string]float64{"--fail-rate": o.failRate, "--drop-rate": o.dropRate} {
		if r < 0 || r > 1 {
			return opts, fmt.Errorf("%s %v: give a fraction between 0 and 1", name, r)
		}
	}
	if o.latency < 0 || o.retryAfter < 0 || o.readAfterCreate < 0 || o.lingeringDelete < 0 || o.principalDelay < 0 {
		return opts, errors.New("--latency, --retry-after, --read-after-create, --lingering-delete and --principal-delay cannot be negative")
	}
	opts.Consistency = emulator.Consistency{ReadAfterCreate: o.readAfterCreate, LingeringDelete: o.lingeringDelete, PrincipalDelay: o.principalDelay}
	if o.throttle {
		opts.Throttle = emulator.DefaultThrottle()
		if o.readRate < 0 {
			return opts, errors.New("--throttle-read-rate cannot be negative")
		}
		if o.readRate > 0 {
			opts.Throttle.ReadRate = o.readRate
		}
	} else if o.readRate != 0 {
		return opts, errors.New("--throttle-read-rate needs --throttle")
	}
	if err := o.ops.apply(&opts); err != nil {
		return opts, err
	}
	return opts, nil
}

// checkLoopback refuses a non-loopback listening address unless allowed.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: write it as host:port, e.g. 127.0.0.1:8443: %w", addr, err)
	}
	if !allow && !loopback.IsHost(host) {
		return fmt.Errorf("--addr %q is not a loopback address: the emulator accepts any token, so it listens on 127.0.0.1 or ::1 unless you pass --allow-remote", addr)
	}
	return nil
}

func serveEmulator(ctx context.Context, o *serveOptions) error {
	s := o.factory.IOStreams
	v := views.NewEmulator(viewStreams(s, true))
	opts, err := o.emulatorOptions()
	if err != nil {
		return err
	}
	if err := checkLoopback(o.addr, o.allowRemote); err != nil {
		return err
	}
	if strings.EqualFold(os.Getenv("AZAPPLY_LOG"), "debug") {
		// One line per request: method, path, status, duration.
		opts.Logger = slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv := emulator.New(opts)
	if o.state != "" {
		if err := srv.LoadFile(o.state); err != nil {
			return err
		}
	}
	host, _, _ := net.SplitHostPort(o.addr)
	tlsCfg, caPEM, err := emulator.LoopbackTLS(time.Now(), 30*24*time.Hour, host)
	if err != nil {
		return err
	}
	caFile, cleanup, err := writeCA(o.caFile, caPEM)
	if err != nil {
		return err
	}
	defer cleanup()
	ln, err := tls.Listen("tcp", o.addr, tlsCfg)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	endpoint := "https://" + ln.Addr().String()
	world := "in memory (lost when it stops)"
	if o.state != "" {
		world = o.state
	}
	v.Serving(endpoint, world, caFile, tokenNote(o.token))

	return serveUntilDone(ctx, srv, ln, o.state, v)
}

// serveUntilDone serves srv on ln until ctx ends, saving its world to
// stateFile (if any) every 5 seconds when it changed, and once more when
// it stops.
func serveUntilDone(ctx context.Context, srv *emulator.Server, ln net.Listener, stateFile string, v *views.Emulator) error {
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	saveTick := time.NewTicker(5 * time.Second)
	defer saveTick.Stop()
	var saved []byte
	save := func() error {
		if stateFile == "" {
			return nil
		}
		data, err := srv.MarshalWorld()
		if err != nil || bytes.Equal(data, saved) {
			return err
		}
		if err := srv.SaveFile(stateFile); err != nil {
			return err
		}
		saved = data
		return nil
	}
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("the emulator stopped: %w", err)
		case <-saveTick.C:
			if err := save(); err != nil {
				v.Warning(err)
			}
		case <-ctx.Done():
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = hs.Shutdown(shutdownCtx)
			if err := save(); err != nil {
				return err
			}
			v.Stopped()
			return nil
		}
	}
}

func tokenNote(token string) string {
	if token == "" {
		return "any bearer token"
	}
	return "only the bearer token given with --token"
}

type changeOptions struct {
	factory   *Factory
	chdir     string
	world     string
	endpoint  string
	caFile    string
	token     string
	id        string
	merge     string
	mergeFile string
	delete    bool
}

// NewCmdEmulatorChange defines azapply emulator change; runF, when a test
// gives it, runs instead of changeEmulator.
func NewCmdEmulatorChange(f *Factory, runF func(context.Context, *changeOptions) error) *command {
	o := &changeOptions{factory: f}
	c := newCommand(f, "emulator change", "--id ID (--merge JSON | --merge-file FILE | --delete)", "Change or delete a resource in the emulator out of band",
		"Change or delete a resource in the emulator as if someone did it in the portal, to see drift.",
		"azapply emulator change --chdir examples/quickstart --id /subscriptions/.../registries/quickstartacr --merge '{\"tags\":{\"owner\":\"portal\"}}'")
	fs := c.flags
	fs.StringVar(&o.chdir, "chdir", ".", "the configuration directory whose embedded emulator (.azapply/emulator.json) to change")
	fs.StringVar(&o.world, "world", "", "the emulator world file to change (default: .azapply/emulator.json under --chdir)")
	fs.StringVar(&o.endpoint, "endpoint", "", "the URL of a running 'azapply emulator serve' to change instead of a file")
	fs.StringVar(&o.caFile, "ca-file", "", "the CA certificate 'emulator serve' wrote, to trust its TLS certificate")
	fs.StringVar(&o.token, "token", "emulator-token", "the bearer token to send to a running emulator")
	fs.StringVar(&o.id, "id", "", "the ARM resource ID to change (required)")
	fs.StringVar(&o.merge, "merge", "", `a JSON merge patch to apply, e.g. '{"properties":{"publicNetworkAccess":"Disabled"}}'`)
	fs.StringVar(&o.mergeFile, "merge-file", "", "a file holding the JSON merge patch")
	fs.BoolVar(&o.delete, "delete", false, "delete the resource (and everything under it)")
	c.run = func(ctx context.Context, args []string) error {
		if err := noArgs(c, args, ""); err != nil {
			return err
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return changeEmulator(ctx, o)
	}
	return c
}

// change reads the flags into the control API's request.
func (o *changeOptions) change() (emulator.OutOfBandChange, error) {
	c := emulator.OutOfBandChange{ID: o.id, Delete: o.delete}
	if o.id == "" {
		return c, errors.New("--id is required: the ARM resource ID to change")
	}
	given := 0
	for _, b := range []bool{o.merge != "", o.mergeFile != "", o.delete} {
		if b {
			given++
		}
	}
	if given != 1 {
		return c, errors.New("give exactly one of --merge, --merge-file or --delete")
	}
	patch, where := []byte(o.merge), "--merge"
	if o.mergeFile != "" {
		data, err := os.ReadFile(o.mergeFile)
		if err != nil {
			return c, fmt.Errorf("--merge-file: %w", err)
		}
		patch, where = data, o.mergeFile
	}
	if !o.delete {
		if err := json.Unmarshal(patch, &c.Merge); err != nil || c.Merge == nil {
			return c, fmt.Errorf("%s is not a JSON object (a merge patch such as {\"tags\":{\"a\":\"b\"}}): %v", where, err)
		}
	}
	return c, nil
}

func changeEmulator(ctx context.Context, o *changeOptions) error {
	v := views.NewEmulator(viewStreams(o.factory.IOStreams, true))
	c, err := o.change()
	if err != nil {
		return err
	}
	if o.endpoint != "" {
		return changeRunningEmulator(ctx, o, c, v)
	}
	file := o.world
	if file == "" {
		file = filepath.Join(o.chdir, ".azapply", "emulator.json")
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("no emulator world at %s: run 'azapply apply' on a configuration with endpoint = \"emulator\" first, or pass --world or --endpoint", file)
	}
	srv := emulator.New(emulator.Options{})
	if err := srv.LoadFile(file); err != nil {
		return err
	}
	if c.Delete {
		err = srv.DeleteOutOfBand(c.ID)
	} else {
		err = srv.ChangeOutOfBand(c.ID, c.Merge)
	}
	if err != nil {
		return err
	}
	if err := srv.SaveFile(file); err != nil {
		return err
	}
	v.Changed(c.ID, "in "+file)
	return nil
}

func changeRunningEmulator(ctx context.Context, o *changeOptions, c emulator.OutOfBandChange, v *views.Emulator) error {
	if !strings.HasPrefix(o.endpoint, "https://") {
		return fmt.Errorf("--endpoint %q: the emulator serves https only", o.endpoint)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--ca-file %s holds no PEM certificate", o.caFile)
		}
		tlsCfg.RootCAs = pool
	}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(o.endpoint, "/")+"/_emulator/out-of-band", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("--endpoint %q: %w", o.endpoint, err)
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "application/json")
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}, Timeout: 30 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the emulator at %s: %w", o.endpoint, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("the emulator refused the change (%d %s): %s", resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	v.Changed(c.ID, "at "+o.endpoint)
	return nil
}

// writeCA writes the emulator's CA certificate where clients can trust it
// and returns its path, with what removes what writeCA created. By default
// it goes into a new directory of its own (os.MkdirTemp: mode 0700, a
// name nobody could prepare), never to a fixed path in the shared
// temporary directory, where another user could have left a symbolic link
// that the write would follow. A file named by --ca-file is written
// through a temporary file in its directory and renamed into place, so a
// symbolic link at that name is replaced, not followed.
func writeCA(named string, caPEM []byte) (string, func(), error) {
	if named == "" {
		dir, err := os.MkdirTemp("", "azapply-emulator-")
		if err != nil {
			return "", nil, fmt.Errorf("making a directory for the emulator's CA certificate: %w", err)
		}
		named = filepath.Join(dir, "ca.pem")
		if err := writeFileNoFollow(named, caPEM); err != nil {
			_ = os.RemoveAll(dir)
			return "", nil, err
		}
		return named, func() { _ = os.RemoveAll(dir) }, nil
	}
	if err := writeFileNoFollow(named, caPEM); err != nil {
		return "", nil, err
	}
	return named, func() {}, nil
}

// writeFileNoFollow writes data to a new temporary file beside path and
// renames it to path: a rename replaces whatever is at path, a symbolic
// link included, and never writes through it.
func writeFileNoFollow(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the emulator's CA certificate: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing the emulator's CA certificate: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing the emulator's CA certificate: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the emulator's CA certificate: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the emulator's CA certificate: %w", err)
	}
	return nil
}
