package arm_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
)

const (
	sub   = "/subscriptions/00000000-0000-0000-0000-000000000000"
	rgID  = sub + "/resourceGroups/rg1"
	acrID = rgID + "/providers/Microsoft.ContainerRegistry/registries/acr1"
)

// serve runs the emulator over TLS on loopback and returns a client for it.
func serve(t testing.TB, opts emulator.Options, mutate ...func(*arm.ClientOptions)) (*arm.Client, *emulator.Server) {
	t.Helper()
	em := emulator.New(opts)
	srv := httptest.NewTLSServer(em)
	t.Cleanup(srv.Close)
	co := arm.ClientOptions{
		Endpoint:      srv.URL,
		Credential:    arm.StaticCredential{Token: "emulator-token"},
		Transport:     srv.Client(),
		PollFrequency: time.Millisecond,
		ConflictDelay: 5 * time.Millisecond,
		Timeout:       20 * time.Second,
		Retry:         arm.RetryOptions{Delay: time.Millisecond, MaxDelay: 5 * time.Second},
	}
	for _, m := range mutate {
		m(&co)
	}
	c, err := arm.NewClient(co)
	if err != nil {
		t.Fatal(err)
	}
	return c, em
}

func createRG(t testing.TB, c *arm.Client) {
	t.Helper()
	if _, err := c.Put(context.Background(), rgID, "2021-04-01", map[string]any{"location": "westus"}); err != nil {
		t.Fatal(err)
	}
}

func acrBody() map[string]any {
	return map[string]any{"location": "West US", "sku": map[string]any{"name": "Standard"}, "properties": map[string]any{"adminUserEnabled": true}}
}

// TestEmulatorOperations runs PUT, PATCH, POST and DELETE through every
// long-running-operation pattern the emulator has, to each end.
func TestEmulatorOperations(t *testing.T) {
	patterns := []emulator.Pattern{emulator.Sync, emulator.AsyncOperation, emulator.Location, emulator.AsyncOperationAndLocation, emulator.ProvisioningState}
	outcomes := []emulator.Outcome{emulator.Succeeded, emulator.Failed, emulator.Canceled}
	for _, pattern := range patterns {
		for _, outcome := range outcomes {
			if pattern == emulator.Sync && outcome != emulator.Succeeded {
				continue
			}
			t.Run(pattern.String()+"/"+outcome.String(), func(t *testing.T) {
				op := emulator.Operation{Pattern: pattern, Polls: 2, Outcome: outcome,
					Error: &emulator.ErrorDetail{Code: "QuotaExceeded", Message: "No quota left in westus."}}
				c, em := serve(t, emulator.Options{RetryAfter: time.Millisecond})
				createRG(t, c)
				em.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Operation: op})
				ctx := context.Background()
				var polls int
				progress := func(p arm.Progress) { polls = p.Polls }
				steps := []arm.Request{
					{Method: "PUT", ID: acrID, APIVersion: "2023-07-01", Body: acrBody(), Progress: progress},
					{Method: "PATCH", ID: acrID, APIVersion: "2023-07-01", Body: map[string]any{"tags": map[string]any{"env": "test"}}, Progress: progress},
					{Method: "POST", ID: acrID + "/regenerateCredential", APIVersion: "2023-07-01", Body: map[string]any{"name": "password"}, Progress: progress},
					{Method: "DELETE", ID: acrID, APIVersion: "2023-07-01", Progress: progress},
				}
				for _, step := range steps {
					resp, err := c.Do(ctx, step)
					if outcome != emulator.Succeeded {
						want := outcome.String()
						if pattern == emulator.Location {
							// The Location URL answers with the synchronous
							// error, which cannot tell canceled from failed.
							want = "Failed"
						}
						var ae *arm.Error
						if !errors.As(err, &ae) || ae.OperationStatus != want {
							t.Fatalf("%s: err = %v, want the operation to end %s", step.Method, err, want)
						}
						if pattern != emulator.ProvisioningState && (ae.Code != "QuotaExceeded" || !strings.Contains(ae.Message, "No quota left")) {
							t.Errorf("%s: the error %v lacks ARM's code and message", step.Method, err)
						}
						return
					}
					if err != nil {
						t.Fatalf("%s: %v", step.Method, err)
					}
					if pattern != emulator.Sync && polls < 2 && step.Method != "POST" {
						t.Errorf("%s: %d polls, want at least 2", step.Method, polls)
					}
					if (step.Method == "PUT" || step.Method == "PATCH") && resp.Body["id"] == nil {
						t.Errorf("%s: no resource in the result: %s", step.Method, resp.Raw)
					}
					if step.Method == "PATCH" && fmt.Sprint(resp.Body["tags"]) != "map[env:test]" {
						t.Errorf("PATCH result tags %v", resp.Body["tags"])
					}
				}
				if _, err := c.Get(ctx, acrID, "2023-07-01"); !arm.IsNotFound(err) {
					t.Errorf("after DELETE, GET = %v", err)
				}
			})
		}
	}
}

