// Package loopback says whether a host names this machine. It is the one
// place that decides when plain http is allowed: only for an emulator on
// loopback (the ARM endpoint, an OIDC token endpoint, a blob account).
package loopback

import (
	"net"
	"strings"
)

// IsHost reports whether host (a URL's Hostname, without port) names this
// machine: "localhost" in any case, or a loopback IP address such as
// 127.0.0.1 or ::1.
func IsHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
