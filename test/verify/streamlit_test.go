//go:build e2e

package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/render"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
	"github.com/streamsec/streamsec/templates/streamlit"
	"github.com/streamsec/streamsec/test/targets"
)

// The matrix: every real release (test/targets/releases.txt) behind nginx,
// in three setups:
//   - weak: the weak edge (TLS 1.0/1.1, no headers, Server passed on, all
//     paths proxied) in front of the release started with no config.toml
//     and the options a careless deployment sets (origin check and XSRF
//     off, compression on);
//   - hardened: the hardened edge (the WAF's rules: exact Origin, version
//     13, internal paths blocked, rate limit; headers; 403 on the direct
//     host) in front of the release running the config.toml that
//     `streamsec render --stack prod` writes for that release;
//   - app-only: the weak edge in front of that same rendered release, so
//     the verdicts show what Streamlit itself enforces with streamsec's
//     config and what only the edge can (the report's residuals).
// Every edge sends the app's *.azurewebsites.net name as Host, as Front
// Door sends the origin host header; the public host is the prod stack's
// domain. Every probe must get the verdict that release really earns: weak
// fails everything, hardened passes everything, app-only passes what the
// rendered config makes Streamlit refuse; each exception is named below
// with what the release's own code does.

// deviation is a probe whose verdict on some releases differs from the
// setup's default, and why.
type deviation struct {
	setup, probe string
	applies      func(r targets.Release) bool
	status       probe.Status
	why          string
}

func since(v string) func(targets.Release) bool {
	return func(r targets.Release) bool {
		return streamlitopts.MustParse(r.Version).AtLeast(streamlitopts.MustParse(v))
	}
}

func before(v string) func(targets.Release) bool {
	return func(r targets.Release) bool {
		return streamlitopts.MustParse(r.Version).Less(streamlitopts.MustParse(v))
	}
}

func always(targets.Release) bool { return true }

// tornadoBefore66 is a release running a Tornado older than 6.6 (pinned):
// tornado/websocket.py get_websocket_protocol accepts versions 7, 8 and 13
// up to 6.5.10 and only 13 from 6.6 (read in both wheels).
func tornadoBefore66(r targets.Release) bool { return r.Pinned("tornado") }

func deviations() []deviation {
	notLegacy := func(r targets.Release) bool { return !tornadoBefore66(r) }
	const legacyWhy = "Tornado 6.6+ (what pip installs with 1.39-1.56 today) answers 426 to version 8 and to a missing version; uvicorn's websockets-sansio protocol (1.57+, starlette_server.py) answers 400. Only Tornado before 6.6 upgrades version 8 (the +tornado-6.4.2 row): WS-PROTO-01 rests on the edge's rule"
	d := []deviation{
		{"weak", "legacy-version-refused", notLegacy, probe.Pass, legacyWhy},
		{"app-only", "legacy-version-refused", notLegacy, probe.Pass, legacyWhy},
		{"weak", "path-refused:/st-metrics", since("1.57.0"), probe.Pass,
			"1.57+ registers only /_stcore/metrics (starlette_routes.py ROUTE_METRICS); /st-metrics is the single-page fallback (200, the index page)"},
		{"weak", "path-refused:/_stcore/agent/openapi.json", before("1.67.0"), probe.Pass,
			"no agent API before 1.67 (no starlette_agent_routes.py): the path is the single-page fallback"},
		{"weak", "path-refused:/_stcore/agent/", always, probe.Pass,
			"the prefix itself is no endpoint: the single-page fallback before 1.67, a redirect on 1.67 (the document under it is probed on its own)"},
	}
	// app-only shares the weak edge's passes on paths (Streamlit serves
	// them whatever its config says).
	for _, w := range d {
		if w.setup == "weak" && strings.HasPrefix(w.probe, "path-refused:") {
			w.setup = "app-only"
			d = append(d, w)
		}
	}
	return d
}

