package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeApp answers like Streamlit behind a proxy: index.html for every
// path, metrics when exposed, and the WebSocket handshake at
// <base>/_stcore/stream accepted for the allowed origins only.
type fakeApp struct {
	base          string
	allowed       map[string]bool // nil: every origin (enableCORS=false)
	exposeMetrics bool
	headers       map[string]string
	mu            sync.Mutex
	paths         []string
}

const indexHTML = "<!doctype html><title>Streamlit</title><div id=root></div>"

func (a *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.paths = append(a.paths, r.URL.Path)
	a.mu.Unlock()
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	switch r.URL.Path {
	case a.base + "/_stcore/stream":
		o, has := r.Header["Origin"]
		if r.Header.Get("Sec-WebSocket-Version") != "13" {
			w.Header().Set("Sec-WebSocket-Version", "13")
			w.WriteHeader(http.StatusUpgradeRequired)
			return
		}
		if a.allowed != nil && (!has || !a.allowed[o[0]]) {
			http.Error(w, "Cross origin websockets not allowed", http.StatusForbidden)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n")
		rw.Flush()
	case a.base + "/_stcore/metrics", a.base + "/st-metrics":
		if a.exposeMetrics {
			w.Header().Set("Content-Type", "application/openmetrics-text")
			io.WriteString(w, "# TYPE session_events_total counter\n# EOF\n")
			return
		}
		fallthrough
	default:
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, indexHTML)
	}
}

// upgrade answers 101 on the raw connection (net/http cannot send one).
func upgrade(w http.ResponseWriter) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	rw.Flush()
}

func (a *fakeApp) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.paths...)
}

func tlsTarget(t *testing.T, app http.Handler, path string, extra func(*Options)) (*Target, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(app)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	opts := Options{URL: srv.URL + path, RootCAs: pool, Timeout: 10 * time.Second, ConnectTo: []string{noPort80(t, "127.0.0.1")}}
	if extra != nil {
		extra(&opts)
	}
	tg, err := Prepare(opts)
	if err != nil {
		t.Fatal(err)
	}
	return tg, srv
}

// noPort80 routes host's port 80 (the plain-http probes) to a loopback
// port nothing listens on, so no test depends on what, if anything, runs
// on this machine's port 80 (a system nginx, say).
func noPort80(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return host + ":80:127.0.0.1:" + port
}

func statusOf(t *testing.T, run *Run, id string) Result {
	t.Helper()
	p, ok := run.Probe(id)
	if !ok {
		t.Fatalf("probe %s missing", id)
	}
	return p
}

func TestPrepareReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"ftp scheme", Options{URL: "ftp://x"}, []string{"scheme must be https"}},
		{"no host", Options{URL: "https://"}, []string{"no host"}},
		{"query", Options{URL: "https://a.example/?token=x"}, []string{"query and fragment"}},
		{"credentials", Options{URL: "https://u:p@a.example/"}, []string{"credentials"}},
		{"newline", Options{URL: "https://a.example/\r\nX: y"}, []string{"control characters"}},
		{"bad port", Options{URL: "https://a.example:99999/"}, []string{"port"}},
		{"all at once", Options{
			URL:        "https://a.example/",
			Resolve:    []string{"a.example:443", "a.example:x:1.2.3.4", "a.example:443:not-an-ip"},
			ConnectTo:  []string{"a.example:80:1.2.3.4"},
			Origins:    []string{"evil", "https://ok.example/path"},
			DirectHost: "https://d.example/path",
		}, []string{
			`--resolve "a.example:443": want HOST:PORT:ADDR`,
			`--resolve "a.example:x:1.2.3.4": port "x"`,
			`--resolve "a.example:443:not-an-ip": ADDR "not-an-ip" must be an IP`,
			`--connect-to "a.example:80:1.2.3.4": want HOST:PORT:ADDR:PORT2`,
			`--origin "evil"`,
			`--origin "https://ok.example/path"`,
			`--direct-host "https://d.example/path"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestPrepareAccepts(t *testing.T) {
	tg, err := Prepare(Options{
		URL:       "https://Dash.Example.com/app/",
		Resolve:   []string{"dash.example.com:443:203.0.113.7", "dash.example.com:80:[2001:db8::1]"},
		ConnectTo: []string{"dash.example.com:8443:127.0.0.1:9443"},
		Origins:   []string{"https://dash.example.com", "https://other.example.com:8443/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tg.base != "/app" || tg.site.host != "dash.example.com" || tg.Site() != "https://dash.example.com" {
		t.Errorf("site %v base %q", tg.site, tg.base)
	}
	if got := tg.routes["dash.example.com:80"]; got != "[2001:db8::1]:80" {
		t.Errorf("resolve route %q", got)
	}
	if got := tg.routes["dash.example.com:8443"]; got != "127.0.0.1:9443" {
		t.Errorf("connect-to route %q", got)
	}
	if got := tg.Origins(); len(got) != 2 || got[1] != "https://other.example.com:8443" {
		t.Errorf("origins %v", got)
	}
}

func TestDialOnlyGivenHosts(t *testing.T) {
	tg, err := Prepare(Options{URL: "https://a.example/"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tg.dial(context.Background(), endpoint{scheme: "https", host: "evil.example", port: "443"})
	if err == nil || !strings.Contains(err.Error(), "refusing to contact evil.example") {
		t.Errorf("dial to another host: %v", err)
	}
}

func TestBasePathAndHardenedFake(t *testing.T) {
	app := &fakeApp{base: "/dash", headers: map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"Content-Security-Policy":   "default-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"Permissions-Policy":        "camera=()",
	}}
	tg, srv := tlsTarget(t, app, "/dash/", nil)
	app.allowed = map[string]bool{tg.Site(): true}
	run := Execute(context.Background(), tg)
	for _, id := range []string{"origin-allowed-accepted", "origin-foreign-refused", "origin-null-refused", "origin-file-refused",
		"origin-other-scheme-refused", "origin-other-port-refused", "origin-suffix-refused", "origin-prefix-refused", "origin-missing-refused",
		"legacy-version-refused", "hsts", "security-headers", "server-header-hidden", "path-refused:/_stcore/metrics", "path-refused:/st-metrics",
		"tls-certificate-valid", "tls-certificate-expiry"} {
		if p := statusOf(t, run, id); p.Status != Pass {
			t.Errorf("%s: %s: %s", id, p.Status, p.Evidence.Detail)
		}
	}
	// Port 80 goes to a closed port (tlsTarget), so only the TLS site counts.
	for _, p := range app.seen() {
		if !strings.HasPrefix(p, "/dash/") {
			t.Errorf("request outside the base path: %s", p)
		}
	}
	_ = srv
}

func TestWeakFakeFails(t *testing.T) {
	app := &fakeApp{exposeMetrics: true, headers: map[string]string{"Server": "TornadoServer/6.4", "Strict-Transport-Security": "max-age=600"}}
	tg, _ := tlsTarget(t, app, "/", nil)
	run := Execute(context.Background(), tg)
	for id, want := range map[string]Status{
		"origin-allowed-accepted":       Pass,
		"origin-null-refused":           Fail,
		"origin-missing-refused":        Fail,
		"hsts":                          Fail,
		"server-header-hidden":          Fail,
		"security-headers":              Fail,
		"path-refused:/_stcore/metrics": Fail,
		"direct-origin-refused":         Unknown,
	} {
		if p := statusOf(t, run, id); p.Status != want {
			t.Errorf("%s: %s, want %s: %s", id, p.Status, want, p.Evidence.Detail)
		}
	}
	if p := statusOf(t, run, "hsts"); !strings.Contains(p.Evidence.Detail, "max-age 600") {
		t.Errorf("hsts detail: %s", p.Evidence.Detail)
	}
	if !run.Failed() {
		t.Error("run not failed")
	}
	if p := statusOf(t, run, "direct-origin-refused"); p.Mandatory {
		t.Error("direct-origin-refused mandatory without --direct-host")
	}
}

// When even the allowed origin is refused, refusals prove nothing.
func TestRefusalsNeedAnAnchor(t *testing.T) {
	app := &fakeApp{allowed: map[string]bool{}}
	tg, _ := tlsTarget(t, app, "/", nil)
	run := Execute(context.Background(), tg)
	if p := statusOf(t, run, "origin-allowed-accepted"); p.Status != Fail {
		t.Errorf("allowed: %s", p.Status)
	}
	if p := statusOf(t, run, "origin-foreign-refused"); p.Status != Unknown || !strings.Contains(p.Evidence.Detail, "proves nothing") {
		t.Errorf("foreign: %s %s", p.Status, p.Evidence.Detail)
	}
}

func TestInsecureFailsCertificateProbe(t *testing.T) {
	tg, _ := tlsTarget(t, &fakeApp{}, "/", func(o *Options) { o.RootCAs = nil; o.Insecure = true })
	run := Execute(context.Background(), tg)
	p := statusOf(t, run, "tls-certificate-valid")
	if p.Status != Fail || !strings.Contains(p.Evidence.Detail, "--insecure") {
		t.Errorf("certificate probe with --insecure: %s %s", p.Status, p.Evidence.Detail)
	}
	if p := statusOf(t, run, "origin-allowed-accepted"); p.Status != Pass {
		t.Errorf("--insecure should let the HTTP probes run: %s %s", p.Status, p.Evidence.Detail)
	}
}

func TestUntrustedCertificateStopsHTTPProbes(t *testing.T) {
	tg, _ := tlsTarget(t, &fakeApp{}, "/", func(o *Options) { o.RootCAs = x509.NewCertPool() })
	run := Execute(context.Background(), tg)
	if p := statusOf(t, run, "tls-certificate-valid"); p.Status != Fail {
		t.Errorf("certificate: %s", p.Status)
	}
	p := statusOf(t, run, "hsts")
	if p.Status != Unknown || !strings.Contains(p.Evidence.Detail, "--ca-file") {
		t.Errorf("hsts with an untrusted certificate: %s %s", p.Status, p.Evidence.Detail)
	}
}

// The plain-http probes: redirects are judged, never followed; an
// off-host or temporary redirect fails.
func TestHTTPRedirect(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		location string
		want     Status
	}{
		{"301 same host", 301, "https://127.0.0.1/", Pass},
		{"308 same host", 308, "https://127.0.0.1/x", Pass},
		{"307 temporary", 307, "https://127.0.0.1/", Fail},
		{"301 off host", 301, "https://evil.example/", Fail},
		{"301 to http", 301, "http://127.0.0.1/", Fail},
		{"200 served", 200, "", Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits int
			plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits++
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				w.WriteHeader(tt.status)
			}))
			defer plain.Close()
			_, port, _ := net.SplitHostPort(strings.TrimPrefix(plain.URL, "http://"))
			tg, srv := tlsTarget(t, &fakeApp{}, "/", nil)
			_, sport, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
			// The site is https://127.0.0.1:<sport>; its port 80 goes to the plain server.
			tg.routes["127.0.0.1:80"] = "127.0.0.1:" + port
			tg.site.port = sport
			st, ev := httpRedirect(context.Background(), tg, nil)
			if tt.name == "301 same host" || tt.name == "308 same host" {
				// Location has no port, the site has one: that is another origin.
				if st != Fail {
					t.Errorf("redirect to another port passed: %s", ev.Detail)
				}
				tg.site.port = "443"
				st, ev = httpRedirect(context.Background(), tg, nil)
			}
			if st != tt.want {
				t.Errorf("%s, want %s: %s", st, tt.want, ev.Detail)
			}
			if hits == 0 {
				t.Error("plain server not reached")
			}
		})
	}
}

func TestPathJudgedByBody(t *testing.T) {
	page := &response{status: 200, header: http.Header{}, body: []byte(indexHTML)}
	tests := []struct {
		name   string
		ct     string
		body   string
		status int
		want   Status
	}{
		{"index fallback", "text/html", indexHTML, 200, Pass},
		{"openmetrics", "application/openmetrics-text", "x 1\n", 200, Fail},
		{"prometheus text", "text/plain", "# HELP x\n# TYPE x counter\nx 1\n", 200, Fail},
		{"403", "text/plain", "blocked", 403, Pass},
		{"other html", "text/html; charset=utf-8", "<h1>not found</h1>", 200, Pass},
		{"json", "application/json", `{"a":1}`, 200, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			tg, err := Prepare(Options{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			st, ev := pathRefused(context.Background(), tg, &env{page: page}, "/_stcore/metrics")
			if st != tt.want {
				t.Errorf("%s, want %s: %s", st, tt.want, ev.Detail)
			}
		})
	}
}

func TestHSTSParsing(t *testing.T) {
	tests := []struct {
		value string
		want  Status
	}{
		{"max-age=31536000", Pass},
		{"max-age=63072000; includeSubDomains; preload", Pass},
		{`includeSubDomains; max-age="31536000"`, Pass},
		{"max-age=31535999", Fail},
		{"max-age=abc", Fail},
		{"includeSubDomains", Fail},
		{"", Fail},
	}
	tg, _ := Prepare(Options{URL: "https://a.example"})
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Strict-Transport-Security", tt.value)
		}
		st, ev := hsts(context.Background(), tg, &env{page: &response{status: 200, header: h}})
		if st != tt.want {
			t.Errorf("%q: %s, want %s (%s)", tt.value, st, tt.want, ev.Detail)
		}
	}
}

// hostile servers: each must end within the bound, with no pass.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close(); wg.Wait() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				go func() { <-done; c.Close() }()
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

func readRequest(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}

// slowHeaders sends its header block a byte every 50 ms (slowloris).
func slowHeaders(c net.Conn) {
	readRequest(c)
	io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Slow: ")
	for {
		if _, err := c.Write([]byte("a")); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// floodHeaders sends header lines without end.
func floodHeaders(c net.Conn) {
	readRequest(c)
	io.WriteString(c, "HTTP/1.1 200 OK\r\n")
	line := []byte("X-Flood: " + strings.Repeat("b", 1000) + "\r\n")
	for {
		if _, err := c.Write(line); err != nil {
			return
		}
	}
}

func TestHostileServersCannotHang(t *testing.T) {
	servers := []struct {
		name   string
		scheme string
		handle func(net.Conn)
	}{
		{"slowloris headers", "http", slowHeaders},
		{"endless headers", "http", floodHeaders},
		{"endless body", "http", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
			chunk := []byte(strings.Repeat("z", 32<<10))
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}},
		{"garbage status line", "http", func(c net.Conn) {
			readRequest(c)
			c.Write([]byte("\x00\xff\xfeSSH-2.0-nope\r\n\r\n"))
		}},
		{"silent", "http", func(c net.Conn) { io.Copy(io.Discard, c) }},
		{"tls never finishes", "https", func(c net.Conn) { io.Copy(io.Discard, c) }},
		{"tls garbage", "https", func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		}},
	}
	const bound = 2 * time.Second
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			addr := rawServer(t, s.handle)
			tg, err := Prepare(Options{URL: s.scheme + "://" + addr + "/", Timeout: bound, RequestTimeout: bound, Active: true, ConnectTo: []string{noPort80(t, "127.0.0.1")}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan *Run, 1)
			go func() { done <- Execute(ctx, tg) }()
			var run *Run
			select {
			case run = <-done:
			case <-time.After(bound + 3*time.Second):
				t.Fatalf("run did not end within %s", bound+3*time.Second)
			}
			if !run.Failed() {
				t.Error("a hostile server passed the run")
			}
			for _, p := range run.Probes {
				if p.Status == Pass && p.ID != "http-redirects-to-https" && p.ID != "ws-plain-not-upgraded" && p.ID != "server-header-hidden" && !strings.HasPrefix(p.ID, "path-refused:") {
					t.Errorf("%s passed against a hostile server: %s", p.ID, p.Evidence.Detail)
				}
				if p.Evidence.Detail == "" {
					t.Errorf("%s: no detail", p.ID)
				}
			}
		})
	}
}

func TestUnreachableEndsWithClearMessage(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	tg, err := Prepare(Options{URL: "https://" + addr + "/", Timeout: 3 * time.Second, ConnectTo: []string{noPort80(t, "127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	run := Execute(context.Background(), tg)
	if !run.Failed() {
		t.Fatal("unreachable target did not fail the run")
	}
	p := statusOf(t, run, "origin-null-refused")
	if p.Status != Unknown || !strings.Contains(p.Evidence.Detail, "did not answer") || !strings.Contains(p.Evidence.Detail, "refused") {
		t.Errorf("origin probe on an unreachable host: %s %q", p.Status, p.Evidence.Detail)
	}
}

func TestReadClose(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		code  int
		isErr bool
	}{
		{"close 1009", []byte{0x88, 0x02, 0x03, 0xf1}, 1009, false},
		{"close with reason", append([]byte{0x88, 0x05, 0x03, 0xf1}, "big"...), 1009, false},
		{"close empty", []byte{0x88, 0x00}, 1005, false},
		{"text then close", []byte{0x81, 0x02, 'h', 'i', 0x88, 0x02, 0x03, 0xe8}, 1000, false},
		{"126 length", append(append([]byte{0x82, 126, 0x00, 0x80}, make([]byte, 128)...), 0x88, 0x02, 0x03, 0xf1), 1009, false},
		{"eof", []byte{0x81}, 0, true},
		{"huge frame", []byte{0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, true},
		{"close too long", []byte{0x88, 126, 0x00, 0xff}, 0, true},
	}
	for _, tt := range tests {
		code, _, err := readClose(bufio.NewReader(strings.NewReader(string(tt.in))))
		if (err != nil) != tt.isErr || code != tt.code {
			t.Errorf("%s: code %d err %v", tt.name, code, err)
		}
	}
}

func FuzzReadClose(f *testing.F) {
	f.Add([]byte{0x88, 0x02, 0x03, 0xf1})
	f.Add([]byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _, _ = readClose(bufio.NewReader(strings.NewReader(string(in))))
	})
}

func FuzzPrepare(f *testing.F) {
	f.Add("https://a.example/app", "a.example:443:127.0.0.1", "a.example:80:127.0.0.1:8080", "https://a.example", "app.azurewebsites.net")
	f.Add("http://[::1]:8/", "x:1:[::1]", "::::", "null", "http://:0")
	f.Fuzz(func(t *testing.T, u, resolve, connect, origin, direct string) {
		tg, err := Prepare(Options{URL: u, Resolve: []string{resolve}, ConnectTo: []string{connect}, Origins: []string{origin}, DirectHost: direct})
		if err != nil {
			return
		}
		// A valid target always has an origin and origin variants.
		if len(tg.Origins()) == 0 || len(tg.originVariants()) == 0 {
			t.Fatalf("valid target without origins: %+v", tg)
		}
		for _, v := range tg.originVariants() {
			if strings.ContainsAny(v.origin, "\r\n") {
				t.Fatalf("origin variant with a line break: %q", v.origin)
			}
		}
	})
}

func TestRunSaveLoadDecode(t *testing.T) {
	run := &Run{Tool: "streamsec", Version: "1", Target: "https://a.example", StartedAt: time.Unix(0, 0).UTC(), FinishedAt: time.Unix(1, 0).UTC(),
		Probes: []Result{{ID: "hsts", Title: "HSTS", Controls: []string{"WS-TLS-04"}, Status: Pass, Mandatory: true, Evidence: Evidence{Request: "GET /", Status: "200", Detail: "ok"}}}}
	path := filepath.Join(t.TempDir(), "v.json")
	if err := run.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := got.Probe("hsts"); p.Evidence.Status != "200" || !p.Mandatory || got.FinishedAt != run.FinishedAt {
		t.Errorf("round trip: %+v", got)
	}
	raw, _ := os.ReadFile(path)
	for _, field := range []string{`"tool"`, `"version"`, `"target"`, `"startedAt"`, `"finishedAt"`, `"probes"`, `"id"`, `"title"`, `"controls"`, `"status"`, `"mandatory"`, `"evidence"`, `"request"`, `"detail"`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("saved JSON lacks %s", field)
		}
	}
	for name, in := range map[string]string{
		"not json":   "{",
		"other tool": `{"tool":"x","probes":[]}`,
		"bad status": `{"tool":"streamsec","probes":[{"id":"a","status":"met"}]}`,
		"no id":      `{"tool":"streamsec","probes":[{"status":"pass"}]}`,
	} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// --resolve dials the given address but keeps the name for SNI, the
// certificate check and the Host header, as curl does.
func TestResolveKeepsNameForSNIAndHost(t *testing.T) {
	var hosts []string
	var mu sync.Mutex
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		io.WriteString(w, indexHTML)
	})
	srv := httptest.NewUnstartedServer(app)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	var snis []string
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		snis = append(snis, h.ServerName)
		mu.Unlock()
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	// httptest's certificate names example.com; nothing resolves it here.
	tg, err := Prepare(Options{URL: "https://example.com:" + port + "/", Resolve: []string{"example.com:" + port + ":127.0.0.1"},
		ConnectTo: []string{noPort80(t, "example.com")}, RootCAs: pool, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	run := Execute(context.Background(), tg)
	if p := statusOf(t, run, "tls-certificate-valid"); p.Status != Pass {
		t.Errorf("certificate for example.com via --resolve: %s %s", p.Status, p.Evidence.Detail)
	}
	if p := statusOf(t, run, "security-headers"); p.Status != Fail {
		t.Errorf("the page was not fetched: %s %s", p.Status, p.Evidence.Detail)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hosts {
		if h != "example.com:"+port {
			t.Errorf("Host header %q", h)
		}
	}
	for _, s := range snis {
		if s != "example.com" {
			t.Errorf("SNI %q", s)
		}
	}
	if len(hosts) == 0 || len(snis) == 0 {
		t.Errorf("server saw hosts %v, SNI %v", hosts, snis)
	}
}

// wsServer answers every request with 101, then hands the connection (and
// what is left of its reader) to after.
func wsServer(t *testing.T, after func(net.Conn, *bufio.Reader)) string {
	return rawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		after(c, r)
	})
}

func TestOversizedFrame(t *testing.T) {
	tests := []struct {
		name  string
		after func(net.Conn, *bufio.Reader)
		want  Status
	}{
		{"1009 after the length", func(c net.Conn, r *bufio.Reader) {
			hdr := make([]byte, 10)
			io.ReadFull(r, hdr)
			c.Write([]byte{0x88, 0x02, 0x03, 0xf1})
		}, Pass},
		{"1009 after the whole frame", func(c net.Conn, r *bufio.Reader) {
			io.CopyN(io.Discard, r, 14+(1<<20)+4096)
			c.Write([]byte{0x88, 0x02, 0x03, 0xf1})
		}, Pass},
		{"1000 instead", func(c net.Conn, r *bufio.Reader) {
			io.ReadFull(r, make([]byte, 14))
			c.Write([]byte{0x88, 0x02, 0x03, 0xe8})
		}, Fail},
		{"dropped without close", func(c net.Conn, r *bufio.Reader) {
			io.ReadFull(r, make([]byte, 14))
		}, Fail},
		{"stays open", func(c net.Conn, r *bufio.Reader) {
			io.Copy(io.Discard, r)
		}, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := wsServer(t, tt.after)
			tg, err := Prepare(Options{URL: "http://" + addr, MessageLimit: 4096, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			st, ev := oversizedFrame(context.Background(), tg, &env{})
			if st != tt.want {
				t.Errorf("%s, want %s: %s (%s)", st, tt.want, ev.Detail, ev.Status)
			}
		})
	}
}

func TestRateBurst(t *testing.T) {
	tests := []struct {
		name    string
		allowed int // handshakes upgraded before the limiter answers 429
		want    Status
	}{
		{"limited", 5, Pass},
		{"never limited", 1000, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				n++
				over := n > tt.allowed
				mu.Unlock()
				if over {
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				upgrade(w)
			}))
			defer srv.Close()
			tg, err := Prepare(Options{URL: srv.URL, Burst: 12})
			if err != nil {
				t.Fatal(err)
			}
			st, ev := rateBurst(context.Background(), tg, &env{})
			if st != tt.want {
				t.Errorf("%s, want %s: %s (%s)", st, tt.want, ev.Detail, ev.Status)
			}
			mu.Lock()
			defer mu.Unlock()
			if n != 12 {
				t.Errorf("%d handshakes, want exactly the burst of 12", n)
			}
		})
	}
}
