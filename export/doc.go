// Package export writes an azapply configuration for resources that already
// exist in Azure, so that a team adopts what runs today (made in the portal,
// by scripts, by ARM templates) without writing a body by hand. It reads
// through package arm and writes through hclwrite; the command is
// `azapply export`.
//
// # What it reads
//
// Export lists what it was asked for (everything in a resource group, some
// IDs, or the resources of some types in a subscription) and, under each
// resource, the child collections ARM lists ({id}/subnets,
// {id}/securityRules, {id}/databases…): the child types come from the
// provider registration (GET /subscriptions/{s}/providers/{namespace}),
// whose resourceTypes name them. Each resource is then read with a GET at
// the api-version it is written with: the newest stable version that the
// registration lists for its type, a preview only when the type has no
// stable version, or the version Options.APIVersions names.
//
// # What it writes
//
// One .hcl file per resource group (or per type with Options.SplitByType),
// holding for each resource a resource block (its ID, api-version and body)
// and an import block, so that the first plan adopts it; provider.hcl with
// the provider block; variables.hcl with a sensitive variable for every
// value that looks secret. Files are formatted as `azapply fmt` would.
//
// # The body: live, less what the service owns
//
// The body is the live body without:
//
//   - ARM's bookkeeping, one generic rule for every type: id, name and type
//     at the top, and etag, systemData and provisioningState at any depth;
//   - the values the service computes (a registry's loginServer, a storage
//     account's endpoints, an NSG's default rules and the back-references
//     it keeps to the subnets that use it): one table, serviceOwned in
//     computed.go, with one entry per type, and everyType for the values
//     every type's service computes (a managed identity's principalId). Its paths are dotted, `*` for
//     any member or element. The entries were learned from the ARM example
//     corpus (shared/arm-examples: what a response carries that no request
//     sends and the REST specification marks read-only) and from the
//     emulator's per-type rules, which model the same services. Nothing is
//     downloaded at run time. Leaving such a value in would not make the
//     first plan unclean (it equals what is live) but every later request
//     would send it, and some services refuse read-only values.
//     TestCorpusKeptValues measures the table on the corpus: its golden
//     file lists, per type, the values an export still keeps that no
//     request sent (defaults, or read-only values the table lacks);
//   - the inline copies of children exported as resources of their own: an
//     array whose elements are all resources this export writes under the
//     resource (a network's subnets, an NSG's security rules, a route
//     table's routes) is left out, since a child declared inline and as
//     its own resource is refused by plan; the inline sub-resources that
//     stay (a network interface's ipConfigurations) lose their id and type,
//     which ARM builds from their names;
//   - masked values (****, <redacted>) and the values the service never
//     returns (serviceWriteOnly, beside serviceOwned): a comment above the
//     body names each such path, to be set by hand if it is to be managed.
//
// A string value that is a secret by its name and place (secret.Named,
// the rule every command uses), or that holds a secret the run knows,
// becomes a sensitive variable with no default, declared in variables.hcl:
// the value is never written. String elements of arrays are checked too.
//
// # References
//
// A string in a body that is the ID of another exported resource becomes
// `resource.NAME.id`; one that lies under such an ID becomes a template on
// it (`"${resource.vnet.id}/subnets/app"`). A resource's own id is written
// on its parent's (`"${resource.rg.id}/providers/..."`). A reference that
// would close a cycle (an NSG that lists, read-only, the subnets that use
// it) stays a literal. Resource names are the resources' names made valid
// HCL identifiers (other characters become _, a leading digit gets r_); a
// name taken twice gets its type in front, then a number, in the order of
// the sorted IDs, so the same resources always get the same names. A name
// starts with a letter, as config requires.
//
// # Reading
//
// Up to eight requests are in flight at once; each provider registration
// is read once. A child collection that ARM refuses to list (a 4xx other
// than 429) is skipped: not every registered child type can be listed. A
// refusal for want of permission (401, 403) is kept in Result.Unreadable,
// so the command reports the export as incomplete. IDs are known by
// armid.Key, so one resource in two spellings is read once.
// Extension resources (role assignments, locks) are not looked for.
package export
