// Package emulator is a local Azure Resource Manager: an http.Handler that
// behaves like ARM closely enough to find azapply's bugs. It owns the
// emulated world (resources by ID), the routing of ARM request paths, the
// server-side behaviours (read-only fields, location normalization, parent
// checks, cascading deletes) and the persistence of the world to a file.
//
// It imports nothing else of azapply: it is a stand-in for Azure, and tests
// and the embedded `endpoint = "emulator"` mode talk to it over HTTP only.
package emulator
