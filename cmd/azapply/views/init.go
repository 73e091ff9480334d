package views

import "fmt"

// Init is the view of azapply init: what it wrote, fetched and recorded,
// on standard output; errors on standard error.
type Init struct{ errorView }

// NewInit returns the view of azapply init.
func NewInit(s Streams) *Init { return &Init{errorView{s}} }

// StarterWritten says a starter configuration was written to file, and
// what to run next (with --chdir dir unless dir is ".").
func (v *Init) StarterWritten(file, dir string) {
	next := ""
	if dir != "." {
		next = " --chdir " + dir
	}
	fmt.Fprintf(v.s.Out, "Wrote a starter configuration to %s, on the embedded emulator (no Azure account needed).\nNext: azapply plan%s, then azapply apply%s.\n", file, next, next)
}

// ModuleFetched says the module source was fetched into dir.
func (v *Init) ModuleFetched(source, dir string) {
	fmt.Fprintf(v.s.Out, "Fetched module %s into %s.\n", source, dir)
}

// Backend says which state backend was checked and recorded.
func (v *Init) Backend(backend string) {
	fmt.Fprintf(v.s.Out, "The state backend is %s.\n", backend)
}

// NothingToMigrate says the new backend's state is already as new as the
// old one's.
func (v *Init) NothingToMigrate(to, from, backend string) {
	fmt.Fprintf(v.s.Out, "The state in %s is already as new as the one in %s: nothing to copy. The backend is now %s.\n", to, from, backend)
}

// Migrated says the state of n resources was copied from one backend to
// the other.
func (v *Init) Migrated(n int, from, to string) {
	fmt.Fprintf(v.s.Out, "Copied the state (%d resources) from %s to %s. The old copy was left as it is: delete it once you have checked the new one.\n", n, from, to)
}
