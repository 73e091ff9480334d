package emulator

import (
	"log/slog"
	"strings"
	"time"
)

// Options configure a Server. The zero value is the embedded default: every
// operation synchronous, no throttling, no faults, no latency, and the
// built-in per-type rules on.
type Options struct {
	// Token, when set, is the only bearer token accepted. When empty, any
	// non-empty bearer token is accepted.
	Token string
	// Now returns the current time; time.Now when nil. Throttling buckets,
	// operation timestamps and systemData read it.
	Now func() time.Time

	// Operations choose the long-running-operation pattern per resource
	// type and method; the first matching rule wins, and a request that no
	// rule matches is synchronous. RealisticOperations returns a set that
	// behaves like ARM.
	Operations []OperationRule
	// RetryAfter is the wait the server asks for on an unfinished operation
	// and an injected 5xx (a 429 asks for the time until its bucket has a
	// token again). It is sent as retry-after-ms (milliseconds, so tests
	// can poll fast) and as Retry-After in whole seconds, rounded up. Zero
	// sends no Retry-After on operations, and 1 s on injected 5xx.
	RetryAfter time.Duration
	// IntegerRetryAfter sends only the integer Retry-After header, as real
	// ARM does, never retry-after-ms.
	IntegerRetryAfter bool

	// Throttle, when non-nil, turns on ARM's per-subscription token buckets.
	// DefaultThrottle returns ARM's documented numbers.
	Throttle *Throttle

	// Faults injects seeded failures and latency.
	Faults Faults

	// Consistency models ARM's eventual consistency (a GET that answers
	// 404 just after a create, a deleted resource that GET still shows, a
	// new principal not yet replicated); off when zero.
	Consistency Consistency
	// TimedOperations makes long-running operations end by time, as ARM's
	// do, not only when polled: once an operation has run its MinDuration
	// and the time its polls would take at RetryAfter, a GET of the
	// resource (or any poll) sees it finished.
	TimedOperations bool

	// PageSize is how many items a collection GET returns before a
	// nextLink; 100 when zero.
	PageSize int

	// Rules add or replace per-type behaviour, keyed by resource type
	// (case-insensitive, e.g. "Microsoft.ContainerRegistry/registries").
	// They take precedence over the built-in rules.
	Rules map[string]*TypeRule
	// NoBuiltinRules turns the built-in per-type rules off: the server then
	// stores the body as sent plus the generic read-only fields.
	NoBuiltinRules bool

	// APIVersions, when set for a type (case-insensitive), are the only
	// api-versions it accepts: others get 400 NoRegisteredProviderFound
	// (InvalidApiVersionParameter for resource groups and subscriptions),
	// worded as ARM words them. Types not listed accept any version.
	APIVersions map[string][]string

	// Logger, when set, gets one record per answered request (method,
	// path, status, duration; never headers or bodies) at debug level.
	Logger *slog.Logger

	// Immutable are properties providers refuse to change on an existing
	// resource: a write that changes one answers PropertyChangeNotAllowed
	// (or the property's Code) naming it. None when empty.
	Immutable []ImmutableProperty

	// Locks enforces management locks (Microsoft.Authorization/locks, PUT
	// at any scope): a CanNotDelete lock answers a DELETE at, under or
	// above its scope 409 ScopeLocked; a ReadOnly lock also refuses PUT,
	// PATCH and POST at or under it. Without it, locks are stored and
	// listed but refuse nothing.
	Locks bool

	// Unregistered are resource provider namespaces (Microsoft.Cache) that
	// start unregistered in every subscription: a PUT of their types
	// answers 409 MissingSubscriptionRegistration until POST
	// /subscriptions/{s}/providers/{ns}/register, after which GET
	// /subscriptions/{s}/providers/{ns} shows Registering for
	// RegistrationDelay, then Registered.
	Unregistered      []string
	RegistrationDelay time.Duration

	// SoftDelete keeps Key Vault vaults, Cognitive Services accounts, API
	// Management services and App Configuration stores soft-deleted after
	// their DELETE (softdelete.go): their name stays held until recovered
	// or purged. The deleted records are not persisted with the world.
	SoftDelete bool

	// Policy, when set, is a deny policy: writes it denies answer 403
	// RequestDisallowedByPolicy with additionalInfo of type
	// PolicyViolation, and deployment validation reports them.
	Policy *Policy

	// BaseURL is the scheme and host used in polling URLs and nextLinks
	// (e.g. "https://127.0.0.1:8443"). When empty it is taken from each
	// request.
	BaseURL string
}

// Pattern is how the server answers a write: at once, or as one of ARM's
// long-running-operation shapes.
type Pattern int

const (
	// Sync answers 200/201 (204 or 200 for DELETE, 200 for POST) with the
	// finished result.
	Sync Pattern = iota
	// AsyncOperation answers PUT with 201 (created) or 200 (updated), PATCH
	// with 200, and DELETE and POST with 202, each with an
	// Azure-AsyncOperation header naming an operation-status document; the
	// resource shows Creating, Updating or Deleting until the end.
	AsyncOperation
	// Location answers 202 with a Location header: GET on it answers 202
	// while running, then what the synchronous call would have (200 with the
	// resource or the action result, 204 after a DELETE).
	Location
	// AsyncOperationAndLocation sends both headers (PUT: 201/200 with the
	// body; PATCH, DELETE, POST: 202).
	AsyncOperationAndLocation
	// ProvisioningState answers PUT and PATCH with 201/200 and a
	// non-terminal properties.provisioningState and no header: the client
	// polls the resource itself, and each GET of it counts as a poll. DELETE
	// and POST, which have no body to poll, behave as Location.
	ProvisioningState
)

var patternNames = map[Pattern]string{
	Sync: "sync", AsyncOperation: "async-operation", Location: "location",
	AsyncOperationAndLocation: "both", ProvisioningState: "provisioning-state",
}

func (p Pattern) String() string {
	if n, ok := patternNames[p]; ok {
		return n
	}
	return "pattern(" + itoa(int(p)) + ")"
}

// ParsePattern reads a pattern name as String writes it.
func ParsePattern(s string) (Pattern, bool) {
	for p, n := range patternNames {
		if strings.EqualFold(n, s) {
			return p, true
		}
	}
	return Sync, false
}

// Outcome is how an operation ends.
type Outcome int

const (
	// Succeeded applies the change.
	Succeeded Outcome = iota
	// Failed leaves the resource in provisioningState Failed and reports
	// the operation's Error.
	Failed
	// Canceled leaves the resource in provisioningState Canceled.
	Canceled
)

func (o Outcome) String() string {
	switch o {
	case Failed:
		return "Failed"
	case Canceled:
		return "Canceled"
	}
	return "Succeeded"
}

// Operation describes how one kind of write behaves.
type Operation struct {
	Pattern Pattern
	// Polls is how many polls answer "in progress" before the operation
	// ends: 0 ends it on the first poll.
	Polls int
	// MinDuration, when set, also keeps the operation running until that
	// much time (by Options.Now) has passed since it started.
	MinDuration time.Duration
	// Outcome is how the operation ends.
	Outcome Outcome
	// Error is the ARM error a Failed or Canceled operation reports; a
	// generic one when nil.
	Error *ErrorDetail
	// RunningStatus is the status document's status while the operation
	// runs: "InProgress" when empty (RPs also use "Running", "Accepted").
	RunningStatus string
	// HideUntilDone keeps a resource created by an asynchronous PUT
	// invisible (GET 404) until the operation succeeds, as some RPs do
	// after a 202; a failed or canceled creation leaves nothing. The PUT
	// is answered 202 with the pattern's headers, so pair it with
	// AsyncOperation, Location or both.
	HideUntilDone bool
}

// OperationRule picks an Operation for requests of a resource type and
// method. Empty Type or Method match all; Type compares case-insensitively
// and also matches the resource group type "Microsoft.Resources/resourceGroups".
type OperationRule struct {
	Type   string
	Method string
	Operation
}

