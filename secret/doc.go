// Package secret decides which values of an ARM body are secrets by their
// name and their place: properties.adminPassword, a storage account's
// keys[*].value, an Application Insights component's ConnectionString. It
// is the one owner of that heuristic: config marks declared bodies with it,
// plan hides what it finds in diffs and drift, and state hashes what it
// finds before it records a body, so that no command hides a value another
// prints.
//
// It is a leaf package (it imports nothing of azapply) because every layer
// of the flow cmd → config → plan → apply → state needs it, and state may
// import nothing above it.
//
// A name is matched by its words (adminPassword is "admin password"), not by
// a substring, and in its context: a tag is never a secret by its name
// (tags.key), keyName and keyVaultUri name secrets without holding one, and
// a bare key1 is a secret only where an action's answer puts it (at the top
// of the body, or in an element of a list). Only string values are secrets
// by name: an object named like a secret (a disk's diskEncryptionKey) is
// looked into, not hidden.
package secret
