package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
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

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/probe"
)

func factory(t *testing.T) (*cli.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	return &cli.Factory{
		IO:         &cli.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut},
		Version:    "test",
		ProjectDir: t.TempDir(), // no stacks/ here: the embedded stack files are used
		Getenv:     func(string) string { return "" },
		Now:        time.Now,
	}, &out, &errOut
}

func execute(t *testing.T, f *cli.Factory, runF func(*VerifyOptions) error, args ...string) error {
	t.Helper()
	cmd := NewCmdVerify(f, runF)
	cmd.SetArgs(args)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.InputError(err) })
	return cmd.ExecuteContext(context.Background())
}

func TestUsageErrorsExit2(t *testing.T) {
	missingCA := filepath.Join(t.TempDir(), "nope.pem")
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", nil, "exactly one URL"},
		{"two urls", []string{"https://a.example", "https://b.example"}, "exactly one URL"},
		{"bad url", []string{"ftp://a.example"}, "scheme must be https"},
		{"bad resolve", []string{"https://a.example", "--resolve", "a.example:443"}, "--resolve"},
		{"bad connect-to", []string{"https://a.example", "--connect-to", "a.example:443:x:1"}, "--connect-to"},
		{"missing ca", []string{"https://a.example", "--ca-file", missingCA}, "--ca-file"},
		{"not pem", []string{"https://a.example", "--ca-file", notPEM}, "no PEM certificate"},
		{"bad format", []string{"https://a.example", "--format", "yaml"}, "--format"},
		{"bad origin", []string{"https://a.example", "--origin", "evil"}, "--origin"},
		{"bad timeout", []string{"https://a.example", "--timeout", "0s"}, "--timeout"},
		{"bad stack", []string{"https://a.example", "--stack", "nope"}, "nope"},
		{"save folder missing", []string{"https://a.example", "--save", filepath.Join(missingCA, "x", "run.json")}, "--save"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, _ := factory(t)
			err := execute(t, f, nil, tt.args...)
			if code := cli.ExitCode(err); code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2: %v", code, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout on a usage error: %s", out.String())
			}
		})
	}
}

func TestFlagsReachOptions(t *testing.T) {
	f, _, _ := factory(t)
	var got *VerifyOptions
	err := execute(t, f, func(o *VerifyOptions) error { got = o; return nil },
		"https://dash.example.com/app", "--origin", "https://dash.example.com", "--direct-host", "app.azurewebsites.net",
		"--resolve", "dash.example.com:443:203.0.113.7", "--active", "--insecure", "--timeout", "20s", "--format", "json", "--save", "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://dash.example.com/app" || got.DirectHost != "app.azurewebsites.net" || !got.Active || !got.Insecure ||
		got.Timeout != 20*time.Second || got.Format != "json" || got.Save != "x.json" || len(got.Resolve) != 1 || got.UseStack {
		t.Errorf("options: %+v", got)
	}
}

func TestStackGivesOriginsPathsAndLimit(t *testing.T) {
	f, _, _ := factory(t)
	opts := &VerifyOptions{IO: f.IO, Factory: f, URL: "https://dash.example.com/", Stack: cli.StackFlags{Stack: "prod"}, UseStack: true, Timeout: time.Minute}
	po, err := probeOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(po.Origins) == 0 || po.Origins[0] != "https://dash.example.com" {
		t.Errorf("origins %v", po.Origins)
	}
	if len(po.BlockedPaths) < 2 || po.MessageLimit <= 0 {
		t.Errorf("paths %v limit %d", po.BlockedPaths, po.MessageLimit)
	}
	// --origin wins over the Spec.
	opts.Origins = []string{"https://other.example"}
	po, _ = probeOptions(opts)
	if len(po.Origins) != 1 || po.Origins[0] != "https://other.example" {
		t.Errorf("--origin lost: %v", po.Origins)
	}
}

// hardenedApp is a fake Streamlit behind a hardened proxy.
func hardenedApp(origin string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=63072000")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=()")
		switch r.URL.Path {
		case "/_stcore/stream":
			if r.Header.Get("Origin") != origin || r.Header.Get("Sec-WebSocket-Version") != "13" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			conn, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			rw.Flush()
		case "/_stcore/metrics", "/st-metrics":
			w.WriteHeader(http.StatusNotFound)
		default:
			io.WriteString(w, "<!doctype html><title>Streamlit</title>")
		}
	})
}