// appOnlyPasses are what the rendered config makes Streamlit itself
// refuse, on every release, with no edge in front.
//
// What app-only still fails is the residual only the edge can close:
// Streamlit compares the Origin's host name only (server_util.py
// is_url_from_allowed_origins via url_util.get_hostname), so the same host
// over http or on another port gets 101; it admits a handshake without
// Origin (Tornado's WebSocketHandler checks the origin only when the header
// is there; starlette_websocket.py _is_origin_allowed returns True for
// None); and everything TLS, headers, paths, rate and direct access are
// the edge's job.
func appOnlyPasses() map[string]string {
	const allowlist = "the rendered browser.serverAddress/server.corsAllowedOrigins admit only the domain's host name (server_util.py is_url_from_allowed_origins); enableCORS stays on"
	return map[string]string{
		"origin-foreign-refused":     allowlist,
		"origin-null-refused":        allowlist,
		"origin-file-refused":        allowlist,
		"origin-suffix-refused":      allowlist,
		"origin-prefix-refused":      allowlist,
		"compression-not-negotiated": "server.enableWebsocketCompression = false (Tornado: get_compression_options None; 1.57+: uvicorn ws_per_message_deflate, starlette_server.py)",
		"oversized-frame-closed":     "server.maxMessageSize = 2 (the Spec's maxMessageSizeMb): Tornado's websocket_max_message_size and uvicorn's ws_max_size close with 1009",
	}
}

// expected is the verdict a probe must have on release r in setup.
func expected(r targets.Release, setup, id string) (probe.Status, string) {
	for _, d := range deviations() {
		if d.setup == setup && d.probe == id && d.applies(r) {
			return d.status, d.why
		}
	}
	if why, ok := appOnlyPasses()[id]; ok && setup == "app-only" {
		return probe.Pass, why
	}
	if setup == "hardened" || positive[id] {
		return probe.Pass, ""
	}
	return probe.Fail, ""
}

// weakFlags are the options a careless deployment sets on the command line.
func weakFlags() []string {
	return []string{"--server.enableCORS", "false", "--server.enableXsrfProtection", "false", "--server.enableWebsocketCompression", "true"}
}

// cell is one release in one setup, for the matrix log.
type cell struct {
	release targets.Release
	setup   string
	run     *probe.Run
}

// release is one release started for the matrix: the same release twice
// (weak options, and the rendered config.toml) and the three setups in
// front of them.
type release struct {
	weak, appOnly, hardened setup
	weakApp, renderedApp    *targets.Streamlit
	stackArgs               []string // --stack prod --set streamlitVersion=...
}

// startRelease renders the prod stack's config.toml for rel with the real
// `streamsec render`, starts rel with it and with the weak options, and
// puts the edges in front. The public host is the stack's domain and every
// edge sends the stack's *.azurewebsites.net name as Host.
func startRelease(t testing.TB, rel targets.Release) (*release, *spec.Spec) {
	t.Helper()
	targets.Nginx(t)
	venv := targets.Venv(t, rel)
	stack := cli.StackFlags{Stack: "prod", Set: []string{"streamlitVersion=" + rel.Version}}
	f := testFactory(t)
	loaded, err := f.LoadSpec(stack)
	if err != nil {
		t.Fatal(err)
	}
	s := loaded.Spec
	host, upstream := s.Domain, streamlit.AppHostName(s)
	dir := t.TempDir()
	renderConfig(t, f, stack, dir)
	r := &release{stackArgs: []string{"--stack", stack.Stack, "--set", stack.Set[0]}}
	r.renderedApp = targets.StartStreamlit(t, rel.Name(), venv, dir)
	r.weakApp = targets.StartStreamlit(t, rel.Name(), venv, t.TempDir(), weakFlags()...)
	r.weak = weakEdge(t, host, upstream, r.weakApp.Port)
	r.appOnly = weakEdge(t, host, upstream, r.renderedApp.Port)
	r.hardened = hardenedEdge(t, host, upstream, r.renderedApp.Port, true, s.BlockedPathsAll())
	return r, s
}

