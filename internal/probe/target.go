package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults for the bounds every run has.
const (
	DefaultTimeout        = 60 * time.Second // the whole run
	DefaultRequestTimeout = 10 * time.Second // one connection, request and answer
	DefaultConcurrency    = 6
	DefaultBurst          = 30               // handshakes in the --active rate-limit burst
	DefaultMessageLimit   = 10 * 1024 * 1024 // assumed limit when no Spec says otherwise
	maxHeaderBytes        = 64 << 10
	maxBodyBytes          = 256 << 10
	maxOrigins            = 5
)

// Options are what one run is told. Prepare checks them all at once.
type Options struct {
	URL string
	// Origins are the browser origins that must be accepted; empty means
	// the URL's own origin.
	Origins []string
	// DirectHost is the app's own host (HOST, HOST:PORT or a URL), which
	// must refuse traffic that did not come through the proxy.
	DirectHost string
	// Resolve entries are HOST:PORT:ADDR as in curl: connect to ADDR but
	// keep HOST for SNI and the Host header.
	Resolve []string
	// ConnectTo entries are HOST:PORT:ADDR:PORT2 as in curl --connect-to.
	ConnectTo []string
	// RootCAs replaces the system roots when set (--ca-file).
	RootCAs *x509.CertPool
	// Insecure skips certificate checks for the other probes; the
	// certificate probe then fails.
	Insecure bool
	// BlockedPaths are extra paths that must not be served (the Spec's
	// blockedPaths); Streamlit's internal paths are always probed.
	BlockedPaths []string
	// Active adds the probes that load the target (burst, oversized frame).
	Active bool
	// MessageLimit is the configured maximum WebSocket message in bytes;
	// the oversized frame is 1 MiB above it.
	MessageLimit int64
	// Burst is the number of handshakes in the rate-limit burst.
	Burst          int
	Timeout        time.Duration
	RequestTimeout time.Duration
	Concurrency    int
	Version        string
	Now            func() time.Time
	// Dialer opens every connection (and so does every name lookup); nil
	// is a net.Dialer. Tests record calls through it.
	Dialer Dialer
}

// Dialer is what opens connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// endpoint is a scheme, host and port the probes may contact.
type endpoint struct {
	scheme string // http or https
	host   string // lower-case host name or IP, no brackets
	port   string
}

func (e endpoint) defaultPort() bool {
	return (e.scheme == "https" && e.port == "443") || (e.scheme == "http" && e.port == "80")
}

// hostHeader is the Host header (and origin authority) for e.
func (e endpoint) hostHeader() string {
	h := e.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if e.defaultPort() {
		return h
	}
	return h + ":" + e.port
}

func (e endpoint) String() string { return e.scheme + "://" + e.hostHeader() }

// Target is a validated run: where to go, how to get there, what to expect.
type Target struct {
	opts    Options
	site    endpoint // the public URL
	plain   endpoint // the same host over http
	base    string   // path prefix without trailing slash ("" or "/app")
	origins []string
	direct  *endpoint
	// routes maps "host:port" to the address actually dialled.
	routes map[string]string
	// hosts are the only host names any connection may go to.
	hosts map[string]bool
	now   func() time.Time
}

