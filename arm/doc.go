// Package arm is the ARM client: everything between azapply and Azure
// Resource Manager over HTTP. It knows nothing of HCL, plans or state;
// callers hand it resource IDs, api-versions and JSON bodies.
//
// It owns:
//   - clouds and endpoints (cloud.go): public, China, US Government, a
//     custom endpoint, and Azure Stack Hub style metadata discovery;
//   - credentials (credential.go): azidentity, by explicit choice or the
//     default chain; tokens are cached and refreshed by azidentity and never
//     printed or logged;
//   - the azcore pipeline (client.go, pipeline.go, pacer.go): retries of
//     429, 5xx and dropped connections with Retry-After or backoff and
//     jitter, a shared pacer that keeps under ARM's rate-limit headers, POSTs
//     resent only when they cannot have run, and 409 "another operation in
//     progress" resent within the operation's timeout;
//   - pacing shared between clients (pacerset.go): a PacerSet gives the
//     clients of one endpoint and principal one pacer, and bounds their
//     requests in flight together, for a fleet of stacks in one process;
//   - the classification of ARM's errors (classify.go), the one place that
//     says what is retried: Classify sorts an error into Retryable (408,
//     429, 5xx, the conflicts of another operation in progress), Consistency
//     (replication lag, such as PrincipalNotFound, which apply resends
//     within a bounded window) and Permanent (everything else, which fails
//     at once), and Hint gives one line on what to do for the codes people
//     meet most (ScopeLocked, Conflict, RequestDisallowedByPolicy,
//     MissingSubscriptionRegistration, locations, properties that cannot
//     change, quotas);
//   - long-running operations (lro.go): one Wait that follows
//     Azure-AsyncOperation, Location or provisioningState with azcore's
//     pollers, reports progress and hands out resume tokens;
//   - collection GETs (list.go): List reads a collection page by page,
//     following nextLink on the ARM endpoint only;
//   - ARM errors (errors.go), decoded into one typed Error.
//
// Resource IDs are parsed by the subpackage armid, which has no HTTP in it.
package arm