func startTLS(t *testing.T, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	return srv, ca
}

func closedPort(t *testing.T) string {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	return l.Addr().(*net.TCPAddr).AddrPort().String()
}

func TestHardenedFakeExits0AndSaves(t *testing.T) {
	var srv *httptest.Server
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hardenedApp(srv.URL).ServeHTTP(w, r) })
	srv, ca := startTLS(t, h)
	f, out, errOut := factory(t)
	save := filepath.Join(t.TempDir(), "run.json")
	err := execute(t, f, nil, srv.URL+"/", "--ca-file", ca, "--connect-to", "127.0.0.1:80:"+closedPort(t), "--save", save)
	if err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", cli.ExitCode(err), err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "PASS") || !strings.Contains(out.String(), "UNKNOWN        direct-origin-refused") {
		t.Errorf("text output:\n%s", out.String())
	}
	run, err := probe.Load(save)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := run.Probe("origin-null-refused"); !ok || p.Status != probe.Pass {
		t.Errorf("saved run: %+v", p)
	}
}

// Any Server header naming the app server (Tornado, uvicorn on 1.57+,
// other Python servers) or a version fails server-header-hidden.
func TestWeakFakeExits1WithJSON(t *testing.T) {
	for _, banner := range []string{"TornadoServer/6.4", "uvicorn", "Python/3.11 aiohttp/3.9.1", "gunicorn", "hypercorn-h11", "nginx/1.22.1"} {
		t.Run(banner, func(t *testing.T) {
			srv, ca := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", banner)
				io.WriteString(w, "<!doctype html>")
			}))
			f, out, errOut := factory(t)
			err := execute(t, f, nil, srv.URL, "--ca-file", ca, "--format", "json", "--connect-to", "127.0.0.1:80:"+closedPort(t))
			if code := cli.ExitCode(err); code != cli.ExitFailed {
				t.Fatalf("exit %d, want 1: %v", code, err)
			}
			var doc struct {
				Probes []struct {
					ID       string            `json:"id"`
					Controls []string          `json:"controls"`
					Status   string            `json:"status"`
					Evidence map[string]string `json:"evidence"`
				} `json:"probes"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("json: %v\n%s", err, out.String())
			}
			found := false
			for _, p := range doc.Probes {
				if p.ID == "server-header-hidden" {
					found = p.Status == "fail" && p.Controls[0] == "WS-HDR-01" && strings.Contains(p.Evidence["headers"], banner)
				}
			}
			if !found {
				t.Errorf("server-header-hidden not a fail with evidence:\n%s", out.String())
			}
			if !strings.Contains(errOut.String(), "mandatory probe(s) failed") {
				t.Errorf("stderr: %s", errOut.String())
			}
		})
	}
}

// recordingDialer records every connection (and so every name lookup) a
// run asks for, and refuses them all.
type recordingDialer struct {
	mu    sync.Mutex
	calls []string
}

func (d *recordingDialer) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, network+" "+addr)
	return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("recording dialer: no network in this test")}
}

// A host that cannot be a DNS name or address is bad input: exit 2, a
// short message, and nothing looked up or contacted.
func TestImpossibleHostExits2WithoutNetwork(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"underscore", "https://exa_mple.com", `has '_'`},
		{"10 kB host", "https://" + strings.Repeat("a", 10000) + ".example.com/", "at most 253"},
		{"label over 63", "https://" + strings.Repeat("b", 64) + ".example.com/", "at most 63"},
		{"leading hyphen", "https://-dash.example.com/", "hyphen"},
		{"trailing hyphen", "https://dash-.example.com/", "hyphen"},
		{"empty label", "https://dash..example.com/", "empty label"},
		{"numeric end", "https://1.2.3.999/", "numeric"},
		{"direct host", "https://dash.example.com/ --direct-host app_1.azurewebsites.net", `has '_'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := factory(t)
			d := &recordingDialer{}
			args := strings.Fields(tt.url)
			opts := &VerifyOptions{IO: f.IO, Factory: f, URL: args[0], Timeout: 10 * time.Second, Format: "json", Dialer: d}
			if len(args) == 3 {
				opts.DirectHost = args[2]
			}
			err := runVerify(context.Background(), opts)
			if code := cli.ExitCode(err); code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2: %v", code, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if n := len(err.Error()); n > 400 {
				t.Errorf("message is %d bytes long, want a short one", n)
			}
			if out.Len() != 0 || errOut.Len() != 0 {
				t.Errorf("output on bad input: %d + %d bytes", out.Len(), errOut.Len())
			}
			if len(d.calls) != 0 {
				t.Errorf("the network was used: %v", d.calls[:min(len(d.calls), 3)])
			}
		})
	}
	// A good name does reach the dialer: the recorder is really in the path.
	f, _, _ := factory(t)
	d := &recordingDialer{}
	_ = runVerify(context.Background(), &VerifyOptions{IO: f.IO, Factory: f, URL: "https://dash.example.com/", Timeout: 2 * time.Second, Format: "json", Dialer: d})
	if len(d.calls) == 0 {
		t.Error("a valid host was never dialled through the recorder")
	}
}

