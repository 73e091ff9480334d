package emulator

import (
	"net/http"
	"strings"
)

// writeResource answers with a resource body and its ETag header.
func writeResource(w http.ResponseWriter, status int, body map[string]any) {
	if etag, ok := body["etag"].(string); ok && etag != "" {
		w.Header().Set("ETag", etag)
	}
	writeJSON(w, status, body)
}

// precondition checks If-Match and If-None-Match against the stored
// resource (nil when absent) and answers 412 when they do not hold.
func precondition(w http.ResponseWriter, r *http.Request, res *Resource) bool {
	var etag string
	if res != nil {
		etag, _ = res.Body["etag"].(string)
	}
	if inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm != "" {
		if res != nil && (inm == "*" || etagListHas(inm, etag)) {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource already exists and the request said If-None-Match: "+inm+".")
			return false
		}
	}
	if im := strings.TrimSpace(r.Header.Get("If-Match")); im != "" {
		if res == nil {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource does not exist and the request said If-Match: "+im+".")
			return false
		}
		if im != "*" && !etagListHas(im, etag) {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource's ETag is "+etag+", not the "+im+" the request's If-Match asked for: it changed since it was read.")
			return false
		}
	}
	return true
}

func etagListHas(list, etag string) bool {
	if etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, e := range strings.Split(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(e), "W/") == want {
			return true
		}
	}
	return false
}
