package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// These tests run plan and apply through the real ARM client against the
// in-process emulator, with its long-running operations, failures and
// latency switched on.

const (
	emuRG  = sub + "/resourceGroups/apply-test"
	emuACR = emuRG + "/providers/Microsoft.ContainerRegistry/registries/applytestacr"
)

func emulatorClient(t *testing.T, srv *emulator.Server) *arm.Client {
	t.Helper()
	c, err := arm.NewClient(arm.ClientOptions{
		Endpoint:        "https://emulator.invalid",
		Credential:      arm.StaticCredential{Token: "test-token"},
		Transport:       &http.Client{Transport: srv.Transport()},
		PollFrequency:   5 * time.Millisecond,
		MaxPollInterval: 5 * time.Millisecond,
		Retry:           arm.RetryOptions{Delay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		ConflictDelay:   5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stack is a configuration directory with a state, applied step by step.
type stack struct {
	t      *testing.T
	dir    string
	client *arm.Client
	st     *state.State
	// parallelism bounds the refresh as well as apply, as --parallelism does.
	parallelism int
}

func newStack(t *testing.T, client *arm.Client) *stack {
	return &stack{t: t, dir: t.TempDir(), client: client, st: state.New()}
}

func (s *stack) write(src string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, "main.hcl"), []byte(src), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// plan loads the configuration and plans it against the emulator.
func (s *stack) plan() (*config.Config, []*config.Instance, *plan.Plan) {
	s.t.Helper()
	cfg, diags := config.Load(s.dir, config.LoadOptions{})
	if diags.HasErrors() {
		s.t.Fatal(diags)
	}
	outputs := map[string]any{}
	for _, r := range s.st.Resources {
		if r.Output != nil {
			outputs[r.Address] = r.Output
		}
	}
	insts, diags := cfg.Evaluate(outputs)
	if diags.HasErrors() {
		s.t.Fatal(diags)
	}
	p, err := plan.Build(context.Background(), plan.Options{Reader: s.client, Instances: insts, State: s.st,
		SecretMatches: s.st.SensitiveMatches, Parallelism: s.parallelism})
	if err != nil {
		s.t.Fatal(err)
	}
	return cfg, insts, p
}

// apply plans and applies; opts may set Parallelism, Drain and Reporter.
func (s *stack) apply(ctx context.Context, opts Options) (Result, error) {
	s.t.Helper()
	cfg, insts, p := s.plan()
	opts.Plan, opts.Config, opts.Instances, opts.Client, opts.State = p, cfg, insts, s.client, s.st
	opts.Parallelism = s.parallelism
	if opts.Save == nil {
		// Every save must name every record it changed (see saver).
		sv := &saver{replica: s.st.Clone()}
		opts.Save = sv.save
		defer sv.check(s.t)
	}
	return Run(ctx, opts)
}

// clean checks that a fresh plan has nothing to do.
func (s *stack) clean() {
	s.t.Helper()
	if _, _, p := s.plan(); p.HasChanges() {
		var b strings.Builder
		_ = plan.RenderText(&b, p, plan.TextOptions{})
		s.t.Fatalf("the plan after apply is not clean:\n%s", b.String())
	}
}

func registryConfig(sku string, extra string) string {
	return fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "acr" {
  id            = %q
  api_version   = "2023-07-01"
  update_method = "PATCH"
  body = {
    location   = "westus"
    sku        = { name = %q }
    properties = { adminUserEnabled = true }
  }
  %s
}
`, emuRG, emuACR, sku, extra)
}

func TestEveryLongRunningOperationPattern(t *testing.T) {
	patterns := []emulator.Pattern{emulator.Sync, emulator.AsyncOperation, emulator.Location, emulator.AsyncOperationAndLocation, emulator.ProvisioningState}
	for _, pat := range patterns {
		t.Run(pat.String(), func(t *testing.T) {
			srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond})
			var rules []emulator.OperationRule
			for _, m := range []string{"PUT", "PATCH", "DELETE"} {
				op := emulator.Operation{Pattern: pat, Polls: 2}
				if m == "DELETE" && pat == emulator.ProvisioningState {
					op.Pattern = emulator.Location // a DELETE has no body to poll
				}
				rules = append(rules, emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: m, Operation: op})
			}
			srv.SetOperations(rules...)
			s := newStack(t, emulatorClient(t, srv))

			s.write(registryConfig("Standard", ""))
			if res, err := s.apply(context.Background(), Options{}); err != nil || res.Added != 2 {
				t.Fatalf("create: %+v, %v", res, err)
			}
			if got, _ := srv.Resource(emuACR); got.Body["properties"].(map[string]any)["provisioningState"] != "Succeeded" {
				t.Fatalf("the registry is not Succeeded after apply: %v", got.Body["properties"])
			}
			s.clean()

			s.write(registryConfig("Premium", ""))
			if res, err := s.apply(context.Background(), Options{}); err != nil || res.Changed != 1 {
				t.Fatalf("update: %+v, %v", res, err)
			}
			if got, _ := srv.Resource(emuACR); got.Body["sku"].(map[string]any)["name"] != "Premium" {
				t.Fatalf("sku after the PATCH = %v", got.Body["sku"])
			}
			s.clean()

			s.write(strings.Split(registryConfig("Premium", ""), `resource "acr"`)[0])
			if res, err := s.apply(context.Background(), Options{}); err != nil || res.Destroyed != 1 {
				t.Fatalf("delete: %+v, %v", res, err)
			}
			if _, ok := srv.Resource(emuACR); ok {
				t.Fatal("the registry still exists after its delete finished")
			}
			s.clean()
			if pat != emulator.Sync && srv.Counters().ByMethod["GET"] < 6 {
				t.Fatalf("only %d GETs: the operations were not polled", srv.Counters().ByMethod["GET"])
			}
		})
	}
}

func TestFailedAndCanceledOperations(t *testing.T) {
	cases := []struct {
		outcome emulator.Outcome
		want    []string
	}{
		{emulator.Failed, []string{"RegistryQuotaExceeded", "the subscription has no registries left"}},
		{emulator.Canceled, []string{"Canceled"}},
	}
	for _, tc := range cases {
		t.Run(tc.outcome.String(), func(t *testing.T) {
			srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond})
			op := emulator.Operation{Pattern: emulator.AsyncOperation, Polls: 1, Outcome: tc.outcome}
			if tc.outcome == emulator.Failed {
				op.Error = &emulator.ErrorDetail{Code: "RegistryQuotaExceeded", Message: "the subscription has no registries left"}
			}
			srv.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT", Operation: op})
			s := newStack(t, emulatorClient(t, srv))
			s.write(registryConfig("Standard", ""))
			res, err := s.apply(context.Background(), Options{})
			if err == nil {
				t.Fatal("apply succeeded although the operation ended " + tc.outcome.String())
			}
			for _, w := range append(tc.want, "resource.acr") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if res.Added != 1 || s.st.Get("resource.rg") == nil {
				t.Fatalf("the resource group that succeeded is not recorded: %+v", res)
			}
			// ARM keeps a resource whose create failed: the state keeps it too
			// (no operation in flight, nothing applied), and the next plan
			// sends it again.
			if r := s.st.Get("resource.acr"); r == nil || r.InFlight != nil || r.LastApplied != nil {
				t.Fatalf("after the failed create the state holds %+v", r)
			}
			if _, _, p := s.plan(); !p.HasChanges() {
				t.Fatal("the plan after a failed create does not send it again")
			}
			// A rerun, once the service behaves, converges.
			srv.SetOperations()
			if _, err := s.apply(context.Background(), Options{}); err != nil {
				t.Fatal(err)
			}
			s.clean()
		})
	}
}

func TestTimeoutKeepsTheOperationAndTheNextApplyResumesIt(t *testing.T) {
	srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond})
	srv.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, MinDuration: 400 * time.Millisecond}})
	s := newStack(t, emulatorClient(t, srv))
	s.write(registryConfig("Standard", `timeouts { create = "100ms" }`))
	_, err := s.apply(context.Background(), Options{})
	if err == nil || !strings.Contains(err.Error(), "gave up waiting") {
		t.Fatalf("error = %v, want a timeout", err)
	}
	r := s.st.Get("resource.acr")
	if r == nil || r.InFlight == nil || r.InFlight.ResumeToken == "" || r.InFlight.Method != "PUT" {
		t.Fatalf("the state does not record the operation in flight: %+v", r)
	}
	if strings.Contains(r.InFlight.ResumeToken, "test-token") {
		t.Fatal("the resume token holds the bearer token")
	}
	// The next apply waits for it instead of sending the PUT again.
	if err := ResumeInFlight(context.Background(), Options{Client: s.client, State: s.st}); err != nil {
		t.Fatal(err)
	}
	r = s.st.Get("resource.acr")
	if r == nil || r.InFlight != nil || r.LastApplied == nil || r.Output == nil {
		t.Fatalf("after resuming, the state holds %+v", r)
	}
	s.clean()
	puts := 0
	for _, e := range srv.RequestLog() {
		if e.Method == "PUT" && strings.EqualFold(e.Path, emuACR) {
			puts++
		}
	}
	if puts != 1 {
		t.Fatalf("the registry was PUT %d times; a resumed operation must not be sent again", puts)
	}
}

// diamondConfig is 20 resources: a group, 18 registries in it, and one more
// registry that refers to all 18.
func diamondConfig() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"rg\" {\n  id = %q\n  api_version = \"2021-04-01\"\n  body = { location = \"westus\" }\n}\n", emuRG)
	var refs []string
	for i := 0; i < 18; i++ {
		fmt.Fprintf(&b, "resource \"mid%d\" {\n  id = \"${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/mid%d\"\n  api_version = \"2023-07-01\"\n  body = { location = \"westus\", sku = { name = \"Basic\" } }\n}\n", i, i)
		refs = append(refs, fmt.Sprintf("resource.mid%d.id", i))
	}
	fmt.Fprintf(&b, "resource \"sink\" {\n  id = \"${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/sink\"\n  api_version = \"2023-07-01\"\n  body = { location = \"westus\", sku = { name = \"Basic\" }, tags = { upstream = join(\",\", [%s]) } }\n}\n", strings.Join(refs, ", "))
	return b.String()
}

func TestDiamondAgainstTheEmulator(t *testing.T) {
	srv := emulator.New(emulator.Options{Faults: emulator.Faults{Latency: 20 * time.Millisecond}})
	s := newStack(t, emulatorClient(t, srv))
	s.write(diamondConfig())
	const parallelism = 5
	s.parallelism = parallelism
	res, err := s.apply(context.Background(), Options{})
	if err != nil || res.Added != 20 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	c := srv.Counters()
	if c.Peak > parallelism {
		t.Fatalf("peak concurrency %d exceeds --parallelism %d", c.Peak, parallelism)
	}
	if c.Peak < 2 {
		t.Fatalf("peak concurrency %d: the independent registries were not created in parallel", c.Peak)
	}
	// Order: every registry's PUT came after the group's PUT answered, and
	// the sink's after every other registry's.
	var rgDone, lastMidDone, sinkStart time.Time
	for _, e := range srv.RequestLog() {
		if e.Method != "PUT" {
			continue
		}
		end := e.Time.Add(e.Duration)
		switch {
		case strings.EqualFold(e.Path, emuRG):
			rgDone = end
		case strings.HasSuffix(e.Path, "/sink"):
			sinkStart = e.Time
		default:
			if e.Time.Before(rgDone) {
				t.Errorf("%s was sent before the resource group existed", e.Path)
			}
			if end.After(lastMidDone) {
				lastMidDone = end
			}
		}
	}
	if sinkStart.Before(lastMidDone) {
		t.Fatal("the sink was sent before every registry it refers to was created")
	}
	s.clean()
}

func TestInterruptedApplyConvergesOnRerun(t *testing.T) {
	srv := emulator.New(emulator.Options{Faults: emulator.Faults{Latency: 15 * time.Millisecond}, RetryAfter: time.Millisecond})
	srv.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Polls: 2}})
	s := newStack(t, emulatorClient(t, srv))
	s.write(diamondConfig())
	drain := make(chan struct{})
	time.AfterFunc(150*time.Millisecond, func() { close(drain) })
	s.parallelism = 4
	res, err := s.apply(context.Background(), Options{Drain: drain})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error = %v, want ErrInterrupted (the apply finished before the interrupt: %+v)", err, res)
	}
	if res.Added != len(s.st.Resources) {
		t.Fatalf("%d created but the state records %d", res.Added, len(s.st.Resources))
	}
	if _, err := s.apply(context.Background(), Options{}); err != nil {
		t.Fatal(err)
	}
	s.clean()
	puts := map[string]int{}
	for _, e := range srv.RequestLog() {
		if e.Method == "PUT" {
			puts[strings.ToLower(e.Path)]++
		}
	}
	for id, n := range puts {
		if n != 1 {
			t.Errorf("%s was PUT %d times", id, n)
		}
	}
	if len(puts) != 20 {
		t.Fatalf("%d resources were PUT, want 20", len(puts))
	}
}

func TestReplaceOrder(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	s := newStack(t, emulatorClient(t, srv))
	acr := func(name, sku string) string {
		return fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "acr" {
  id                 = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/%s"
  api_version        = "2023-07-01"
  replace_on_changes = ["sku.name"]
  body               = { location = "westus", sku = { name = %q } }
}
`, emuRG, name, sku)
	}
	s.write(acr("first", "Basic"))
	if _, err := s.apply(context.Background(), Options{}); err != nil {
		t.Fatal(err)
	}
	methods := func() []string {
		var out []string
		for _, e := range srv.RequestLog() {
			if (e.Method == "PUT" || e.Method == "DELETE") && strings.Contains(e.Path, "/registries/") {
				out = append(out, e.Method+" "+e.Path[strings.LastIndex(e.Path, "/")+1:])
			}
		}
		return out
	}

	// A replace_on_changes path changed: same ID, so delete, then create.
	srv.ResetObservations()
	s.write(acr("first", "Premium"))
	if res, err := s.apply(context.Background(), Options{}); err != nil || res.Added != 1 || res.Destroyed != 1 {
		t.Fatalf("replace: %+v, %v", res, err)
	}
	if got := strings.Join(methods(), ", "); got != "DELETE first, PUT first" {
		t.Fatalf("same-ID replace sent %s; want the DELETE first", got)
	}
	s.clean()

	// The ID changed: create the new one, then delete the old one.
	srv.ResetObservations()
	s.write(acr("second", "Premium"))
	if res, err := s.apply(context.Background(), Options{}); err != nil || res.Added != 1 || res.Destroyed != 1 {
		t.Fatalf("replace to a new ID: %+v, %v", res, err)
	}
	if got := strings.Join(methods(), ", "); got != "PUT second, DELETE first" {
		t.Fatalf("new-ID replace sent %s; want the new one created first", got)
	}
	if _, ok := srv.Resource(emuRG + "/providers/Microsoft.ContainerRegistry/registries/first"); ok {
		t.Fatal("the old registry is still there")
	}
	s.clean()
}

func TestActionsRunWhenTheySay(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	s := newStack(t, emulatorClient(t, srv))
	s.write(registryConfig("Standard", "") + `
action "regenerate" {
  id          = "${resource.acr.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password" }
  when        = "create"
}
action "list" {
  id          = "${resource.acr.id}/listCredentials"
  api_version = "2023-07-01"
  when        = "every_apply"
}
`)
	posts := func() map[string]int {
		out := map[string]int{}
		for _, e := range srv.RequestLog() {
			if e.Method == "POST" {
				out[e.Path[strings.LastIndex(e.Path, "/")+1:]]++
			}
		}
		return out
	}
	// Learn is called from the operations, which run in parallel.
	var (
		learntMu sync.Mutex
		learnt   []string
	)
	run := func() Result {
		t.Helper()
		cfg, insts, p := s.plan()
		ev, diags := cfg.EvaluateAll(nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		res, err := Run(context.Background(), Options{Plan: p, Config: cfg, Instances: insts, Client: s.client, State: s.st,
			Actions: ActionsToRun(p, ev.Actions()), Learn: func(v ...string) {
				learntMu.Lock()
				defer learntMu.Unlock()
				learnt = append(learnt, v...)
			}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run(); res.Actions != 2 {
		t.Fatalf("first apply ran %d actions, want 2", res.Actions)
	}
	// The passwords in the actions' answers are told to Learn, for the
	// errors printed later to be cleaned of them.
	if len(learnt) < 2 {
		t.Errorf("Learn was told %d secrets, want the registry's passwords", len(learnt))
	}
	for _, v := range learnt {
		if v == "" || v == "password" || v == "password2" {
			t.Errorf("Learn was told %q, a name, not a secret", v)
		}
	}
	if got := posts(); got["regenerateCredential"] != 1 || got["listCredentials"] != 1 {
		t.Fatalf("POSTs after the first apply: %v", got)
	}
	// Nothing is created the second time: only the every_apply action runs.
	if res := run(); res.Actions != 1 {
		t.Fatalf("second apply ran %d actions, want 1", res.Actions)
	}
	if got := posts(); got["regenerateCredential"] != 1 || got["listCredentials"] != 2 {
		t.Fatalf("POSTs after the second apply: %v", got)
	}
}

// TestBodiesKnownOnlyAfterApply applies bodies that refer to outputs of
// resources created in the same apply, by literal and computed keys and
// through a local: each is evaluated once what it names exists.
func TestBodiesKnownOnlyAfterApply(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	s := newStack(t, emulatorClient(t, srv))
	s.write(fmt.Sprintf(`
locals {
  groups = ["a", "b"]
  first  = resource.nsg["a"].output.properties.resourceGuid
}
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "nsg" {
  for_each    = toset(local.groups)
  id          = "${resource.rg.id}/providers/Microsoft.Network/networkSecurityGroups/${each.key}"
  api_version = "2024-07-01"
  body        = { location = "westus", properties = {} }
}
resource "ip" {
  count       = 3
  id          = "${resource.rg.id}/providers/Microsoft.Network/publicIPAddresses/ip${count.index}"
  api_version = "2024-07-01"
  body = {
    location   = "westus"
    tags       = { nsg = resource.nsg[local.groups[count.index %% 2]].output.properties.resourceGuid, first = local.first }
    properties = { publicIPAllocationMethod = "Static" }
  }
}
`, emuRG))
	_, _, p := s.plan()
	unknown := 0
	for _, c := range p.Changes {
		if strings.Contains(fmt.Sprint(c.Desired), "known after apply") {
			unknown++
		}
	}
	if unknown != 3 {
		t.Fatalf("%d planned bodies have values known only after apply, want the 3 IPs'", unknown)
	}
	res, err := s.apply(context.Background(), Options{})
	if err != nil || res.Added != 6 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	guid := func(addr string) any {
		props, _ := s.st.Get(addr).Output["properties"].(map[string]any)
		return props["resourceGuid"]
	}
	for i, nsg := range []string{`resource.nsg["a"]`, `resource.nsg["b"]`, `resource.nsg["a"]`} {
		addr := fmt.Sprintf("resource.ip[%d]", i)
		tags, _ := s.st.Get(addr).LastApplied["tags"].(map[string]any)
		if g := guid(nsg); g == nil || tags["nsg"] != g || tags["first"] != guid(`resource.nsg["a"]`) {
			t.Errorf("%s was sent tags %v; %s's resourceGuid is %v", addr, tags, nsg, g)
		}
	}
	s.clean()
}

// TestChildrenAreNotDriftOnTheirParent: ARM lists a network's subnets in
// the network's body. The subnets apply creates, changes or deletes must not
// show as drift on the network (changed outside azapply) in the next plan.
func TestChildrenAreNotDriftOnTheirParent(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	s := newStack(t, emulatorClient(t, srv))
	vnet := emuRG + "/providers/Microsoft.Network/virtualNetworks/net"
	config := func(subnets string) string {
		return fmt.Sprintf(`
resource "rg" {
  id          = %q
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "vnet" {
  id          = %q
  api_version = "2024-05-01"
  body        = { location = "westus", properties = { addressSpace = { addressPrefixes = ["10.0.0.0/16"] } } }
}
resource "subnet" {
  for_each    = %s
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2024-05-01"
  body        = { properties = { addressPrefix = each.value } }
}
`, emuRG, vnet, subnets)
	}
	for _, step := range []struct {
		name    string
		subnets string
		want    int // subnets listed in the network's body
	}{
		{"create", `{ a = "10.0.1.0/24", b = "10.0.2.0/24" }`, 2},
		{"add one", `{ a = "10.0.1.0/24", b = "10.0.2.0/24", c = "10.0.3.0/24" }`, 3},
		{"change one", `{ a = "10.0.1.0/24", b = "10.0.2.0/24", c = "10.0.4.0/24" }`, 3},
		{"remove one", `{ a = "10.0.1.0/24", c = "10.0.4.0/24" }`, 2},
	} {
		s.write(config(step.subnets))
		if _, err := s.apply(context.Background(), Options{}); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		props, _ := s.st.Get("resource.vnet").Output["properties"].(map[string]any)
		if got, _ := props["subnets"].([]any); len(got) != step.want {
			t.Errorf("%s: the network's recorded output lists %d subnets, want %d", step.name, len(got), step.want)
		}
		s.clean()
		if _, _, p := s.plan(); p.HasDrift() {
			var b strings.Builder
			_ = plan.RenderText(&b, p, plan.TextOptions{})
			t.Fatalf("%s: the plan after apply reports drift:\n%s", step.name, b.String())
		}
	}
}