// With --timeout 10s and a site that never answers its page, the TLS
// probes (which need no page) still run and pass, and the page probes say
// which share of the bound ran out.
func TestTLSProbesRunWhenThePageNeverComes(t *testing.T) {
	hang := make(chan struct{})
	srv, ca := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang) }) // runs before srv.Close (cleanups are LIFO)
	f, out, _ := factory(t)
	err := execute(t, f, nil, srv.URL+"/", "--ca-file", ca, "--format", "json", "--timeout", "10s", "--connect-to", "127.0.0.1:80:"+closedPort(t))
	if code := cli.ExitCode(err); code != cli.ExitFailed {
		t.Fatalf("exit %d, want 1: %v", code, err)
	}
	run, derr := probe.Decode(out.Bytes())
	if derr != nil {
		t.Fatal(derr)
	}
	for _, id := range []string{"tls-1.0-refused", "tls-1.1-refused", "tls-1.2-accepted", "tls-1.3-accepted", "tls-certificate-valid"} {
		if p, _ := run.Probe(id); p.Status != probe.Pass {
			t.Errorf("%s: %s: %s", id, p.Status, p.Evidence.Detail)
		}
	}
	p, _ := run.Probe("hsts")
	if p.Status != probe.Unknown || !strings.Contains(p.Evidence.Detail, "first page request's share") {
		t.Errorf("hsts: %s: %s", p.Status, p.Evidence.Detail)
	}

	// A server that accepts connections and never says a word: the TLS
	// probes are still made, and say which share of the bound ran out.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	f, out, _ = factory(t)
	_ = execute(t, f, nil, "https://"+l.Addr().String()+"/", "--format", "json", "--timeout", "10s", "--connect-to", "127.0.0.1:80:"+closedPort(t))
	run, derr = probe.Decode(out.Bytes())
	if derr != nil {
		t.Fatal(derr)
	}
	for _, id := range []string{"tls-1.0-refused", "tls-1.2-accepted", "tls-certificate-valid"} {
		if p, _ := run.Probe(id); p.Status != probe.Unknown || !strings.Contains(p.Evidence.Detail, "the TLS and direct-origin probes' share (3s) of the run's time bound (--timeout 10s)") {
			t.Errorf("%s against a silent server: %s: %s", id, p.Status, p.Evidence.Detail)
		}
	}
}

func TestUnreachableExits1WithinBound(t *testing.T) {
	f, out, _ := factory(t)
	start := time.Now()
	err := execute(t, f, nil, "https://"+closedPort(t)+"/", "--timeout", "3s")
	if code := cli.ExitCode(err); code != cli.ExitFailed {
		t.Fatalf("exit %d, want 1", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if !strings.Contains(out.String(), "did not answer") {
		t.Errorf("no clear message:\n%s", out.String())
	}
}

// Every reporter renders a verify run (here an unreachable target: all
// unknown), and the exit code stays 1.
func TestEveryFormat(t *testing.T) {
	for _, format := range output.Formats() {
		t.Run(format, func(t *testing.T) {
			f, out, _ := factory(t)
			err := execute(t, f, nil, "https://"+closedPort(t)+"/", "--timeout", "2s", "--format", format)
			if code := cli.ExitCode(err); code != cli.ExitFailed {
				t.Fatalf("exit %d, want 1: %v", code, err)
			}
			if !strings.Contains(out.String(), "origin-null-refused") {
				t.Errorf("%s output lacks the probe ids:\n%s", format, out.String())
			}
		})
	}
}
