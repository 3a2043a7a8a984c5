package components

// ResponseHeader is one header the Front Door rule set writes on every
// response (CONTROLS.md WS-HDR-01, WS-TLS-01).
type ResponseHeader struct {
	Name  string
	Value string // "" with Delete
	// Delete removes the header instead of setting it.
	Delete bool
}

// ContentSecurityPolicy is what Streamlit's frontend needs and no more:
// scripts and styles from the app itself (Streamlit injects inline styles
// and its charts evaluate generated code), the WebSocket back to the same
// site over wss only, no framing by other sites.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'unsafe-inline' 'unsafe-eval'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; " +
	"font-src 'self' data:; " +
	"media-src 'self' data: blob:; " +
	"connect-src 'self' wss:; " +
	"worker-src 'self' blob:; " +
	"frame-src 'self'; " +
	"frame-ancestors 'none'; " +
	"base-uri 'self'; " +
	"form-action 'self'; " +
	"object-src 'none'"

// HSTS is two years, subdomains included (the guide's figure).
const HSTS = "max-age=63072000; includeSubDomains"

// SecurityHeaders are the response header actions, in order.
func SecurityHeaders() []ResponseHeader {
	return []ResponseHeader{
		{Name: "Strict-Transport-Security", Value: HSTS},
		{Name: "Content-Security-Policy", Value: ContentSecurityPolicy},
		{Name: "X-Content-Type-Options", Value: "nosniff"},
		{Name: "Referrer-Policy", Value: "strict-origin-when-cross-origin"},
		{Name: "Permissions-Policy", Value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
		{Name: "X-Frame-Options", Value: "DENY"},
		// Tornado announces itself and its version on every response.
		{Name: "Server", Delete: true},
	}
}
