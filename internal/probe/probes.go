package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
)

// Control ids (CONTROLS.md) the probes answer.
const (
	ctlTLS01   = "WS-TLS-01"
	ctlTLS02   = "WS-TLS-02"
	ctlTLS03   = "WS-TLS-03"
	ctlTLS04   = "WS-TLS-04"
	ctlORG01   = "WS-ORG-01"
	ctlAUTH01  = "WS-AUTH-01"
	ctlCMP01   = "WS-CMP-01"
	ctlPROTO01 = "WS-PROTO-01"
	ctlHDR01   = "WS-HDR-01"
	ctlEXP01   = "WS-EXP-01"
	ctlNET01   = "WS-NET-01"
	ctlRATE01  = "WS-RATE-01"
	ctlSIZE01  = "WS-SIZE-01"
)

// HSTSMinAge is the smallest Strict-Transport-Security max-age accepted (a year).
const HSTSMinAge = 31536000

// ExpiryWarnDays is how close to expiry a certificate may get before the
// expiry probe fails (advisory).
const ExpiryWarnDays = 30

// check is one probe: identity, the controls it answers, and the judgement.
type check struct {
	id        string
	title     string
	controls  []string
	mandatory bool
	// needsSite: the probe talks HTTP to the site, so it cannot run when
	// the first request to the site already failed.
	needsSite bool
	run       func(ctx context.Context, t *Target, env *env) (Status, Evidence)
}

// env is what several probes share: the app's page and the handshake with
// the expected origin, made once before the others run.
type env struct {
	pageReq request
	page    *response
	pageErr error

	anchorReq request
	anchor    *response
	anchorErr error
}

// Describe lists the probes a run would make, for reporters that need the
// rule list up front.
func (t *Target) Describe() []Result {
	var out []Result
	for _, c := range append(t.checks(), t.activeChecks()...) {
		out = append(out, Result{ID: c.id, Title: c.title, Controls: c.controls, Mandatory: c.mandatory})
	}
	return out
}

// Execute runs every probe within the run's time bound and returns the run.
// It never returns early on a failing probe: each one reports for itself.
// The bound is shared out (budget): the probes that need no page start at
// once, the first page gets a share, the active probes keep the last part.
func Execute(ctx context.Context, t *Target) *Run {
	b := budget{start: t.now(), total: t.opts.Timeout}
	run := &Run{Tool: "streamsec", Version: t.opts.Version, Target: t.site.String() + t.base, StartedAt: b.start.UTC()}
	ctx, cancel := b.run(ctx)
	defer cancel()

	checks := t.checks()
	results := make([]Result, len(checks))
	sem := make(chan struct{}, t.opts.Concurrency)
	var wg sync.WaitGroup
	start := func(ctx context.Context, e *env, site bool) {
		for i, c := range checks {
			if c.needsSite != site {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A cancelled run still gives every check its result.
				release, _ := acquire(ctx, sem)
				defer release()
				results[i] = t.runCheck(ctx, c, e)
			}()
		}
	}
	e := &env{}
	earlyCtx, cancelEarly := b.family(ctx, "the TLS and direct-origin probes'", earlyShare)
	defer cancelEarly()
	start(earlyCtx, e, false)

	// The page and the anchor handshake, which the site probes share.
	func() {
		pctx, c := b.family(ctx, "the first page request's", earlyShare)
		defer c()
		e.pageReq = get(t.base + "/")
		rctx, c2 := t.reqCtx(pctx)
		e.page, _, e.pageErr = t.exchange(rctx, t.site, e.pageReq, false)
		c2()
		if e.pageErr == nil {
			e.anchorReq = t.handshake()
			rctx, c3 := t.reqCtx(pctx)
			e.anchor, _, e.anchorErr = t.exchange(rctx, t.site, e.anchorReq, false)
			c3()
		}
	}()
	siteCtx, cancelSite := ctx, context.CancelFunc(func() {})
	if t.opts.Active {
		siteCtx, cancelSite = b.family(ctx, "the site probes'", siteShare)
	}
	defer cancelSite()
	start(siteCtx, e, true)
	wg.Wait()
	// The active probes load the target (a rate limiter may then refuse
	// everyone for a while), so they run last, one at a time, the burst last.
	for _, c := range t.activeChecks() {
		results = append(results, t.runCheck(ctx, c, e))
	}
	run.Probes = results
	run.FinishedAt = t.now().UTC()
	return run
}

// reqCtx bounds one connection, request and answer.
func (t *Target) reqCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, t.opts.RequestTimeout, bound(fmt.Sprintf("the per-request time bound (%s)", t.opts.RequestTimeout)))
}

func (t *Target) streamPath() string { return t.base + "/_stcore/stream" }