// ErrorDetail is ARM's error object.
type ErrorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Target  string        `json:"target,omitempty"`
	Details []ErrorDetail `json:"details,omitempty"`
	// AdditionalInfo is ARM's additionalInfo (a policy violation's
	// assignment and definition).
	AdditionalInfo []AdditionalInfo `json:"additionalInfo,omitempty"`
}

// RealisticOperations returns rules that behave like ARM for the types the
// examples use: asynchronous creates and deletes with a couple of polls.
// Tests and `azapply emulator serve` use them; the embedded mode does not.
func RealisticOperations() []OperationRule {
	return []OperationRule{
		{Type: "Microsoft.Resources/resourceGroups", Method: "DELETE", Operation: Operation{Pattern: Location, Polls: 2}},
		{Type: "Microsoft.Resources/resourceGroups", Method: "PUT", Operation: Operation{Pattern: Sync}},
		{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT", Operation: Operation{Pattern: AsyncOperation, Polls: 2}},
		{Type: "Microsoft.ContainerRegistry/registries", Method: "PATCH", Operation: Operation{Pattern: AsyncOperationAndLocation, Polls: 1}},
		{Type: "Microsoft.ContainerRegistry/registries", Method: "DELETE", Operation: Operation{Pattern: Location, Polls: 1}},
		{Type: "Microsoft.Network/", Method: "PUT", Operation: Operation{Pattern: AsyncOperation, Polls: 1}},
		{Type: "Microsoft.Network/", Method: "DELETE", Operation: Operation{Pattern: AsyncOperationAndLocation, Polls: 1}},
		{Type: "Microsoft.Web/", Method: "PUT", Operation: Operation{Pattern: ProvisioningState, Polls: 1}},
		{Type: "Microsoft.Storage/storageAccounts", Method: "PUT", Operation: Operation{Pattern: Location, Polls: 2}},
		{Type: "Microsoft.OperationalInsights/workspaces", Method: "PUT", Operation: Operation{Pattern: ProvisioningState, Polls: 1}},
		{Type: "", Method: "DELETE", Operation: Operation{Pattern: Location, Polls: 1}},
		{Type: "", Method: "POST", Operation: Operation{Pattern: Sync}},
	}
}

// match reports whether the rule applies to typ and method. A Type ending
// in "/" matches a whole namespace ("Microsoft.Network/").
func (r OperationRule) match(typ, method string) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, method) {
		return false
	}
	switch {
	case r.Type == "":
		return true
	case strings.HasSuffix(r.Type, "/"):
		return len(typ) >= len(r.Type) && strings.EqualFold(typ[:len(r.Type)], r.Type)
	default:
		return strings.EqualFold(r.Type, typ)
	}
}

// Throttle configures ARM's token buckets, per subscription: each request
// takes a token from the bucket for its kind, which refills continuously.
type Throttle struct {
	ReadBurst, WriteBurst, DeleteBurst float64
	// Per-second refill rates.
	ReadRate, WriteRate, DeleteRate float64
}

// DefaultThrottle returns ARM's documented subscription limits: reads 250
// refilling 25/s, writes and deletes 200 refilling 10/s.
func DefaultThrottle() *Throttle {
	return &Throttle{ReadBurst: 250, ReadRate: 25, WriteBurst: 200, WriteRate: 10, DeleteBurst: 200, DeleteRate: 10}
}

// Faults injects failures. Each request draws from a random source seeded
// with Seed, so a run is repeatable.
type Faults struct {
	Seed int64
	// ErrorRate is the fraction of requests answered 500 or 503 with
	// Retry-After, before anything is done.
	ErrorRate float64
	// DropRate is the fraction of requests whose connection is dropped
	// mid-response, after the request took effect (the worst case for a
	// client: the write happened but it never heard so).
	DropRate float64
	// Latency is added before every request is answered.
	Latency time.Duration
	// Types and Methods, when set, limit the faults and the latency to
	// requests on those resource types (matched as OperationRule.Type is,
	// "Microsoft.Network/" for a namespace) and with those methods.
	// Polls of an operation count as GETs on no type.
	Types   []string
	Methods []string
}
