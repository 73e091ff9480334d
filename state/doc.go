// Package state owns the record of what azapply manages: the state model
// (format version, lineage, serial, and per resource its address, ID,
// api-version, last-applied body and last output) and the backends that
// store it. The local backend writes a JSON file atomically.
package state
