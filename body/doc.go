// Package body is the body engine: everything azapply decides about ARM
// resource bodies as JSON values, as apimachinery's strategicpatch is for
// kubectl. It owns
//
//   - the three-way comparison of a desired body with the live one and the
//     last apply (Compare; DESIGN.md, "The diff"), and what the service
//     keeps differently (KeptDifferently);
//   - drift, the live body against the output recorded after the last
//     apply (Drift, AcceptedOutput);
//   - normalization: how ARM compares values (locations, IDs, coerced
//     scalars, masked secrets, bookkeeping);
//   - the per-resource rules (Rules: ignore_changes, sensitive, array_keys,
//     unordered, replace_on_changes, learned immutable paths) and redaction;
//   - the request of an update: read, merge, write (BuildRequest: the live
//     body with the declared values laid over it, the declared body, or a
//     merge patch) and every effect it has (Effects).
//
// It does no I/O, and knows nothing of HCL, state backends or ARM clients:
// its inputs are decoded JSON bodies (maps, slices, json.Number, Unknown)
// and rule paths, read by package bodypath. Package plan calls it to make a
// plan, and package apply to check what a write answered.
package body
