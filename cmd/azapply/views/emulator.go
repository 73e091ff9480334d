package views

import "fmt"

// Emulator is the view of azapply emulator serve and change.
type Emulator struct{ errorView }

// NewEmulator returns the view of azapply emulator.
func NewEmulator(s Streams) *Emulator { return &Emulator{errorView{s}} }

// Serving says where the emulator serves, where its world and CA
// certificate are, and how to point azapply at it; token says which bearer
// tokens it accepts.
func (v *Emulator) Serving(endpoint, world, caFile, token string) {
	fmt.Fprintf(v.s.Out, `azapply emulator: serving ARM on %s
World: %s
CA certificate: %s

Point azapply at it:
  export SSL_CERT_FILE=%s
  provider { endpoint = "%s" }
It accepts %s. AZAPPLY_LOG=debug logs every request. Stop it with Ctrl-C.
`, endpoint, world, caFile, caFile, endpoint, token)
}

// Warning writes a problem the emulator goes on after (a world it could
// not save yet).
func (v *Emulator) Warning(err error) { fmt.Fprintf(v.s.Err, "Warning: %v\n", err) }

// Stopped says the emulator stopped.
func (v *Emulator) Stopped() { fmt.Fprintln(v.s.Out, "azapply emulator: stopped.") }

// Changed says the resource id was changed out of band in where (a world
// file, or a running emulator's URL).
func (v *Emulator) Changed(id, where string) {
	fmt.Fprintf(v.s.Out, "Changed %s out of band %s.\n", id, where)
}