// handshake is a WebSocket opening handshake to the stream path with the
// expected origin (a fresh key each call).
func (t *Target) handshake() request {
	return request{method: "GET", path: t.streamPath(), headers: wsHeaders(t.origins[0], "13")}
}

// acquire takes a slot of sem, or gives up (ok false) when ctx ends first.
// release frees the slot taken, and does nothing when none was.
func acquire(ctx context.Context, sem chan struct{}) (release func(), ok bool) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, true
	case <-ctx.Done():
		return func() {}, false
	}
}

// send sends req to e once, within the request timeout, and starts its
// evidence (the request, and the status when there is an answer). When the
// exchange fails, done is true and s is the verdict: Pass with
// refusedDetail when e refuses the connection and refusedDetail is given
// (refusing is the secure answer there), Unknown otherwise.
func (t *Target) send(ctx context.Context, e endpoint, req request, refusedDetail string) (resp *response, ev Evidence, s Status, done bool) {
	ev = Evidence{Request: req.describe(e)}
	rctx, cancel := t.reqCtx(ctx)
	defer cancel()
	resp, _, err := t.exchange(rctx, e, req, false)
	if err != nil {
		if refusedDetail != "" && refused(err) {
			ev.Detail = refusedDetail
			return nil, ev, Pass, true
		}
		if refusedDetail != "" && errors.Is(err, errClosedBeforeAnswer) {
			ev.Status = "closed"
			ev.Detail = "the connection was closed before any answer: nothing is served there"
			return nil, ev, Pass, true
		}
		ev.Detail = "could not tell: " + clip(err.Error())
		return nil, ev, Unknown, true
	}
	ev.Status = strconv.Itoa(resp.status)
	return resp, ev, "", false
}

func (t *Target) runCheck(ctx context.Context, c check, e *env) (res Result) {
	res = Result{ID: c.id, Title: c.title, Controls: c.controls, Mandatory: c.mandatory, Status: Unknown}
	defer func() {
		// A probe must never take the run down, whatever the server sent.
		if r := recover(); r != nil {
			res.Status = Unknown
			res.Evidence = Evidence{Detail: fmt.Sprintf("internal error in the probe: %v", r)}
		}
	}()
	if ctx.Err() != nil {
		res.Evidence.Detail = "not run: " + causeOf(ctx).Error() + " was used up"
		return res
	}
	if c.needsSite && e.pageErr != nil {
		res.Evidence = Evidence{Detail: "not run: the target did not answer " + e.pageReq.method + " " + t.site.String() + e.pageReq.path + ": " + clip(e.pageErr.Error()) + certHint(e.pageErr)}
		return res
	}
	res.Status, res.Evidence = c.run(ctx, t, e)
	return res
}

func certHint(err error) string {
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	if errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) {
		return " (a private CA: --ca-file; an explicit --insecure skips the check and fails the certificate probe)"
	}
	return ""
}

