package emulator

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// The emulator also stands in for the two services a client meets before
// ARM: a custom cloud's metadata endpoint (as Azure Stack Hub publishes)
// and a Microsoft Entra token endpoint. Both are unauthenticated, as the
// real ones are, so a client can discover the emulator as a cloud and get
// a token from it with any client secret, certificate assertion or
// password; nothing is checked but the presence of the grant's fields.

// Audience is the token audience the emulator's cloud metadata names.
const Audience = "https://management.azapply-emulator.local/"

// identityRoute answers the metadata and token endpoints, and reports
// whether the path was one of them.
func (s *Server) identityRoute(w http.ResponseWriter, r *http.Request) bool {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(segs) == 2 && segs[0] == "metadata" && segs[1] == "endpoints":
		s.cloudMetadata(w, r)
	case r.Method == http.MethodGet && len(segs) == 4 && segs[1] == "v2.0" && segs[2] == ".well-known" && segs[3] == "openid-configuration":
		s.openIDConfiguration(w, r, segs[0])
	case r.Method == http.MethodGet && len(segs) == 3 && segs[0] == "common" && segs[1] == "discovery" && segs[2] == "instance":
		host := strings.TrimPrefix(strings.TrimPrefix(s.baseURL(r), "https://"), "http://")
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": s.baseURL(r) + "/common/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": host, "preferred_cache": host, "aliases": []any{host}}},
		})
	case r.Method == http.MethodPost && ((len(segs) == 4 && segs[1] == "oauth2" && segs[2] == "v2.0" && segs[3] == "token") ||
		(len(segs) == 3 && segs[1] == "oauth2" && segs[2] == "token")):
		s.issueToken(w, r)
	default:
		return false
	}
	return true
}

func (s *Server) cloudMetadata(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"galleryEndpoint": base + "/",
		"graphEndpoint":   base + "/",
		"portalEndpoint":  base + "/",
		"authentication": map[string]any{
			"loginEndpoint": base + "/",
			"audiences":     []any{Audience},
		},
	})
}

func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	base := s.baseURL(r) + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_types_supported":              []any{"code", "id_token", "token"},
		"subject_types_supported":               []any{"pairwise"},
		"id_token_signing_alg_values_supported": []any{"RS256"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"scopes_supported":                      []any{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   "NA",
	})
}

// issueToken answers a token request. The token is Options.Token when
// set (so a served emulator with --token accepts it), else a fresh
// random one.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "AADSTS900144: the request body must be form-encoded.")
		return
	}
	grant := r.PostForm.Get("grant_type")
	var missing string
	switch grant {
	case "client_credentials":
		if r.PostForm.Get("client_id") == "" {
			missing = "client_id"
		} else if r.PostForm.Get("client_secret") == "" && r.PostForm.Get("client_assertion") == "" {
			missing = "client_secret or client_assertion"
		}
	case "password":
		for _, f := range []string{"client_id", "username", "password"} {
			if r.PostForm.Get(f) == "" {
				missing = f
				break
			}
		}
	default:
		writeOAuthError(w, "unsupported_grant_type", "AADSTS70003: the emulator issues tokens for client_credentials and password grants, not '"+grant+"'.")
		return
	}
	if missing != "" {
		writeOAuthError(w, "invalid_request", "AADSTS900144: the request body must contain the parameter "+missing+".")
		return
	}
	tok := s.opts.Token
	if tok == "" {
		tok = "emulator." + uuid.NewString()
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok,
	})
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": code, "error_description": desc})
}
