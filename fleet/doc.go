// Package fleet runs many stacks in one process: `azapply fleet plan` and
// `azapply fleet drift` over a list of directories.
//
// It owns what the stacks of one run share and how they are spread:
//   - which stacks (stacks.go): the directories given, patterns such as
//     stacks/* expanded where no shell does it, and each stack's variables
//     files beside it (fleet.vars, fleet.vars.json);
//   - the fan-out (run.go): every stack is planned on its own, as `plan`
//     or `drift` would plan it, by a function the command passes in; a
//     stack that fails is reported and the others go on;
//   - what the stacks share (shared.go, lists.go): one ARM pacer per
//     endpoint and principal (arm.PacerSet), so that together they keep
//     within ARM's buckets, which are per subscription and principal; one
//     bound on the requests in flight for the whole fleet; and one list of
//     each collection that `--refresh collection` reads, however many
//     stacks read it;
//   - sharding (shard.go): `--shard I/N` keeps the stacks whose
//     subscription hashes to shard I, so that a subscription's traffic
//     stays in one process however many machines share the fleet;
//   - the report (report.go): each stack's status (clean, changes,
//     drifted, failed) and plan, and the fleet's exit code. It renders
//     nothing: cmd/azapply/views does.
//
// Planning one stack is not here: it is the command's own plan, reused.
package fleet