// TestEmulatorBusyParent: a PUT of a resource whose operation is still
// running is refused with 409 AnotherOperationInProgress, and resent until
// the first one is done.
func TestEmulatorBusyParent(t *testing.T) {
	c, em := serve(t, emulator.Options{RetryAfter: time.Millisecond})
	createRG(t, c)
	em.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, MinDuration: 150 * time.Millisecond}})
	first, err := c.Send(context.Background(), arm.Request{Method: "PUT", ID: acrID, APIVersion: "2023-07-01", Body: acrBody()})
	if err != nil || !first.Pending() {
		t.Fatalf("first PUT: %v, pending %v", err, first.Pending())
	}
	// The emulator ends an operation when it is polled after its time.
	done := make(chan error, 1)
	go func() {
		_, err := c.Wait(context.Background(), first, arm.WaitOptions{})
		done <- err
	}()
	if _, err := c.Put(context.Background(), acrID, "2023-07-01", acrBody()); err != nil {
		t.Fatalf("second PUT: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first PUT: %v", err)
	}
	if got := em.Counters().ByMethodStatus["PUT 409"]; got == 0 {
		t.Error("the emulator never answered 409: the test did not test the resend")
	}
}

// TestEmulatorFaults: injected 500/503s and dropped connections are retried
// for reads and idempotent writes, and every call ends well.
func TestEmulatorFaults(t *testing.T) {
	c, em := serve(t, emulator.Options{RetryAfter: time.Millisecond})
	createRG(t, c)
	ctx := context.Background()
	for i := range 20 {
		id := fmt.Sprintf("%s/providers/Microsoft.ContainerRegistry/registries/acr%d", rgID, i)
		if _, err := c.Put(ctx, id, "2023-07-01", acrBody()); err != nil {
			t.Fatal(err)
		}
	}
	cf, emf := serve(t, emulator.Options{RetryAfter: time.Millisecond, Faults: emulator.Faults{Seed: 7, ErrorRate: 0.3, DropRate: 0.15}})
	if err := emf.UnmarshalWorld(mustWorld(t, em)); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		id := fmt.Sprintf("%s/providers/Microsoft.ContainerRegistry/registries/acr%d", rgID, i)
		if _, err := cf.Get(ctx, id, "2023-07-01"); err != nil {
			t.Errorf("GET %s: %v", id, err)
		}
		if _, err := cf.Put(ctx, id, "2023-07-01", acrBody()); err != nil {
			t.Errorf("PUT %s: %v", id, err)
		}
	}
	counters := emf.Counters()
	if counters.Dropped == 0 || counters.ByStatus[500]+counters.ByStatus[503] == 0 {
		t.Errorf("no faults were injected: %+v", counters)
	}
	t.Logf("faults survived: %d dropped, %d 500, %d 503", counters.Dropped, counters.ByStatus[500], counters.ByStatus[503])
}