// checks is the default suite, in report order.
func (t *Target) checks() []check {
	cs := []check{
		tlsVersionCheck("tls-1.0-refused", "TLS 1.0 is refused", tls.VersionTLS10, false, true),
		tlsVersionCheck("tls-1.1-refused", "TLS 1.1 is refused", tls.VersionTLS11, false, true),
		tlsVersionCheck("tls-1.2-accepted", "TLS 1.2 is accepted", tls.VersionTLS12, true, true),
		tlsVersionCheck("tls-1.3-accepted", "TLS 1.3 is accepted", tls.VersionTLS13, true, false),
		{id: "tls-certificate-valid", title: "Certificate chain is valid for the host", controls: []string{ctlTLS03}, mandatory: true, run: certValid},
		{id: "tls-certificate-expiry", title: fmt.Sprintf("Certificate is valid for %d more days", ExpiryWarnDays), controls: []string{ctlTLS03}, mandatory: false, run: certExpiry},
		{id: "http-redirects-to-https", title: "Plain http answers with a permanent redirect to https", controls: []string{ctlTLS01}, mandatory: true, needsSite: true, run: httpRedirect},
		{id: "ws-plain-not-upgraded", title: "ws:// (plain http) is never upgraded", controls: []string{ctlTLS01}, mandatory: true, needsSite: true, run: wsPlain},
		{id: "hsts", title: fmt.Sprintf("Strict-Transport-Security with max-age >= %d", HSTSMinAge), controls: []string{ctlTLS04}, mandatory: true, needsSite: true, run: hsts},
		{id: "origin-allowed-accepted", title: "The allowed origin gets 101 at /_stcore/stream", controls: []string{ctlORG01}, mandatory: true, needsSite: true, run: originAllowed},
	}
	for _, v := range t.originVariants() {
		v := v
		controls := []string{ctlORG01}
		if v.origin == "-" {
			controls = append(controls, ctlAUTH01)
		}
		cs = append(cs, check{id: v.id, title: v.title, controls: controls, mandatory: true, needsSite: true,
			run: func(ctx context.Context, t *Target, e *env) (Status, Evidence) {
				return originRefused(ctx, t, e, v.origin)
			}})
	}
	cs = append(cs,
		check{id: "compression-not-negotiated", title: "permessage-deflate offered but not negotiated", controls: []string{ctlCMP01}, mandatory: true, needsSite: true, run: compression},
		check{id: "legacy-version-refused", title: "Legacy Sec-WebSocket-Version (8, none) refused", controls: []string{ctlPROTO01}, mandatory: true, needsSite: true, run: legacyVersion},
		check{id: "security-headers", title: "CSP with frame-ancestors, nosniff, Referrer-Policy, Permissions-Policy", controls: []string{ctlHDR01}, mandatory: true, needsSite: true, run: securityHeaders},
		check{id: "server-header-hidden", title: "No Server header naming the app server (TornadoServer, uvicorn, ...) or a version", controls: []string{ctlHDR01}, mandatory: true, needsSite: true, run: serverHeader},
	)
	for _, p := range t.internalPaths() {
		p := p
		cs = append(cs, check{id: "path-refused:" + p, title: "Internal path " + p + " is not served", controls: []string{ctlEXP01}, mandatory: true, needsSite: true,
			run: func(ctx context.Context, t *Target, e *env) (Status, Evidence) { return pathRefused(ctx, t, e, p) }})
	}
	direct := check{id: "direct-origin-refused", title: "The app refuses traffic that bypasses the proxy", controls: []string{ctlNET01}, run: directOrigin}
	// Without --direct-host the probe cannot be made; it is reported
	// (unknown, advisory) so the gap shows, without failing the run.
	direct.mandatory = t.direct != nil
	cs = append(cs, direct)
	return cs
}

func (t *Target) activeChecks() []check {
	if !t.opts.Active {
		return nil
	}
	return []check{
		{id: "oversized-frame-closed", title: "An oversized frame closes the socket with 1009", controls: []string{ctlSIZE01}, mandatory: true, needsSite: true, run: oversizedFrame},
		{id: "rate-limit-burst", title: fmt.Sprintf("A burst of %d handshakes is rate limited (429/403)", t.opts.Burst), controls: []string{ctlRATE01}, mandatory: true, needsSite: true, run: rateBurst},
	}
}

