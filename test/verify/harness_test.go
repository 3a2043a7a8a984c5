//go:build e2e

// Package verify_test runs `streamsec verify` against real servers (see
// test/targets): every real Streamlit release of the matrix behind nginx,
// weak, hardened and with the edge weak but the app rendered
// (streamlit_test.go). End-to-end only (build tag e2e, run by .ci/run).
package verify_test

import (
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/test/targets"
)

// setup is one target: nginx in front of the app, and the verify flags
// that reach it.
type setup struct {
	args      []string
	edge      *targets.Edge
	connectTo []string
	caFile    string
	direct    string
}

// optionsFrom is the setup as probe options, for benchmarks that skip the
// command layer.
func optionsFrom(t targets.TB, s setup) probe.Options {
	pool := x509.NewCertPool()
	data, err := os.ReadFile(s.caFile)
	if err != nil || !pool.AppendCertsFromPEM(data) {
		t.Fatalf("ca file %s: %v", s.caFile, err)
	}
	return probe.Options{URL: s.args[0], ConnectTo: s.connectTo, RootCAs: pool, DirectHost: s.direct, Timeout: 30 * time.Second}
}

// routes are the --connect-to flags mapping host's 443 and 80 to the edge.
func routes(host string, e *targets.Edge) []string {
	return []string{fmt.Sprintf("%s:443:127.0.0.1:%d", host, e.HTTPSPort), fmt.Sprintf("%s:80:127.0.0.1:%d", host, e.HTTPPort)}
}

// weakEdge starts the weak nginx in front of appPort with a certificate for
// another host that expires in 10 days, and returns the verify flags:
// --insecure (without it no HTTP probe could run, and it fails the
// certificate probe) and the app port itself as --direct-host.
func weakEdge(t targets.TB, host, upstreamHost string, appPort int) setup {
	nginx := targets.Nginx(t)
	p := targets.NewPKI(t)
	cert, key := p.Issue(t, "weak", 10*24*time.Hour, "other.streamsec.test")
	e := &targets.Edge{AppPort: appPort, HTTPPort: targets.FreePort(t), HTTPSPort: targets.FreePort(t), Cert: cert, Key: key, Host: host, UpstreamHost: upstreamHost}
	targets.StartNginx(t, nginx, targets.WeakConf, e)
	r := routes(host, e)
	return setup{edge: e, connectTo: r, caFile: p.CAFile, args: []string{
		"https://" + host + "/", "--connect-to", r[0], "--connect-to", r[1], "--ca-file", p.CAFile,
		"--direct-host", fmt.Sprintf("http://127.0.0.1:%d", appPort), "--insecure",
	}}
}

// hardenedEdge starts the hardened nginx in front of appPort, blocking
// blocked, and returns the verify flags.
func hardenedEdge(t targets.TB, host, upstreamHost string, appPort int, rateLimit bool, blocked []string) setup {
	nginx := targets.Nginx(t)
	p := targets.NewPKI(t)
	cert, key := p.Issue(t, "hardened", 365*24*time.Hour, host)
	e := &targets.Edge{AppPort: appPort, HTTPPort: targets.FreePort(t), HTTPSPort: targets.FreePort(t), DirectPort: targets.FreePort(t),
		Cert: cert, Key: key, Host: host, UpstreamHost: upstreamHost, RateLimit: rateLimit, Blocked: blocked}
	targets.StartNginx(t, nginx, targets.HardenedConf, e)
	r := routes(host, e)
	direct := fmt.Sprintf("http://127.0.0.1:%d", e.DirectPort)
	return setup{edge: e, connectTo: r, caFile: p.CAFile, direct: direct, args: []string{
		"https://" + host + "/", "--connect-to", r[0], "--connect-to", r[1], "--ca-file", p.CAFile, "--direct-host", direct,
	}}
}
