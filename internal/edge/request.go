package edge

import (
	"net/http"
	"strings"
)

// Request is one HTTP request as it reaches the Front Door edge.
type Request struct {
	Scheme string // "https" or "http"
	Host   string // the Host header (no port for the default ports)
	Method string
	Target string // path and query as sent, e.g. "/_stcore/stream?x=1"
	// Header holds the request headers; a name not in it was not sent.
	Header http.Header
	Body   string
	// SocketIP is the TCP peer Front Door sees, ClientIP the client it
	// derives (X-Forwarded-For when sent), Country its geo lookup.
	SocketIP, ClientIP, Country string
	// Session: the request carries the user's App Service sign-in cookie.
	// Cross-site WebSocket hijacking rides exactly that cookie, so the
	// attack probes send it; it is what makes the edge's Origin check the
	// control, not the sign-in.
	Session bool
	// Seq is this request's number within a burst from one socket in one
	// rate-limit window (1 for a lone request).
	Seq int
}

// Path is Target without its query.
func (r Request) Path() string {
	p, _, _ := strings.Cut(r.Target, "?")
	return p
}

// Query is the raw query string, without '?'.
func (r Request) Query() string {
	_, q, _ := strings.Cut(r.Target, "?")
	return q
}

// IsUpgrade reports whether the request is a WebSocket opening handshake.
func (r Request) IsUpgrade() bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// describe is the request line and the headers that matter, for evidence.
func (r Request) describe() string {
	var b strings.Builder
	b.WriteString(r.Method + " " + r.Scheme + "://" + r.Host + r.Target)
	var hs []string
	for _, n := range []string{"Origin", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions"} {
		if vs, ok := r.Header[http.CanonicalHeaderKey(n)]; ok {
			hs = append(hs, n+": "+strings.Join(vs, ", "))
		}
	}
	if r.IsUpgrade() {
		if _, ok := r.Header["Origin"]; !ok {
			hs = append(hs, "no Origin")
		}
		if _, ok := r.Header["Sec-Websocket-Version"]; !ok {
			hs = append(hs, "no Sec-WebSocket-Version")
		}
	}
	if len(hs) > 0 {
		b.WriteString(" (" + strings.Join(hs, "; ") + ")")
	}
	return b.String()
}
