// Package bodypath owns the syntax of paths into a JSON resource body, as
// users write them in ignore_changes, sensitive, array_keys and the other
// rules, and as plans print them:
//
//	properties.networkAcls.defaultAction   dotted object keys
//	properties.rules[*].name               [*]: every element of an array
//	properties.ipRules[0]                  [N]: the element at position N
//	tags["hidden-link:/x"]                 ["key"]: a key that is not a plain name
//	properties.subnets[name=app].id        [field=value]: the element whose field has the value
//
// It has one parser (Parse), one formatter (Path.String), one matcher
// (Path.Match and Path.MatchPrefix of a concrete path against a pattern),
// and the walks of a JSON body that a path names (Lookup, Replace). A path
// the plan prints is a pattern too: a rule may name an element by a field,
// as the plan names it. It imports nothing of azapply: the configuration, the diff and the state all
// read paths through it, so that a path means one thing everywhere.
package bodypath
