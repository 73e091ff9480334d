// Package local is the default state backend: a JSON file (mode 0600)
// written as a temporary file, fsynced and renamed over the old one, the
// directory fsynced, the previous version kept as PATH.backup. A path that
// is a symbolic link is followed: the link stays a link.
//
// The lock is an OS file lock on PATH.lock, which also holds who took it;
// the OS drops it when the process dies, so a local lock is never stale.
// The journal (see package state) is PATH.journal, one fsynced line of JSON
// per save.
package local
