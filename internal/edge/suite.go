package edge

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/streamsec/streamsec/internal/probe"
)

// SuiteOptions are what the offline suite is told.
type SuiteOptions struct {
	// Origins are the browser origins that must be accepted; empty: the
	// public domain's https origin.
	Origins []string
	// BlockedPaths are the extra paths that must not be served.
	BlockedPaths []string
	// Burst is the rate-limit burst (probe.DefaultBurst when 0).
	Burst int
	// MessageLimit is the configured maximum message in bytes (the live
	// suite's default when 0).
	MessageLimit int64
	Version      string
	Now          func() time.Time
}

// liveOnly are the probes no plan can show.
func liveOnly(id string) bool { return strings.HasPrefix(id, "tls-") }

// NeedsLive is the evidence of a probe only a live target can show.
const NeedsLive = "needs the live target: TLS handshakes and certificates are not in the plan (the plan's TLS settings are judged by the policy rules)"

// Site is the public https origin the suite probes: the first custom
// domain, else the endpoint's default domain.
func (s *Stack) Site() (string, error) {
	for _, kind := range []string{"customDomain", "endpoint"} {
		for _, d := range s.Domains {
			if d.Kind == kind && d.Host != "" {
				return "https://" + strings.ToLower(d.Host), nil
			}
		}
	}
	if u := s.hostUnknown(); u != "" {
		return "", errors.New(u)
	}
	return "", ErrNoEdge
}