func TestRealStreamlitMatrix(t *testing.T) {
	targets.Nginx(t)
	cells := make(chan cell, 3*len(targets.Releases()))
	t.Run("releases", func(t *testing.T) {
		for _, rel := range targets.Releases() {
			t.Run(rel.Name(), func(t *testing.T) {
				t.Parallel()
				r, _ := startRelease(t, rel)
				for _, c := range []struct {
					name string
					s    setup
					app  *targets.Streamlit
				}{
					{"weak", r.weak, r.weakApp},
					{"app-only", r.appOnly, r.renderedApp},
					{"hardened", r.hardened, r.renderedApp},
				} {
					run, code, stderr := runVerify(t, append(append(c.s.args, r.stackArgs...), "--active")...)
					cells <- cell{rel, c.name, run}
					assertRun(t, c.name, run, func(id string) (probe.Status, string) { return expected(rel, c.name, id) })
					wantCode := cli.ExitFailed
					if c.name == "hardened" {
						wantCode = cli.ExitOK
					}
					if code != wantCode {
						t.Errorf("%s: exit %d, want %d; stderr: %s", c.name, code, wantCode, stderr)
					}
					if t.Failed() {
						t.Logf("streamlit %s (%s) log:\n%s", rel.Name(), c.name, c.app.Log())
					}
				}
			})
		}
	})
	close(cells)
	logMatrix(t, cells)
}

// logMatrix prints probe x (release, setup) verdicts; go test -v shows it.
func logMatrix(t *testing.T, cells <-chan cell) {
	var cols []cell
	for c := range cells {
		cols = append(cols, c)
	}
	order := map[string]int{"weak": 0, "app-only": 1, "hardened": 2}
	sort.Slice(cols, func(i, j int) bool {
		if a, b := cols[i].release.Name(), cols[j].release.Name(); a != b {
			return streamlitopts.MustParse(cols[i].release.Version).Less(streamlitopts.MustParse(cols[j].release.Version)) || a < b
		}
		return order[cols[i].setup] < order[cols[j].setup]
	})
	if len(cols) == 0 {
		return
	}
	var b strings.Builder
	label := func(c cell) string {
		l := c.release.Version
		if len(c.release.Pins) > 0 {
			l += "*"
		}
		return l + c.setup[:1]
	}
	fmt.Fprintf(&b, "%-42s", "probe")
	for _, c := range cols {
		fmt.Fprintf(&b, " %-8s", label(c))
	}
	b.WriteString("\n")
	for _, p := range cols[0].run.Probes {
		fmt.Fprintf(&b, "%-42s", p.ID)
		for _, c := range cols {
			got, _ := c.run.Probe(p.ID)
			fmt.Fprintf(&b, " %-8s", got.Status)
		}
		b.WriteString("\n")
	}
	t.Logf("verdicts (w: weak, a: app-only, h: hardened; *: with a pinned older dependency, see releases.txt):\n%s", b.String())
}

func testFactory(t testing.TB) *cli.Factory {
	var out, errOut bytes.Buffer
	return &cli.Factory{IO: &cli.IOStreams{Out: &out, ErrOut: &errOut, In: &bytes.Buffer{}}, Version: "test", ProjectDir: t.TempDir(),
		Getenv: func(string) string { return "" }, Now: time.Now}
}

// renderConfig runs `streamsec render --stack ... --out dir`, the file a
// team would commit, for the release under test.
func renderConfig(t testing.TB, f *cli.Factory, stack cli.StackFlags, dir string) {
	t.Helper()
	cmd := render.NewCmdRender(f, nil)
	args := []string{"--stack", stack.Stack, "--out", dir}
	for _, s := range stack.Set {
		args = append(args, "--set", s)
	}
	cmd.SetArgs(args)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("render %v: %v\n%s", args, err, out.String())
	}
}
