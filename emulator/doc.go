// Package emulator is a local Azure Resource Manager: an http.Handler that
// behaves like ARM closely enough to find azapply's bugs. It owns the
// emulated world (resources by ID), the routing of ARM request paths, the
// server-side behaviours (read-only fields, per-type rules, long-running
// operations, throttling, faults), the request log, and the persistence of
// the world to a file.
//
// It imports nothing else of azapply: it is a stand-in for Azure, and tests
// and the embedded `endpoint = "emulator"` mode talk to it over HTTP only.
//
// # Reaching it
//
//   - In-process: New(Options{}).Transport() is an http.RoundTripper that
//     answers any URL (use https://anything: azcore refuses bearer tokens
//     over http). A dropped connection surfaces as an error wrapping
//     ErrConnectionDropped and io.ErrUnexpectedEOF.
//   - As a handler: the Server is an http.Handler (httptest.NewServer,
//     or LoopbackTLS for a certificate a client can trust).
//   - `azapply emulator serve` serves it over TLS on loopback.
//
// # Defaults
//
// Options{} is the embedded default: every operation synchronous, no
// throttling, no faults, no latency, the built-in per-type rules on, any
// non-empty bearer token accepted. Every realistic behaviour below is
// switched on by a field of Options.
//
// # What every request gets
//
// A bearer token (401 AuthenticationFailed), an api-version (400
// MissingApiVersionParameter), a parseable ID (400 InvalidResourceId);
// case-insensitive IDs that keep the casing of the latest PUT; 404
// ResourceGroupNotFound or ParentResourceNotFound when the scope is
// missing; server-set id, name, type, etag (a new one on every write, also
// in the ETag header), systemData and properties.provisioningState;
// location in short form ("West US" → "westus"), and never changed by a
// later PUT (409 InvalidResourceLocation); at most 50 string tags (400
// InvalidTag); HEAD for existence checks (204 for a group). If-Match and
// If-None-Match: * are checked on PUT, PATCH and DELETE (412
// PreconditionFailed). PATCH is a JSON merge patch (tags replaced whole,
// location immutable). DELETE of a missing resource is 204; DELETE removes
// everything under the ID (a group's resources, children, extension
// resources such as role assignments on it), unless a subnet among them
// is in use (below). POST {id}/{action}: a rule's
// action, else list*Keys returns two stable keys, regenerate*Key(s)
// rotates one, and anything else answers 200. Collection GETs
// (.../resourceGroups, .../resources, .../providers/{ns}/{type} at
// subscription or group scope, {id}/{childType}) answer {"value": [...]}
// with an absolute nextLink every Options.PageSize items. Tenant-level IDs
// (/providers/Microsoft.Management/managementGroups/x) work too.
//
// Options.APIVersions restricts the api-versions a type accepts (400
// NoRegisteredProviderFound, or InvalidApiVersionParameter for resource
// groups). GET /subscriptions/{s}/providers/{namespace} answers the
// namespace's registration: its resourceTypes, each with the api-versions
// Options.APIVersions names or, else, those of registeredVersions (the
// corpus's and the examples' versions and a newer preview).
//
// # Clouds and tokens
//
// GET /metadata/endpoints answers a custom cloud's metadata document (its
// loginEndpoint is the emulator itself, its audience Audience), and
// /{tenant}/oauth2/v2.0/token issues a token (Options.Token when set) for
// any client_credentials or password grant, with the OpenID configuration
// beside it, so azidentity credentials can run against a served emulator
// with DisableInstanceDiscovery. These endpoints are unauthenticated.
//
// # Long-running operations
//
// Options.Operations (or SetOperations at run time) choose, per type and
// method, an Operation: a Pattern (Sync, AsyncOperation, Location,
// AsyncOperationAndLocation, ProvisioningState), how many Polls answer "in
// progress" before the end, an optional MinDuration by Options.Now, and an
// Outcome (Succeeded, Failed with an ARM error, Canceled). While an
// operation runs, the resource shows Creating, Updating or Deleting and
// other writes to it get 409 AnotherOperationInProgress. The
// Azure-AsyncOperation URL returns ARM's status document (id, name,
// status, startTime, endTime, error); the Location URL answers 202, then
// what the synchronous call would have. Options.RetryAfter is sent as
// retry-after-ms and as Retry-After in whole seconds (IntegerRetryAfter
// sends only the latter). RealisticOperations is a set like ARM's.
//
//	srv := emulator.New(emulator.Options{RetryAfter: 10 * time.Millisecond})
//	srv.SetOperations(emulator.OperationRule{
//		Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
//		Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Polls: 2, Outcome: emulator.Failed},
//	})
//
// # Throttling and faults
//
// Options.Throttle (DefaultThrottle: ARM's 250 reads refilling 25/s, 200
// writes and 200 deletes refilling 10/s, per subscription) answers 429
// TooManyRequests with Retry-After when a bucket is empty and sends
// x-ms-ratelimit-remaining-subscription-reads|writes|deletes on every
// response. Options.Faults, drawn from a source seeded with Faults.Seed,
// answer a fraction ErrorRate of requests 500 or 503 with Retry-After
// (before anything happens), drop a fraction DropRate of connections
// mid-response (after the request took effect), and add Latency to every
// request; Faults.Types and Faults.Methods limit them to some requests.
//
// # Read-only values
//
// A PUT or PATCH may carry read-only values, as a GET's output PUT back
// does: id, name, type (compared ignoring case), etag, systemData,
// properties.provisioningState, and every path a type's Compute writes
// with ComputeContext.Set or Stable (loginServer, resourceGuid,
// defaultSecurityRules, creation times, ...). A value equal to the one
// the service holds, or to the one this write stores, is accepted and
// ignored; any other is refused before anything changes with 400
// InvalidParameter "'properties.loginServer' is a read only property and
// cannot be set ...", the code and wording Log Analytics answers with
// (resource providers differ: some ignore such values silently; we take
// the strict side so that tests see a client that sends them). On create,
// a sent read-only value must equal what the service computes. A path the
// service holds no value at is ignored. Inline children (below) are
// checked the same way against the child resource they name, so a GET's
// subnets PUT back with their ids and etags are accepted. Values a
// Compute writes straight into the body's maps (a NIC's IP
// configurations) and values it only fills in when absent (setDefault)
// stay settable.
//
// # Inline children
//
// A TypeRule's Children name arrays of the body that ARM keeps as child
// resources: a virtual network's properties.subnets, a network security
// group's properties.securityRules, a route table's properties.routes
// (and a network's virtualNetworkPeerings). The parent's GET builds the
// array from the children that exist, whichever way they were made; a
// PUT of the parent replaces the set with the array it carries, creating,
// updating and deleting children (an omitted array means none); a PATCH
// replaces it only when it carries the array. One exception, as in Azure
// since Network's api-version 2023-09-01: a PUT of a virtual network at
// that api-version or later that leaves properties.subnets out keeps the
// subnets (an empty array still deletes them); security rules and routes
// have no such exception (TypeRule.KeepOmittedFrom).
//
// A subnet is in use while the stored body of another resource (not one
// being deleted with it) holds an object "subnet": {"id": its ID}
// anywhere, as a network interface's
// properties.ipConfigurations[].properties.subnet does (TypeRule.InUse,
// by the key "subnet"). Deleting a subnet in use, by DELETE of it or of
// anything above it (its network, its resource group, unless the user is
// deleted with it), by a PUT or PATCH of its network that drops it, or
// out of band, is refused before anything changes with 400
// InUseSubnetCannotBeDeleted and Network's message: "Subnet app is in use
// by {the IP configuration's ID} and cannot be deleted. In order to
// delete the subnet, delete all the resources within the subnet. See
// aka.ms/deletesubnet."
//
// # Eventual consistency and time
//
// Options.Consistency (consistency.go) turns on ARM's windows of eventual
// consistency: a GET that answers 404 for a while after a create, a
// deleted resource that GET still shows (Deleting) and that a PUT cannot
// reuse (409 Conflict), and a principal (a user-assigned identity's) that
// role assignments do not find (400 PrincipalNotFound) until it has
// replicated. Options.TimedOperations makes operations end by time, polled
// or not, as ARM's do: a GET of the resource, a list of its collection and
// a write to it each end an operation that has run its time, by one rule
// (hasRunItsTime).
//
// # Per-type rules
//
// A TypeRule says what a resource provider does to a body: Defaults merged
// under it, Compute for read-only values, WriteOnly paths, Properties (the
// members of properties it knows: others, such as a misspelled one, are
// dropped, as the registry rule does), Recase, SortArrays, Children (arrays
// stored as child resources, like subnets), KeepOmittedFrom, InUse,
// RequireLocation, Validate, and Actions; ListOmits and ListError make its
// collection GETs list less than a GET reads, or refuse to list (for tests
// of clients that read by list). Built-in rules cover resource groups, ACR
// registries, virtual networks and subnets, NSGs and their rules, route
// tables and their routes, public IPs, NICs, App Service plans and sites,
// Log Analytics workspaces, Application Insights, role assignments and
// storage accounts, plus the top-level shape of the other types in the ARM
// example corpus. Options.Rules adds or replaces rules; NoBuiltinRules
// turns them off.
//
// # ARM's refusals
//
// Each is off unless its Options field is set (and `azapply emulator
// serve` has a flag for each).
//
//   - Options.Immutable (--immutable TYPE:PATH[:CODE]): a write that
//     changes one of these properties of an existing resource answers 400
//     PropertyChangeNotAllowed ("Changing property 'PATH' is not
//     allowed.", target PATH), or 409 for a code ending in NotPermitted.
//   - Options.Locks (--locks): management locks, PUT as extension
//     resources at any scope ({scope}/providers/Microsoft.Authorization/
//     locks/{name}, properties.level CanNotDelete or ReadOnly), are
//     enforced: a DELETE at, under or above a locked scope (a group holding
//     a locked resource) answers 409 ScopeLocked with ARM's message naming
//     the locked scopes; ReadOnly also refuses PUT, PATCH and POST at or
//     under its scope. GET {scope}/providers/Microsoft.Authorization/locks
//     lists the locks at, above and under the scope, with or without the
//     option.
//   - Options.Unregistered (--unregistered NAMESPACE): those resource
//     provider namespaces start unregistered in every subscription; a PUT
//     of their types answers 409 MissingSubscriptionRegistration ("The
//     subscription is not registered to use namespace 'NS'. See
//     https://aka.ms/rps-not-found ...", the namespace as the detail's
//     target). POST /subscriptions/{s}/providers/{ns}/register starts a
//     registration; GET /subscriptions/{s}/providers/{ns} shows its
//     registrationState: NotRegistered, Registering for
//     Options.RegistrationDelay, then Registered.
//   - Options.SoftDelete (--soft-delete): deleting a Key Vault vault, a
//     Cognitive Services account, an API Management service or an App
//     Configuration store (directly or with its group) keeps it
//     soft-deleted under /subscriptions/{s}/providers/{ns}/locations/{loc}/
//     deletedVaults, resourceGroups/{rg}/deletedAccounts, deletedservices
//     or deletedConfigurationStores /{name}. A create of that name answers
//     the service's 409 (ConflictError, FlagMustBeSetForRestore,
//     ServiceAlreadyExistsInSoftDeletedState, NameUnavailable) unless the
//     body asks to recover (properties.createMode "recover"/"Recover",
//     properties.restore true), which brings the resource back as it was;
//     POST {deleted}/purge (Key Vault, App Configuration) or DELETE
//     {deleted} (the others) purges it. Deleted records are not persisted.
//   - Options.Policy (--policy-deny-type, --policy-allowed-location): a
//     deny policy; a PUT or PATCH it denies answers 403
//     RequestDisallowedByPolicy ("Resource 'NAME' was disallowed by policy.
//     Policy identifiers: ..."), with additionalInfo [{type:
//     PolicyViolation, info: {policyAssignmentId, policyAssignmentName,
//     policyDefinitionId, policyDefinitionName, ...}}].
//
// Deployment validation is always answered, as ARM's own API: POST
// {scope}/providers/Microsoft.Resources/deployments/{name}/validate at a
// subscription or resource group checks each resource of the template as a
// PUT would (scope exists, namespace registered, policy, required
// location, location unchanged, the type's Validate and immutable
// properties; a group or parent the template itself declares counts as
// there; a nested Microsoft.Resources/deployments with an inline template
// and resourceGroup is validated at that group) and stores nothing: 200
// with validatedResources, or 400
// InvalidTemplateDeployment whose details are each resource's error, its
// ID as target.
//
// # Observing and changing the world
//
// RequestLog, Counters (per method, status, method+status, dropped, peak
// concurrency), Requests and ResetObservations report what clients did;
// Options.Logger gets a debug record per request (never headers or bodies).
// Resource and IDs read the world; ChangeOutOfBand and DeleteOutOfBand
// change it as someone using the portal would, for drift tests (also over
// HTTP at /_emulator/out-of-band, and with `azapply emulator change`).
// MarshalWorld, UnmarshalWorld, LoadFile and SaveFile persist it, with the
// soft-deleted resources and the registrations asked for (worldstate.go);
// unfinished operations are not persisted.
package emulator