// internalPaths are Streamlit's always-internal paths plus the extra ones
// the caller named; paths with wildcards cannot be requested and are left out.
// Each exists only on some releases (/st-metrics up to 1.56, the agent API's
// document from 1.67: streamlit/web/server/starlette/starlette_agent_routes.py
// serves it even with server.enableAgentApi off), so the answer's content
// decides, never the status alone.
func (t *Target) internalPaths() []string {
	out := []string{"/_stcore/metrics", "/st-metrics", "/_stcore/agent/openapi.json"}
	for _, p := range t.opts.BlockedPaths {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "*?# \t") || hasControl(p) {
			continue
		}
		dup := false
		for _, q := range out {
			dup = dup || q == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// ---- TLS ----

func allSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

func noTLS(t *Target) (Status, Evidence, bool) {
	if t.site.scheme != "https" {
		return Fail, Evidence{Detail: "the URL is plain http: there is no TLS to judge, and the app is served without it"}, true
	}
	return "", Evidence{}, false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout())
}

func tlsVersionCheck(id, title string, version uint16, wantAccepted, mandatory bool) check {
	return check{id: id, title: title, controls: []string{ctlTLS02}, mandatory: mandatory, run: func(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
		if s, ev, done := noTLS(t); done {
			return s, ev
		}
		name := tls.VersionName(version)
		ev := Evidence{Request: fmt.Sprintf("TLS handshake with %s offering only %s", t.site.hostHeader(), name)}
		// Only the protocol version is judged here; the certificate has
		// its own probe, so it is not checked on this connection.
		conf := &tls.Config{ServerName: t.site.host, InsecureSkipVerify: true, MinVersion: version, MaxVersion: version, CipherSuites: allSuites()}
		rctx, cancel := t.reqCtx(ctx)
		defer cancel()
		conn, err := t.connect(rctx, t.site, conf)
		var te *tlsError
		switch {
		case err == nil:
			st := conn.(*tls.Conn).ConnectionState()
			conn.Close()
			ev.Status = "accepted (" + tls.VersionName(st.Version) + ", " + tls.CipherSuiteName(st.CipherSuite) + ")"
			if wantAccepted {
				ev.Detail = name + " handshake completed"
				return Pass, ev
			}
			ev.Detail = "the server completed a " + name + " handshake; only TLS 1.2 and 1.3 may be accepted"
			return Fail, ev
		case errors.As(err, &te) && handshakeRefused(err):
			ev.Status = "refused"
			ev.Detail = "refused: " + clip(err.Error())
			if wantAccepted {
				ev.Detail = "the server refused " + name + ": " + ev.Detail
				return Fail, ev
			}
			return Pass, ev
		default:
			ev.Detail = "could not tell: " + clip(err.Error())
			return Unknown, ev
		}
	}}
}

// handshakeRefused says whether a failed handshake is the server refusing
// (a TLS alert, or closing the connection), as opposed to a timeout or a
// server that does not speak TLS at all.
func handshakeRefused(err error) bool {
	var alert tls.AlertError
	var rec tls.RecordHeaderError
	switch {
	case isTimeout(err), errors.As(err, &rec):
		return false
	case errors.As(err, &alert), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return true
	}
	return strings.Contains(err.Error(), "remote error: tls:")
}

// peerChain fetches the certificates the server presents (TLS 1.2+ first,
// else any version), without judging them.
func (t *Target) peerChain(ctx context.Context) (tls.ConnectionState, error) {
	conf := t.tlsConfig(t.site.host)
	conf.InsecureSkipVerify = true
	rctx, cancel := t.reqCtx(ctx)
	defer cancel()
	conn, err := t.connect(rctx, t.site, conf)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState(), nil
}

func describeCert(c *x509.Certificate) string {
	return fmt.Sprintf("subject %q, issuer %q, names %s, valid %s to %s",
		clip(c.Subject.String()), clip(c.Issuer.String()), clip(strings.Join(c.DNSNames, " ")),
		c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
}

func certValid(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	if s, ev, done := noTLS(t); done {
		return s, ev
	}
	ev := Evidence{Request: "TLS handshake with " + t.site.hostHeader() + ", certificate chain checked for " + t.site.host}
	st, err := t.peerChain(ctx)
	if err != nil {
		ev.Detail = "could not tell: " + clip(err.Error())
		return Unknown, ev
	}
	if len(st.PeerCertificates) == 0 {
		ev.Detail = "the server presented no certificate"
		return Fail, ev
	}
	leaf := st.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	roots := "the system roots"
	if t.opts.RootCAs != nil {
		roots = "--ca-file"
	}
	ev.Status = tls.VersionName(st.Version)
	ev.Headers = describeCert(leaf)
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: t.site.host, Roots: t.opts.RootCAs, Intermediates: inter, CurrentTime: t.now()})
	switch {
	case verr != nil:
		ev.Detail = "not valid against " + roots + ": " + clip(verr.Error())
		if t.opts.Insecure {
			ev.Detail += "; --insecure was given"
		}
		return Fail, ev
	case t.opts.Insecure:
		ev.Detail = "chain verifies against " + roots + ", but --insecure was given, so the run did not require it: certificate checking cannot be claimed"
		return Fail, ev
	default:
		ev.Detail = "chain verifies against " + roots + " for " + t.site.host
		return Pass, ev
	}
}

func certExpiry(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	if s, ev, done := noTLS(t); done {
		return s, ev
	}
	ev := Evidence{Request: "TLS handshake with " + t.site.hostHeader()}
	st, err := t.peerChain(ctx)
	if err != nil || len(st.PeerCertificates) == 0 {
		ev.Detail = "could not tell: no certificate seen"
		if err != nil {
			ev.Detail = "could not tell: " + clip(err.Error())
		}
		return Unknown, ev
	}
	leaf := st.PeerCertificates[0]
	left := leaf.NotAfter.Sub(t.now())
	days := int(left.Hours() / 24)
	ev.Status = fmt.Sprintf("%d days left", days)
	ev.Headers = describeCert(leaf)
	if left < ExpiryWarnDays*24*time.Hour {
		ev.Detail = fmt.Sprintf("expires %s, in under %d days: rotate it", leaf.NotAfter.UTC().Format(time.RFC3339), ExpiryWarnDays)
		if left <= 0 {
			ev.Detail = "expired " + leaf.NotAfter.UTC().Format(time.RFC3339)
		}
		return Fail, ev
	}
	ev.Detail = "expires " + leaf.NotAfter.UTC().Format(time.RFC3339)
	return Pass, ev
}

// ---- transport ----