// Verify runs the live suite's probes against the model: same ids, titles,
// controls and evidence fields, judged on what each request would get.
func Verify(s *Stack, opts SuiteOptions) (*probe.Run, error) {
	site, err := s.Site()
	if err != nil {
		return nil, fmt.Errorf("offline verify: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	popts := probe.Options{URL: site + "/", Origins: opts.Origins, BlockedPaths: opts.BlockedPaths, Active: true, Burst: opts.Burst, MessageLimit: opts.MessageLimit}
	if s.App != nil {
		popts.DirectHost = s.App.DirectHost
	}
	t, err := probe.Prepare(popts)
	if err != nil {
		return nil, fmt.Errorf("offline verify: %w", err)
	}
	run := &probe.Run{Tool: "streamsec", Version: opts.Version, Mode: probe.ModeOffline, Target: site, StartedAt: now().UTC()}
	j := judge{s: s, t: t, host: strings.TrimPrefix(site, "https://")}
	variants := t.OriginVariants()
	for _, d := range t.Describe() {
		r := probe.Result{ID: d.ID, Title: d.Title, Controls: d.Controls, Mandatory: d.Mandatory, Status: probe.Unknown}
		switch {
		case liveOnly(d.ID):
			r.LiveOnly = true
			r.Evidence = probe.Evidence{Detail: NeedsLive}
		case d.ID == "http-redirects-to-https":
			r.Status, r.Evidence = j.httpRedirect()
		case d.ID == "ws-plain-not-upgraded":
			r.Status, r.Evidence = j.refused(j.handshake("http", j.origins()[0], "13"), "over plain http (ws://)")
		case d.ID == "hsts":
			r.Status, r.Evidence = j.hsts()
		case d.ID == "origin-allowed-accepted":
			r.Status, r.Evidence = j.allowed()
		case variants[d.ID] != "":
			r.Status, r.Evidence = j.refused(j.handshake("https", variants[d.ID], "13"), "")
		case d.ID == "compression-not-negotiated":
			r.Status, r.Evidence = j.compression()
		case d.ID == "legacy-version-refused":
			r.Status, r.Evidence = j.legacy()
		case d.ID == "security-headers":
			r.Status, r.Evidence = j.securityHeaders()
		case d.ID == "server-header-hidden":
			r.Status, r.Evidence = j.serverHeader()
		case strings.HasPrefix(d.ID, "path-refused:"):
			r.Status, r.Evidence = j.path(strings.TrimPrefix(d.ID, "path-refused:"))
		case d.ID == "direct-origin-refused":
			r.Status, r.Evidence = j.direct()
		case d.ID == "rate-limit-burst":
			r.Status, r.Evidence = j.burst(t.BurstSize())
		case d.ID == "oversized-frame-closed":
			r.Status, r.Evidence = j.oversized()
			// Frames are not in the plan: where the release's frame limit
			// was not read, only the live target can show it.
			r.LiveOnly = r.Status == probe.Unknown
		default:
			r.Evidence = probe.Evidence{Detail: "not modelled offline"}
		}
		run.Probes = append(run.Probes, r)
	}
	run.Notes = append(run.Notes, s.Notes...)
	run.FinishedAt = now().UTC()
	return run, nil
}

type judge struct {
	s    *Stack
	t    *probe.Target
	host string
}

func (j judge) origins() []string { return j.t.Origins() }

// handshake is the live suite's WebSocket handshake, with the user's
// sign-in cookie (see Request.Session). origin "-" sends none, version ""
// sends no Sec-WebSocket-Version.
func (j judge) handshake(scheme, origin, version string, extra ...[2]string) Request {
	h := http.Header{}
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if version != "" {
		h.Set("Sec-WebSocket-Version", version)
	}
	if origin != "-" {
		h.Set("Origin", origin)
	}
	for _, e := range extra {
		h.Set(e[0], e[1])
	}
	return Request{Scheme: scheme, Host: j.host, Method: "GET", Target: "/_stcore/stream", Header: h, SocketIP: "203.0.113.7", Country: "NL", Session: true, Seq: 1}
}

func (j judge) get(scheme, path string) Request {
	return Request{Scheme: scheme, Host: j.host, Method: "GET", Target: path, Header: http.Header{}, SocketIP: "203.0.113.7", Country: "NL", Session: true, Seq: 1}
}

// outcome is one request under every reading.
type outcome struct {
	req   Request
	resps []Response
	rds   []Reading
}

func (j judge) send(req Request) outcome {
	o := outcome{req: req}
	for _, rd := range j.s.readings() {
		o.resps = append(o.resps, j.s.Send(req, rd))
		o.rds = append(o.rds, rd)
	}
	return o
}

// unknown returns the first response that cannot be judged.
func (o outcome) unknown() (Response, bool) {
	for _, r := range o.resps {
		if r.Unknown != "" {
			return r, true
		}
	}
	return Response{}, false
}

// first returns the first response (and its reading) for which bad holds.
func (o outcome) first(bad func(Response) bool) (Response, Reading, bool) {
	for i, r := range o.resps {
		if bad(r) {
			return r, o.rds[i], true
		}
	}
	return Response{}, Reading{}, false
}

// uniform says whether every reading got the same answer from the same
// place, which the evidence then states once.
func (o outcome) uniform() bool {
	for _, r := range o.resps[1:] {
		if r.Status != o.resps[0].Status || r.By != o.resps[0].By {
			return false
		}
	}
	return true
}

func (o outcome) evidence(r Response, detail string) probe.Evidence {
	ev := probe.Evidence{Request: o.req.describe(), Detail: detail}
	if r.Status != 0 {
		ev.Status = strconv.Itoa(r.Status)
	}
	ev.Headers = headerLines(r, "Location", "Upgrade", "Sec-WebSocket-Extensions", "Strict-Transport-Security", "Server")
	return ev
}

func (o outcome) readingNote(r Response) string {
	note := ""
	if o.uniform() {
		note = "; the same under every reading of what the documentation leaves open"
	} else {
		seen := map[string]bool{fmt.Sprint(r.Status, r.By): true}
		for i, other := range o.resps {
			k := fmt.Sprint(other.Status, other.By)
			if seen[k] || other.Unknown != "" {
				continue
			}
			seen[k] = true
			note += fmt.Sprintf("; where %s: %d by %s", o.rds[i], other.Status, other.By)
		}
	}
	if len(r.Trail) > 0 {
		note += "; on the way: " + strings.Join(r.Trail, "; ")
	}
	return note
}

func headerLines(r Response, names ...string) string {
	var out []string
	for _, n := range names {
		for _, v := range r.Header.Values(n) {
			out = append(out, n+": "+v)
		}
	}
	return strings.Join(out, "\n")
}

// refused passes when no reading upgrades the handshake.
func (j judge) refused(req Request, what string) (probe.Status, probe.Evidence) {
	o := j.send(req)
	if r, rd, bad := o.first(func(r Response) bool { return r.Unknown == "" && r.Status == http.StatusSwitchingProtocols }); bad {
		return probe.Fail, o.evidence(r, fmt.Sprintf("upgraded (101)%s: decided by %s, under the reading: %s", spaced(what), r.By, rd)+o.readingNote(r))
	}
	if r, ok := o.unknown(); ok {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
	}
	r := o.resps[0]
	return probe.Pass, o.evidence(r, fmt.Sprintf("refused (%d)%s: decided by %s", r.Status, spaced(what), r.By)+o.readingNote(r))
}

func spaced(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

func (j judge) allowed() (probe.Status, probe.Evidence) {
	var last probe.Evidence
	for _, origin := range j.origins() {
		o := j.send(j.handshake("https", origin, "13"))
		if r, ok := o.unknown(); ok {
			return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
		}
		if r, rd, bad := o.first(func(r Response) bool { return r.Status != http.StatusSwitchingProtocols }); bad {
			return probe.Fail, o.evidence(r, fmt.Sprintf("the expected origin %s is refused (%d) by %s, under the reading: %s: real users cannot connect", origin, r.Status, r.By, rd))
		}
		last = o.evidence(o.resps[0], "upgraded (101) for "+strings.Join(j.origins(), ", ")+" (a signed-in browser): "+o.resps[0].By+o.readingNote(o.resps[0]))
	}
	return probe.Pass, last
}

func (j judge) httpRedirect() (probe.Status, probe.Evidence) {
	o := j.send(j.get("http", "/"))
	if r, ok := o.unknown(); ok {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
	}
	if r, _, bad := o.first(func(r Response) bool { return r.Undocumented != "" }); bad {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Undocumented+"; decided by "+r.By)
	}
	want := "https://" + j.host + "/"
	if r, rd, bad := o.first(func(r Response) bool {
		return (r.Status != http.StatusMovedPermanently && r.Status != http.StatusPermanentRedirect) || r.Header.Get("Location") != want
	}); bad {
		detail := fmt.Sprintf("plain http answers %d (%s), not a permanent redirect to %s", r.Status, r.By, want)
		if r.Status >= 300 && r.Status < 400 && r.Header.Get("Location") == want {
			detail = fmt.Sprintf("redirect %d is temporary (%s); the guide asks for 301 or 308", r.Status, r.By)
		}
		return probe.Fail, o.evidence(r, detail+" (reading: "+rd.String()+")")
	}
	r := o.resps[0]
	return probe.Pass, o.evidence(r, fmt.Sprintf("permanent redirect to %s: decided by %s", want, r.By)+o.readingNote(r))
}

// page is GET / on the public domain.
func (j judge) page() (outcome, Response, *probe.Evidence) {
	o := j.send(j.get("https", "/"))
	if r, ok := o.unknown(); ok {
		ev := o.evidence(r, "could not tell: "+r.Unknown)
		return o, r, &ev
	}
	if !o.uniform() {
		// Headers come from the rule sets, which no reading changes.
		ev := o.evidence(o.resps[0], "could not tell: the page's answer depends on the reading")
		return o, o.resps[0], &ev
	}
	return o, o.resps[0], nil
}

func (j judge) hsts() (probe.Status, probe.Evidence) {
	o, r, ev := j.page()
	if ev != nil {
		return probe.Unknown, *ev
	}
	v := r.Header.Get("Strict-Transport-Security")
	if v == "" {
		return probe.Fail, o.evidence(r, "no Strict-Transport-Security header: no rule-set rule on the route adds it ("+r.By+")")
	}
	age := maxAge(v)
	by := r.HeaderBy["Strict-Transport-Security"]
	if age < probe.HSTSMinAge {
		return probe.Fail, o.evidence(r, fmt.Sprintf("max-age %d is below %d (set by %s)", age, probe.HSTSMinAge, by))
	}
	return probe.Pass, o.evidence(r, fmt.Sprintf("max-age %d, set by %s", age, by))
}

func maxAge(v string) int {
	for _, d := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		if strings.EqualFold(strings.TrimSpace(k), "max-age") {
			if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`)); err == nil {
				return n
			}
		}
	}
	return -1
}

func (j judge) securityHeaders() (probe.Status, probe.Evidence) {
	o, r, ev := j.page()
	if ev != nil {
		return probe.Unknown, *ev
	}
	h := r.Header
	e := o.evidence(r, "")
	e.Headers = headerLines(r, "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy")
	var missing, by []string
	csp := strings.ToLower(h.Get("Content-Security-Policy"))
	switch {
	case csp == "":
		missing = append(missing, "Content-Security-Policy")
	case !strings.Contains(csp, "frame-ancestors"):
		missing = append(missing, "frame-ancestors in Content-Security-Policy")
	}
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		missing = append(missing, "X-Content-Type-Options: nosniff")
	}
	for _, n := range []string{"Referrer-Policy", "Permissions-Policy"} {
		if h.Get(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		e.Detail = "missing: " + strings.Join(missing, ", ") + " (no rule-set rule on the route sets them)"
		return probe.Fail, e
	}
	for _, n := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"} {
		by = append(by, n+" by "+r.HeaderBy[n])
	}
	e.Detail = "all present: " + strings.Join(by, "; ")
	return probe.Pass, e
}

func (j judge) serverHeader() (probe.Status, probe.Evidence) {
	o, r, ev := j.page()
	if ev != nil {
		return probe.Unknown, *ev
	}
	// The live probe's own test: any app server's name or a version.
	for _, n := range []string{"Server", "X-Powered-By"} {
		for _, v := range r.Header.Values(n) {
			if why := probe.Banner(v); why != "" {
				return probe.Fail, o.evidence(r, "the app server shows through: "+n+": "+v+" "+why+" (no rule-set rule deletes "+n+")")
			}
		}
	}
	if by := r.HeaderBy["Server"]; by != "" {
		return probe.Pass, o.evidence(r, "no Server header names the app server or a version: Server deleted by "+by)
	}
	return probe.Pass, o.evidence(r, "no Server or X-Powered-By header names the app server or a version")
}

func (j judge) path(p string) (probe.Status, probe.Evidence) {
	o := j.send(j.get("https", p))
	if r, rd, bad := o.first(func(r Response) bool {
		return r.Unknown == "" && r.Status >= 200 && r.Status < 300 && r.Body != BodyIndex
	}); bad {
		return probe.Fail, o.evidence(r, fmt.Sprintf("served to the internet (%d, %s): %s, under the reading: %s", r.Status, r.Body, r.By, rd)+o.readingNote(r))
	}
	if r, ok := o.unknown(); ok {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
	}
	r := o.resps[0]
	if r.Body == BodyIndex && r.Status < 300 {
		return probe.Pass, o.evidence(r, fmt.Sprintf("answered %d with the app's index page (single-page fallback), not the endpoint: %s", r.Status, r.By)+o.readingNote(r))
	}
	return probe.Pass, o.evidence(r, fmt.Sprintf("refused (%d): decided by %s", r.Status, r.By)+o.readingNote(r))
}

func (j judge) compression() (probe.Status, probe.Evidence) {
	o := j.send(j.handshake("https", j.origins()[0], "13", [2]string{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"}))
	if r, ok := o.unknown(); ok {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
	}
	if r, rd, bad := o.first(func(r Response) bool {
		return strings.Contains(strings.ToLower(r.Header.Get("Sec-WebSocket-Extensions")), "permessage-deflate")
	}); bad {
		return probe.Fail, o.evidence(r, "permessage-deflate is negotiated: "+r.By+" (reading: "+rd.String()+")")
	}
	if r, _, bad := o.first(func(r Response) bool { return r.Status != http.StatusSwitchingProtocols }); bad {
		return probe.Unknown, o.evidence(r, fmt.Sprintf("could not tell: the handshake was not upgraded (%d, %s)", r.Status, r.By))
	}
	r := o.resps[0]
	return probe.Pass, o.evidence(r, "upgraded without extensions: "+r.By+" (server.enableWebsocketCompression is not true; Front Door is taken to pass the offer on)")
}

func (j judge) legacy() (probe.Status, probe.Evidence) {
	var reqs, statuses, notes []string
	status := probe.Pass
	for _, v := range []string{"8", ""} {
		o := j.send(j.handshake("https", j.origins()[0], v))
		reqs = append(reqs, o.req.describe())
		name := "Sec-WebSocket-Version: " + v
		if v == "" {
			name = "no Sec-WebSocket-Version"
		}
		if r, rd, bad := o.first(func(r Response) bool { return r.Unknown == "" && r.Status == http.StatusSwitchingProtocols }); bad {
			statuses = append(statuses, "101")
			notes = append(notes, fmt.Sprintf("%s: upgraded (101) by %s, under the reading: %s", name, r.By, rd))
			status = probe.Fail
			continue
		}
		if r, ok := o.unknown(); ok {
			statuses = append(statuses, "unknown")
			notes = append(notes, name+": could not tell: "+r.Unknown)
			if status == probe.Pass {
				status = probe.Unknown
			}
			continue
		}
		r := o.resps[0]
		statuses = append(statuses, strconv.Itoa(r.Status))
		notes = append(notes, fmt.Sprintf("%s: refused (%d) by %s", name, r.Status, r.By)+o.readingNote(r))
	}
	return status, probe.Evidence{Request: strings.Join(reqs, "\n\n"), Status: strings.Join(statuses, ", "), Detail: strings.Join(notes, "; ")}
}

func (j judge) direct() (probe.Status, probe.Evidence) {
	a := j.s.App
	if a == nil {
		return probe.Unknown, probe.Evidence{Detail: "could not tell: the stack declares no web app"}
	}
	host := a.DirectHost
	if host == "" {
		host = "<the web app's default host name, computed>"
	}
	ev := probe.Evidence{Request: "GET https://" + host + "/ from the internet, and through another Front Door profile (service tag AzureFrontDoor.Backend, a foreign X-Azure-FDID)"}
	var why []string
	for _, src := range []Source{{IP: "203.0.113.7"}, {ServiceTag: FrontDoorServiceTag, IP: "147.243.0.1", FDID: "00000000-0000-0000-0000-00000000beef"}} {
		ok, reason := a.admits(src, false)
		if strings.Contains(reason, "computed") {
			ev.Detail = "could not tell: " + reason
			return probe.Unknown, ev
		}
		if ok {
			ev.Status = "200"
			ev.Detail = "answered directly: " + reason + ": the WAF and the edge's rules can be bypassed"
			return probe.Fail, ev
		}
		why = append(why, reason)
	}
	ev.Status = "403"
	ev.Detail = "refused without this stack's Front Door: " + strings.Join(uniq(why), "; ")
	return probe.Pass, ev
}

func (j judge) burst(n int) (probe.Status, probe.Evidence) {
	req := j.handshake("https", j.origins()[0], "13")
	req.Seq = n
	o := j.send(req)
	if r, ok := o.unknown(); ok {
		return probe.Unknown, o.evidence(r, "could not tell: "+r.Unknown)
	}
	if r, rd, bad := o.first(func(r Response) bool { return r.Status == http.StatusSwitchingProtocols }); bad {
		return probe.Fail, o.evidence(r, fmt.Sprintf("the %d-th handshake of a burst from one socket is still upgraded: %s (reading: %s)", n, r.By, rd))
	}
	r := o.resps[0]
	ev := o.evidence(r, fmt.Sprintf("a burst of %d handshakes from one socket is refused (%d) from the first over the threshold: %s; Front Door documents that under about 200 a minute a few requests over the threshold may get through, so the burst is twice the threshold", n, r.Status, r.By))
	ev.Request = fmt.Sprintf("%d x %s", n, req.describe())
	return probe.Pass, ev
}

func (j judge) oversized() (probe.Status, probe.Evidence) {
	// Front Door does not limit frames; Streamlit's server.maxMessageSize
	// does (seen on 1.39: close code 1009). Not read for 1.57+.
	ev := probe.Evidence{Request: fmt.Sprintf("a %d-byte frame on an upgraded socket", j.t.MessageLimit()+1<<20)}
	a := j.s.App
	if a == nil || !a.Streamlit.VersionKnown || a.Streamlit.era(Reading{}) != EraTornado {
		ev.Detail = "needs the live target: the frame limit is the app server's, read for Tornado-era Streamlit (<= 1.56) only"
		return probe.Unknown, ev
	}
	frame := j.t.MessageLimit() + 1<<20
	if limit := int64(a.Streamlit.MaxMessageMB) * 1000 * 1000; frame <= limit {
		ev.Detail = fmt.Sprintf("server.maxMessageSize is %d MB: a %d-byte frame is accepted", a.Streamlit.MaxMessageMB, frame)
		return probe.Fail, ev
	}
	ev.Detail = fmt.Sprintf("Streamlit %s closes frames above server.maxMessageSize (%d MB) with 1009 (Tornado's websocket_max_message_size)", a.Streamlit.Version, a.Streamlit.MaxMessageMB)
	return probe.Pass, ev
}

func uniq(in []string) []string {
	var out []string
	for _, s := range in {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
