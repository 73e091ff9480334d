package main

import (
	"strings"

	"github.com/spf13/pflag"
)

// unknownFlagName takes the flag's name out of pflag's "unknown flag: --name"
// and "unknown shorthand flag: 'x' in -x".
func unknownFlagName(msg string) (string, bool) {
	if rest, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		return rest, true
	}
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: '"); ok {
		// A user who typed -detailed-exitcode meant the long flag.
		if _, after, found := strings.Cut(rest, " in -"); found {
			return after, true
		}
	}
	return "", false
}

// nearestFlag is the name of fs's flag closest to name, or "". A name that
// starts a flag's name (--detailed for --detailed-exitcode) counts as close.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	name, _, _ = strings.Cut(name, "=")
	var names []string
	prefixed := ""
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		names = append(names, f.Name)
		if len(name) >= 3 && strings.HasPrefix(f.Name, name) && prefixed == "" {
			prefixed = f.Name
		}
	})
	if n := nearest(name, names); n != "" {
		return n
	}
	return prefixed
}