func httpRedirect(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	if t.site.scheme != "https" {
		return Fail, Evidence{Detail: "the URL is plain http"}
	}
	resp, ev, s, done := t.send(ctx, t.plain, get(t.base+"/"),
		"port "+t.plain.port+" refuses connections: plain http is not served at all (no redirect to learn HSTS from, but nothing in clear text)")
	if done {
		return s, ev
	}
	ev.Headers = headers(resp, "Location", "Server")
	loc := resp.header.Get("Location")
	switch {
	case resp.status == http.StatusMovedPermanently || resp.status == http.StatusPermanentRedirect:
		if !sameHostHTTPS(loc, t.site) {
			ev.Detail = "redirects, but not to https on " + t.site.hostHeader() + ": " + clip(loc)
			return Fail, ev
		}
		ev.Detail = "permanent redirect to " + clip(loc) + " (not followed)"
		return Pass, ev
	case resp.status >= 300 && resp.status < 400:
		ev.Detail = fmt.Sprintf("redirect %d is temporary; the guide asks for 301 or 308 so clients remember https", resp.status)
		return Fail, ev
	default:
		ev.Detail = fmt.Sprintf("plain http is served (%d) instead of redirected to https", resp.status)
		return Fail, ev
	}
}

func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !isTimeout(err)
}