// Prepare validates opts and returns every problem at once; its errors are
// usage errors (exit 2).
func Prepare(opts Options) (*Target, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	t := &Target{opts: opts, routes: map[string]string{}, hosts: map[string]bool{}, now: opts.Now}
	if t.now == nil {
		t.now = time.Now
	}
	if t.opts.Timeout <= 0 {
		t.opts.Timeout = DefaultTimeout
	}
	if t.opts.RequestTimeout <= 0 {
		t.opts.RequestTimeout = DefaultRequestTimeout
	}
	if t.opts.Concurrency <= 0 {
		t.opts.Concurrency = DefaultConcurrency
	}
	if t.opts.Burst <= 0 {
		t.opts.Burst = DefaultBurst
	}
	if t.opts.MessageLimit <= 0 {
		t.opts.MessageLimit = DefaultMessageLimit
	}

	site, base, err := parseSite(opts.URL)
	if err != nil {
		bad("URL %q: %v", clip(opts.URL), err)
	} else {
		t.site, t.base = site, base
		t.plain = endpoint{scheme: "http", host: site.host, port: "80"}
		t.hosts[site.host] = true
	}

	for _, o := range opts.Origins {
		if p := originProblem(o); p != "" {
			bad("--origin %q: %s", clip(o), p)
			continue
		}
		t.origins = append(t.origins, strings.TrimSuffix(o, "/"))
	}
	if len(t.origins) > maxOrigins {
		t.origins = t.origins[:maxOrigins]
	}
	if len(opts.Origins) == 0 && err == nil {
		t.origins = []string{site.String()}
	}

	if opts.DirectHost != "" {
		d, derr := parseDirect(opts.DirectHost)
		if derr != nil {
			bad("--direct-host %q: %v", clip(opts.DirectHost), derr)
		} else {
			t.direct = &d
			t.hosts[d.host] = true
		}
	}

	for _, r := range opts.Resolve {
		host, port, addr, rerr := parseResolve(r)
		if rerr != nil {
			bad("--resolve %q: %v", clip(r), rerr)
			continue
		}
		t.routes[net.JoinHostPort(host, port)] = net.JoinHostPort(addr, port)
	}
	for _, r := range opts.ConnectTo {
		from, to, rerr := parseConnectTo(r)
		if rerr != nil {
			bad("--connect-to %q: %v", clip(r), rerr)
			continue
		}
		t.routes[from] = to
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// Site is the public URL's scheme://host[:port].
func (t *Target) Site() string { return t.site.String() }

// Origins are the origins expected to be accepted.
func (t *Target) Origins() []string { return append([]string(nil), t.origins...) }

func parseSite(raw string) (endpoint, string, error) {
	if hasControl(raw) {
		return endpoint{}, "", errors.New("contains control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, "", errors.New("not a URL; want https://host[:port][/base-path]")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return endpoint{}, "", errors.New("scheme must be https (or http for a local test), e.g. https://dash.example.com")
	}
	if u.User != nil {
		return endpoint{}, "", errors.New("credentials in the URL are not allowed")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, "", errors.New("query and fragment are not allowed; give the app's base URL")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return endpoint{}, "", errors.New("no host; want https://host[:port][/base-path]")
	}
	if p := hostProblem(host); p != "" {
		return endpoint{}, "", errors.New(p)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[scheme]
	} else if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
		return endpoint{}, "", errors.New("port must be 1-65535")
	}
	base := strings.TrimRight(u.EscapedPath(), "/")
	return endpoint{scheme: scheme, host: host, port: port}, base, nil
}

func parseDirect(raw string) (endpoint, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	e, base, err := parseSite(raw)
	if err != nil {
		return endpoint{}, err
	}
	if base != "" {
		return endpoint{}, errors.New("give a host (HOST, HOST:PORT or scheme://HOST:PORT), not a path")
	}
	return e, nil
}

func parsePort(p string) error {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q must be 1-65535", clip(p))
	}
	return nil
}

// parseResolve reads HOST:PORT:ADDR; ADDR is an IP address, IPv6 in brackets.
func parseResolve(r string) (host, port, addr string, err error) {
	parts := strings.SplitN(r, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", "", errors.New("want HOST:PORT:ADDR, e.g. dash.example.com:443:203.0.113.7")
	}
	if err := parsePort(parts[1]); err != nil {
		return "", "", "", err
	}
	a := strings.TrimSuffix(strings.TrimPrefix(parts[2], "["), "]")
	if net.ParseIP(a) == nil {
		return "", "", "", fmt.Errorf("ADDR %q must be an IP address", clip(parts[2]))
	}
	if p := hostProblem(strings.ToLower(parts[0])); p != "" {
		return "", "", "", fmt.Errorf("HOST: %s", p)
	}
	return strings.ToLower(parts[0]), parts[1], a, nil
}

// parseConnectTo reads HOST:PORT:ADDR:PORT2 (curl --connect-to).
func parseConnectTo(r string) (from, to string, err error) {
	parts := strings.Split(r, ":")
	if len(parts) < 4 {
		return "", "", errors.New("want HOST:PORT:ADDR:PORT2, e.g. dash.example.com:80:127.0.0.1:8080")
	}
	host, port := parts[0], parts[1]
	port2 := parts[len(parts)-1]
	addr := strings.TrimSuffix(strings.TrimPrefix(strings.Join(parts[2:len(parts)-1], ":"), "["), "]")
	if host == "" {
		return "", "", errors.New("HOST is empty")
	}
	if p := hostProblem(strings.ToLower(host)); p != "" {
		return "", "", fmt.Errorf("HOST: %s", p)
	}
	if err := parsePort(port); err != nil {
		return "", "", err
	}
	if err := parsePort(port2); err != nil {
		return "", "", err
	}
	if net.ParseIP(addr) == nil {
		return "", "", fmt.Errorf("ADDR %q must be an IP address", clip(addr))
	}
	return net.JoinHostPort(strings.ToLower(host), port), net.JoinHostPort(addr, port2), nil
}

// originProblem explains why o cannot be an expected browser origin.
func originProblem(o string) string {
	if hasControl(o) || strings.ContainsAny(o, " \t") {
		return "contains spaces or control characters"
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "must be scheme://host[:port], e.g. https://dash.example.com"
	}
	return ""
}

// hostProblem says why h can be neither an IP address nor a DNS host name
// (RFC 1123 section 2.1, RFC 1035 section 2.3.4: letters, digits and
// hyphens, labels of 1-63 characters that neither start nor end with a
// hyphen, 253 characters in all), so a name that cannot exist is bad input
// and is never looked up. "" means h is fine.
func hostProblem(h string) string {
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	name := strings.TrimSuffix(h, ".")
	if len(name) > 253 {
		return fmt.Sprintf("host name is %d characters long; a DNS name has at most 253", len(name))
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return "host name has an empty label (a leading dot or two dots in a row)"
		case len(l) > 63:
			return fmt.Sprintf("host name label %q is %d characters long; a DNS label has at most 63", clipN(l, 20), len(l))
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Sprintf("host name label %q starts or ends with a hyphen", clipN(l, 63))
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Sprintf("host name label %q has %q; host names have letters, digits and hyphens only (an international name: its xn-- form)", clipN(l, 63), r)
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return "host name ends in a numeric label but is not an IP address"
	}
	return ""
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

// clip keeps hostile or huge flag values out of error messages' way.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	return clipN(s, 200)
}

// clipN cuts s to n bytes on a rune boundary.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// dial connects to an allowed host, through --resolve/--connect-to routes.
// It is the only place probes open connections, so no probe can reach a
// host the user did not name.
func (t *Target) dial(ctx context.Context, e endpoint) (net.Conn, error) {
	if !t.hosts[e.host] {
		return nil, fmt.Errorf("refusing to contact %s: only the URL host and --direct-host are probed", e.host)
	}
	addr := net.JoinHostPort(e.host, e.port)
	if to, ok := t.routes[addr]; ok {
		addr = to
	}
	var d Dialer = &net.Dialer{}
	if t.opts.Dialer != nil {
		d = t.opts.Dialer
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, explain(ctx, "connect "+addr, err)
	}
	return conn, nil
}

// tlsConfig is the configuration of the observing client: every version
// and suite Go has, so a weak server is seen as it is (the version probes
// judge what is accepted), certificates checked unless --insecure.
func (t *Target) tlsConfig(host string) *tls.Config {
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	return &tls.Config{
		ServerName:         host,
		RootCAs:            t.opts.RootCAs,
		InsecureSkipVerify: t.opts.Insecure,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
		NextProtos:         []string{"http/1.1"},
		Time:               t.now,
	}
}

// connect dials e and, for https, completes the TLS handshake with conf
// (nil: the observing client's). The connection's deadline is ctx's.
func (t *Target) connect(ctx context.Context, e endpoint, conf *tls.Config) (net.Conn, error) {
	conn, err := t.dial(ctx, e)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if e.scheme != "https" {
		return conn, nil
	}
	if conf == nil {
		conf = t.tlsConfig(e.host)
	}
	tc := tls.Client(conn, conf)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		if ctx.Err() != nil || isTimeout(err) {
			return nil, &tlsError{err: explain(ctx, "no answer", err)}
		}
		return nil, &tlsError{err: err}
	}
	return tc, nil
}

// tlsError marks a failure in the TLS handshake (as opposed to the dial).
type tlsError struct{ err error }

func (e *tlsError) Error() string { return "tls handshake: " + e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }
