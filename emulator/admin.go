package emulator

import "net/http"

// adminPrefix is where the emulator's own control API lives, outside ARM's
// URL space.
const adminPrefix = "/_emulator/"

func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "NotFound", "No such emulator control endpoint: "+r.URL.Path)
}