func sameHostHTTPS(loc string, site endpoint) bool {
	u, err := url.Parse(loc)
	if err != nil || !strings.EqualFold(u.Scheme, "https") {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return strings.EqualFold(u.Hostname(), site.host) && port == site.port
}

func wsPlain(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	if t.site.scheme != "https" {
		return Fail, Evidence{Detail: "the URL is plain http: the socket itself is ws://"}
	}
	resp, ev, s, done := t.send(ctx, t.plain, t.handshake(), "port "+t.plain.port+" refuses connections: ws:// cannot be opened")
	if done {
		return s, ev
	}
	ev.Headers = headers(resp, "Upgrade", "Connection", "Location")
	if resp.status == http.StatusSwitchingProtocols {
		ev.Detail = "a WebSocket was opened over plain http (ws://): traffic and cookies travel in clear text"
		return Fail, ev
	}
	ev.Detail = fmt.Sprintf("not upgraded (%d)", resp.status)
	return Pass, ev
}

func hsts(_ context.Context, t *Target, e *env) (Status, Evidence) {
	ev := Evidence{Request: e.pageReq.describe(t.site), Status: strconv.Itoa(e.page.status), Headers: headers(e.page, "Strict-Transport-Security")}
	v := e.page.header.Get("Strict-Transport-Security")
	if v == "" {
		ev.Detail = "no Strict-Transport-Security header"
		return Fail, ev
	}
	age := -1
	for _, d := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		if strings.EqualFold(strings.TrimSpace(k), "max-age") {
			if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`)); err == nil {
				age = n
			}
		}
	}
	if age < HSTSMinAge {
		ev.Detail = fmt.Sprintf("max-age %d is below %d (a year)", age, HSTSMinAge)
		if age < 0 {
			ev.Detail = "no valid max-age directive"
		}
		return Fail, ev
	}
	ev.Detail = fmt.Sprintf("max-age %d", age)
	return Pass, ev
}

// ---- handshake ----

type originVariant struct {
	id, title, origin string
}

// originVariants are the origins a hostname-only or sloppy allowlist lets
// through, built from the first expected origin.
func (t *Target) originVariants() []originVariant {
	u, err := url.Parse(t.origins[0])
	if err != nil {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	hostPort := u.Host
	otherScheme := "http"
	if u.Scheme == "http" {
		otherScheme = "https"
	}
	otherPort := "8443"
	if u.Port() == otherPort {
		otherPort = "9443"
	}
	bracket := host
	if strings.Contains(host, ":") {
		bracket = "[" + host + "]"
	}
	withPort := func(h string) string {
		if u.Port() != "" {
			return h + ":" + u.Port()
		}
		return h
	}
	return []originVariant{
		{"origin-foreign-refused", "A foreign origin (https://evil.example) is refused", "https://evil.example"},
		{"origin-null-refused", "Origin: null is refused", "null"},
		{"origin-file-refused", "Origin: file:// is refused", "file://"},
		{"origin-other-scheme-refused", "The same host over " + otherScheme + " is refused", otherScheme + "://" + hostPort},
		{"origin-other-port-refused", "The same host on another port is refused", u.Scheme + "://" + bracket + ":" + otherPort},
		{"origin-suffix-refused", "A suffixed host (" + host + ".evil.net) is refused", u.Scheme + "://" + withPort(host+".evil.net")},
		{"origin-prefix-refused", "A prefixed host (evil" + host + ") is refused", u.Scheme + "://" + withPort("evil"+host)},
		{"origin-missing-refused", "A handshake without Origin is refused", "-"},
	}
}

func originAllowed(ctx context.Context, t *Target, e *env) (Status, Evidence) {
	ev := Evidence{Request: e.anchorReq.describe(t.site)}
	if e.anchorErr != nil {
		ev.Detail = "could not tell: " + clip(e.anchorErr.Error())
		return Unknown, ev
	}
	ev.Status = strconv.Itoa(e.anchor.status)
	ev.Headers = headers(e.anchor, "Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "Server")
	if e.anchor.status != http.StatusSwitchingProtocols {
		ev.Detail = fmt.Sprintf("the expected origin %s was not upgraded (%d): real users cannot connect, or the path or origin list is wrong", t.origins[0], e.anchor.status)
		return Fail, ev
	}
	var more []string
	for _, o := range t.origins[1:] {
		req := request{method: "GET", path: t.streamPath(), headers: wsHeaders(o, "13")}
		rctx, cancel := t.reqCtx(ctx)
		resp, _, err := t.exchange(rctx, t.site, req, false)
		cancel()
		switch {
		case err != nil:
			ev.Detail = "could not tell for " + o + ": " + clip(err.Error())
			return Unknown, ev
		case resp.status != http.StatusSwitchingProtocols:
			ev.Detail = fmt.Sprintf("origin %s was not upgraded (%d)", o, resp.status)
			return Fail, ev
		}
		more = append(more, o)
	}
	ev.Detail = "upgraded (101) for " + strings.Join(append([]string{t.origins[0]}, more...), ", ")
	return Pass, ev
}

// anchorOK says whether refusals can be judged: a refusal means something
// only when the expected origin does get through.
func anchorOK(e *env) (bool, string) {
	switch {
	case e.anchorErr != nil:
		return false, "could not tell: the handshake with the expected origin failed too: " + clip(e.anchorErr.Error())
	case e.anchor.status != http.StatusSwitchingProtocols:
		return false, fmt.Sprintf("could not tell: the expected origin is not upgraded either (%d), so a refusal proves nothing", e.anchor.status)
	}
	return true, ""
}

// handshakeRefusal sends a handshake that must not be upgraded. A server
// that closes the connection without answering refused it too (done false,
// resp nil); any other failure is the verdict s (unknown).
func (t *Target) handshakeRefusal(ctx context.Context, req request) (resp *response, ev Evidence, s Status, done bool) {
	ev = Evidence{Request: req.describe(t.site)}
	rctx, cancel := t.reqCtx(ctx)
	defer cancel()
	resp, _, err := t.exchange(rctx, t.site, req, false)
	switch {
	case errors.Is(err, errClosedBeforeAnswer):
		ev.Status = "closed"
		return nil, ev, "", false
	case err != nil:
		ev.Detail = "could not tell: " + clip(err.Error())
		return nil, ev, Unknown, true
	}
	ev.Status = strconv.Itoa(resp.status)
	return resp, ev, "", false
}

func originRefused(ctx context.Context, t *Target, e *env, origin string) (Status, Evidence) {
	resp, ev, s, done := t.handshakeRefusal(ctx, request{method: "GET", path: t.streamPath(), headers: wsHeaders(origin, "13")})
	if done {
		return s, ev
	}
	ev.Headers = headers(resp, "Upgrade", "Sec-WebSocket-Accept", "Server")
	who := "Origin " + origin
	if origin == "-" {
		who = "no Origin header"
	}
	if resp != nil && resp.status == http.StatusSwitchingProtocols {
		ev.Detail = "upgraded (101) with " + who + ": a page elsewhere can open the user's socket (cross-site WebSocket hijacking)"
		return Fail, ev
	}
	if ok, why := anchorOK(e); !ok {
		ev.Detail = why
		return Unknown, ev
	}
	if resp == nil {
		ev.Detail = "refused with " + who + ": the connection was closed before any answer (no upgrade)"
		return Pass, ev
	}
	ev.Detail = fmt.Sprintf("refused (%d) with %s", resp.status, who)
	return Pass, ev
}

func compression(ctx context.Context, t *Target, e *env) (Status, Evidence) {
	req := request{method: "GET", path: t.streamPath(), headers: wsHeaders(t.origins[0], "13", [2]string{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"})}
	resp, ev, s, done := t.send(ctx, t.site, req, "")
	if done {
		return s, ev
	}
	ev.Headers = headers(resp, "Sec-WebSocket-Extensions", "Upgrade")
	if resp.status != http.StatusSwitchingProtocols {
		ev.Detail = fmt.Sprintf("could not tell: the handshake was not upgraded (%d)", resp.status)
		return Unknown, ev
	}
	if strings.Contains(strings.ToLower(strings.Join(resp.header.Values("Sec-WebSocket-Extensions"), ",")), "permessage-deflate") {
		ev.Detail = "permessage-deflate was negotiated: compressed frames mixing secrets and attacker data leak through their length (CRIME/BREACH)"
		return Fail, ev
	}
	ev.Detail = "upgraded without extensions"
	return Pass, ev
}

func legacyVersion(ctx context.Context, t *Target, e *env) (Status, Evidence) {
	var reqs, statuses, notes []string
	status := Pass
	for _, v := range []string{"8", ""} {
		req := request{method: "GET", path: t.streamPath(), headers: wsHeaders(t.origins[0], v)}
		reqs = append(reqs, req.describe(t.site))
		resp, ev, _, done := t.handshakeRefusal(ctx, req)
		name := "Sec-WebSocket-Version: " + v
		if v == "" {
			name = "no Sec-WebSocket-Version"
		}
		switch {
		case done:
			statuses = append(statuses, "error")
			notes = append(notes, name+": "+ev.Detail)
			if status == Pass {
				status = Unknown
			}
		case resp == nil:
			statuses = append(statuses, "closed")
			notes = append(notes, name+": refused: the connection was closed before any answer (no upgrade)")
		case resp.status == http.StatusSwitchingProtocols:
			statuses = append(statuses, "101")
			notes = append(notes, name+": upgraded (101); only RFC 6455 (version 13) may be accepted")
			status = Fail
		default:
			statuses = append(statuses, strconv.Itoa(resp.status))
			n := fmt.Sprintf("%s: refused (%d)", name, resp.status)
			if resp.status != http.StatusUpgradeRequired {
				n += "; 426 with Sec-WebSocket-Version: 13 would be the RFC 6455 answer"
			}
			notes = append(notes, n)
		}
	}
	if status == Pass {
		if ok, why := anchorOK(e); !ok {
			return Unknown, Evidence{Request: strings.Join(reqs, "\n\n"), Status: strings.Join(statuses, ", "), Detail: why}
		}
	}
	return status, Evidence{Request: strings.Join(reqs, "\n\n"), Status: strings.Join(statuses, ", "), Detail: strings.Join(notes, "; ")}
}

// ---- page headers ----

func securityHeaders(_ context.Context, t *Target, e *env) (Status, Evidence) {
	h := e.page.header
	ev := Evidence{Request: e.pageReq.describe(t.site), Status: strconv.Itoa(e.page.status),
		Headers: headers(e.page, "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy")}
	var missing []string
	csp := strings.ToLower(strings.Join(h.Values("Content-Security-Policy"), ";"))
	if csp == "" {
		missing = append(missing, "Content-Security-Policy")
	} else if !strings.Contains(csp, "frame-ancestors") {
		missing = append(missing, "frame-ancestors in Content-Security-Policy")
	}
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		missing = append(missing, "X-Content-Type-Options: nosniff")
	}
	if h.Get("Referrer-Policy") == "" {
		missing = append(missing, "Referrer-Policy")
	}
	if h.Get("Permissions-Policy") == "" {
		missing = append(missing, "Permissions-Policy")
	}
	if len(missing) > 0 {
		ev.Detail = "missing: " + strings.Join(missing, ", ")
		return Fail, ev
	}
	ev.Detail = "all present"
	return Pass, ev
}

// backendNames are app servers, frameworks and runtimes a Server or
// X-Powered-By header can name: Streamlit's own (Tornado up to 1.56,
// uvicorn and Starlette from 1.57) and the usual Python and other stacks.
func backendNames() []string {
	return []string{"tornado", "uvicorn", "starlette", "streamlit", "python", "cpython", "gunicorn", "hypercorn",
		"daphne", "granian", "waitress", "werkzeug", "aiohttp", "uvloop", "fastapi", "php", "express", "kestrel", "asp.net", "iis", "node"}
}

// banner says what a Server or X-Powered-By value gives away: a backend's
// name, or any product's version ("nginx/1.22.1"). "" means nothing.
func banner(v string) string {
	low := strings.ToLower(v)
	for _, n := range backendNames() {
		i := strings.Index(low, n)
		if i < 0 {
			continue
		}
		// A whole token: "node" in "nodejs" counts, in "anode" it does not.
		if i == 0 || !unicode.IsLetter(rune(low[i-1])) {
			return "names the app server (" + n + ")"
		}
	}
	for i := 0; i+1 < len(low); i++ {
		if low[i] == '/' && low[i+1] >= '0' && low[i+1] <= '9' {
			return "names a version"
		}
	}
	return ""
}

func serverHeader(_ context.Context, t *Target, e *env) (Status, Evidence) {
	ev := Evidence{Request: e.pageReq.describe(t.site), Status: strconv.Itoa(e.page.status), Headers: headers(e.page, "Server", "X-Powered-By")}
	// The page and the socket's 101 can come from different layers (a
	// proxy may hide the header on one and pass it on the other).
	answers := []*response{e.page}
	if e.anchorErr == nil && e.anchor != nil {
		answers = append(answers, e.anchor)
		if h := headers(e.anchor, "Server", "X-Powered-By"); h != "" && h != ev.Headers {
			ev.Request += "\n\n" + e.anchorReq.describe(t.site)
			ev.Status += ", " + strconv.Itoa(e.anchor.status)
			ev.Headers = strings.TrimSpace(ev.Headers + "\n" + h)
		}
	}
	for _, r := range answers {
		for _, name := range []string{"Server", "X-Powered-By"} {
			for _, v := range r.header.Values(name) {
				if why := banner(v); why != "" {
					ev.Detail = fmt.Sprintf("%s: %s %s (it tells attackers which exploits to try)", name, clip(v), why)
					return Fail, ev
				}
			}
		}
	}
	ev.Detail = "no Server or X-Powered-By header names the app server or a version"
	return Pass, ev
}

// ---- internal paths ----

// metricsLike reports whether a body is a metrics endpoint's answer
// (Prometheus / OpenMetrics text), as opposed to the app's index page.
func metricsLike(ct string, body []byte) bool {
	ct = strings.ToLower(ct)
	if strings.Contains(ct, "openmetrics") || strings.Contains(ct, "application/x-protobuf") {
		return true
	}
	b := string(body)
	return strings.Contains(b, "# TYPE ") || strings.Contains(b, "# HELP ") || strings.Contains(b, "# EOF")
}

func pathRefused(ctx context.Context, t *Target, e *env, path string) (Status, Evidence) {
	resp, ev, s, done := t.send(ctx, t.site, get(t.base+path), "")
	if done {
		return s, ev
	}
	ct := resp.header.Get("Content-Type")
	ev.Headers = headers(resp, "Content-Type", "Content-Length", "Location")
	switch {
	case resp.status >= 400:
		ev.Detail = fmt.Sprintf("refused (%d)", resp.status)
		return Pass, ev
	case resp.status >= 300:
		ev.Detail = fmt.Sprintf("not served: redirected (%d, not followed)", resp.status)
		return Pass, ev
	case resp.status == http.StatusSwitchingProtocols || resp.status < 200:
		ev.Detail = fmt.Sprintf("unexpected status %d", resp.status)
		return Unknown, ev
	case resp.cut != "":
		// Only a whole body can be told from the app's page or a metrics dump.
		ev.Detail = fmt.Sprintf("could not tell: the %d answer's body was cut short by %s, and part of a body is evidence of nothing", resp.status, resp.cut)
		return Unknown, ev
	case metricsLike(ct, resp.body):
		ev.Detail = "the endpoint is served to the internet: " + bodyStart(resp.body)
		return Fail, ev
	case e.page != nil && e.page.cut == "" && e.page.status == resp.status && string(e.page.body) == string(resp.body):
		ev.Detail = fmt.Sprintf("answered %d with the app's index page (single-page fallback), not the endpoint", resp.status)
		return Pass, ev
	case strings.Contains(strings.ToLower(ct), "text/html"):
		ev.Detail = fmt.Sprintf("answered %d with an HTML page, not metrics", resp.status)
		return Pass, ev
	default:
		ev.Detail = fmt.Sprintf("answered %d with %q content: judge it: %s", resp.status, clip(ct), bodyStart(resp.body))
		return Fail, ev
	}
}

// ---- direct origin ----

func directOrigin(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	if t.direct == nil {
		return Unknown, Evidence{Detail: "not run: give --direct-host (the App Service *.azurewebsites.net name) to prove the app refuses traffic that bypasses Front Door"}
	}
	resp, ev, s, done := t.send(ctx, *t.direct, get("/"), "connection refused: the app is not reachable directly")
	if done {
		return s, ev
	}
	ev.Headers = headers(resp, "Server", "Location", "Content-Type")
	if resp.status >= 400 {
		ev.Detail = fmt.Sprintf("refused (%d) without the proxy", resp.status)
		return Pass, ev
	}
	ev.Detail = fmt.Sprintf("answered %d directly: the WAF and the proxy's rules can be bypassed", resp.status)
	return Fail, ev
}

// ---- evidence helpers ----

// headers lists the named response headers that are present, cleaned of
// control characters and clipped, one per line.
func headers(r *response, names ...string) string {
	if r == nil {
		return ""
	}
	var lines []string
	for _, n := range names {
		// A hostile server may repeat a header thousands of times.
		for i, v := range r.header.Values(n) {
			if i == 5 {
				lines = append(lines, n+": ...")
				break
			}
			lines = append(lines, n+": "+clip(v))
		}
	}
	return strings.Join(lines, "\n")
}

func bodyStart(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, string(b))
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return strings.TrimSpace(s)
}