func mustWorld(t *testing.T, em *emulator.Server) []byte {
	t.Helper()
	b, err := em.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEmulatorPostNotResentAfterDrop: an action whose connection dropped
// after the server ran it is reported, not run twice.
func TestEmulatorPostNotResentAfterDrop(t *testing.T) {
	c, em := serve(t, emulator.Options{})
	createRG(t, c)
	if _, err := c.Put(context.Background(), acrID, "2023-07-01", acrBody()); err != nil {
		t.Fatal(err)
	}
	cf, emf := serve(t, emulator.Options{Faults: emulator.Faults{Seed: 1, DropRate: 1}})
	if err := emf.UnmarshalWorld(mustWorld(t, em)); err != nil {
		t.Fatal(err)
	}
	_, err := cf.Post(context.Background(), acrID+"/regenerateCredential", "2023-07-01", map[string]any{"name": "password"})
	if err == nil {
		t.Fatal("a dropped POST succeeded")
	}
	if n := emf.Counters().ByMethod["POST"]; n != 1 {
		t.Errorf("the POST was sent %d times, want once", n)
	}
}

// TestEmulatorThrottlingStorm: 16 workers against ARM's read bucket shrunk
// to 20 tokens refilling 200/s. Every GET succeeds and pacing keeps the
// 429s to the first burst at most.
func TestEmulatorThrottlingStorm(t *testing.T) {
	thr := &emulator.Throttle{ReadBurst: 20, ReadRate: 200, WriteBurst: 200, WriteRate: 100, DeleteBurst: 200, DeleteRate: 100}
	c, em := serve(t, emulator.Options{Throttle: thr}, func(o *arm.ClientOptions) { o.Pacing.ReadsPerSecond = 200 })
	createRG(t, c)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				if _, err := c.Get(context.Background(), rgID, "2021-04-01"); err != nil {
					failed.Add(1)
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n429 := em.Counters().ByStatus[http.StatusTooManyRequests]
	if failed.Load() != 0 {
		t.Fatalf("%d GETs failed", failed.Load())
	}
	if n429 > 16 {
		t.Errorf("%d 429s: pacing did not keep under the bucket", n429)
	}
	t.Logf("240 GETs, %d 429s", n429)
}

// TestEmulatorWriteStorm: writes and deletes draw from their own buckets,
// which the client paces at their own rates.
func TestEmulatorWriteStorm(t *testing.T) {
	thr := &emulator.Throttle{ReadBurst: 1000, ReadRate: 1000, WriteBurst: 10, WriteRate: 100, DeleteBurst: 10, DeleteRate: 100}
	c, em := serve(t, emulator.Options{Throttle: thr}, func(o *arm.ClientOptions) {
		o.Pacing.WritesPerSecond, o.Pacing.DeletesPerSecond = 100, 100
	})
	createRG(t, c)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				id := fmt.Sprintf("%s/providers/Microsoft.ContainerRegistry/registries/w%dr%d", rgID, w, i)
				if _, err := c.Put(context.Background(), id, "2023-07-01", acrBody()); err != nil {
					t.Error(err)
					return
				}
				if _, err := c.Delete(context.Background(), id, "2023-07-01"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	counters := em.Counters()
	if n := counters.ByMethodStatus["PUT 429"] + counters.ByMethodStatus["DELETE 429"]; n > 16 {
		t.Errorf("%d writes and deletes were throttled", n)
	}
	t.Logf("64 PUTs and 64 DELETEs at buckets of 10: %d PUT 429s, %d DELETE 429s", counters.ByMethodStatus["PUT 429"], counters.ByMethodStatus["DELETE 429"])
}

// TestEmulatorResume: the process that started an operation dies; another
// picks it up from the stored token.
func TestEmulatorResume(t *testing.T) {
	c, em := serve(t, emulator.Options{RetryAfter: time.Millisecond})
	createRG(t, c)
	em.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Polls: 3}})
	ctx, cancel := context.WithCancel(context.Background())
	var token string
	_, err := c.Do(ctx, arm.Request{Method: "PUT", ID: acrID, APIVersion: "2023-07-01", Body: acrBody(),
		Progress: func(p arm.Progress) { token = p.ResumeToken; cancel() }})
	if !errors.Is(err, context.Canceled) || token == "" {
		t.Fatalf("err %v, token %q", err, token)
	}
	resp, err := c.Resume(context.Background(), token, arm.WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body["properties"].(map[string]any)["provisioningState"] != "Succeeded" {
		t.Errorf("resumed result %s", resp.Raw)
	}
}

// BenchmarkThousandGETs sends 1,000 GETs from 16 workers at the emulator
// with ARM's default read throttling (250 tokens refilling 25/s), with the
// client's pacing on and, for comparison, off. The lower bound is
// (1000 - 250) / 25 = 30 s.
//
//	go test ./arm -run XXX -bench ThousandGETs -benchtime 1x
func BenchmarkThousandGETs(b *testing.B) {
	b.Run("paced", func(b *testing.B) { benchmarkGETs(b, false) })
	b.Run("unpaced", func(b *testing.B) { benchmarkGETs(b, true) })
}

func benchmarkGETs(b *testing.B, unpaced bool) {
	const total, workers = 1000, 16
	lowerBound := time.Duration(float64(total-250) / 25 * float64(time.Second))
	for range b.N {
		c, em := serve(b, emulator.Options{Throttle: emulator.DefaultThrottle()}, func(o *arm.ClientOptions) {
			o.Retry = arm.RetryOptions{}
			o.Pacing.Disabled = unpaced
			o.Timeout = 0
		})
		// The group's PUT draws from the writes bucket, not the reads.
		createRG(b, c)
		em.ResetObservations()
		start := time.Now()
		var next, failed atomic.Int32
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= total {
					if _, err := c.Get(context.Background(), rgID, "2021-04-01"); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		n429 := em.Counters().ByStatus[http.StatusTooManyRequests]
		ratio := elapsed.Seconds() / lowerBound.Seconds()
		b.ReportMetric(elapsed.Seconds(), "wall-s")
		b.ReportMetric(float64(n429), "429s")
		b.ReportMetric(ratio, "x-lower-bound")
		b.ReportMetric(float64(failed.Load()), "failed")
		mode := "paced"
		if unpaced {
			mode = "unpaced"
		}
		fmt.Printf("1000 GETs, %d workers, ARM default read throttling, %s: %.1fs wall, %d 429s, %d failed, %.2fx the bucket's lower bound of %s\n",
			workers, mode, elapsed.Seconds(), n429, failed.Load(), ratio, lowerBound)
		if !unpaced && failed.Load() > 0 {
			b.Errorf("%d GETs failed", failed.Load())
		}
	}
}

// TestEmulatorAsCustomCloud discovers the served emulator as an Azure Stack
// Hub style cloud from its metadata document, signs in with a client secret
// at its token endpoint, and manages a resource with the token it issued,
// over TLS with the emulator's own throw-away CA trusted.
func TestEmulatorAsCustomCloud(t *testing.T) {
	tlsConf, caPEM, err := emulator.LoopbackTLS(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	em := emulator.New(emulator.Options{Token: "issued-by-the-emulator"})
	srv := httptest.NewUnstartedServer(em)
	srv.TLS = tlsConf
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("the emulator's CA does not parse")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	s := arm.Settings{
		MetadataEndpoint: srv.URL + "/metadata/endpoints?api-version=2015-01-01",
		TenantID:         "tenant1", ClientID: "client1", ClientSecret: "secret", Transport: hc,
	}
	c, cloud, err := arm.Connect(context.Background(), s, arm.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cloud.Endpoint != srv.URL || cloud.Audience != emulator.Audience || !cloud.Custom {
		t.Errorf("discovered %+v", cloud)
	}
	createRG(t, c)
	if _, err := c.Get(context.Background(), rgID, "2021-04-01"); err != nil {
		t.Fatal(err)
	}
}
