//go:build e2e

package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/verify"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/test/targets"
)

// wantControls is every probe of the active suite with its control ids.
var wantControls = map[string][]string{
	"tls-1.0-refused":                          {"WS-TLS-02"},
	"tls-1.1-refused":                          {"WS-TLS-02"},
	"tls-1.2-accepted":                         {"WS-TLS-02"},
	"tls-1.3-accepted":                         {"WS-TLS-02"},
	"tls-certificate-valid":                    {"WS-TLS-03"},
	"tls-certificate-expiry":                   {"WS-TLS-03"},
	"http-redirects-to-https":                  {"WS-TLS-01"},
	"ws-plain-not-upgraded":                    {"WS-TLS-01"},
	"hsts":                                     {"WS-TLS-04"},
	"origin-allowed-accepted":                  {"WS-ORG-01"},
	"origin-foreign-refused":                   {"WS-ORG-01"},
	"origin-null-refused":                      {"WS-ORG-01"},
	"origin-file-refused":                      {"WS-ORG-01"},
	"origin-other-scheme-refused":              {"WS-ORG-01"},
	"origin-other-port-refused":                {"WS-ORG-01"},
	"origin-suffix-refused":                    {"WS-ORG-01"},
	"origin-prefix-refused":                    {"WS-ORG-01"},
	"origin-missing-refused":                   {"WS-ORG-01", "WS-AUTH-01"},
	"compression-not-negotiated":               {"WS-CMP-01"},
	"legacy-version-refused":                   {"WS-PROTO-01"},
	"security-headers":                         {"WS-HDR-01"},
	"server-header-hidden":                     {"WS-HDR-01"},
	"path-refused:/_stcore/metrics":            {"WS-EXP-01"},
	"path-refused:/st-metrics":                 {"WS-EXP-01"},
	"path-refused:/_stcore/agent/openapi.json": {"WS-EXP-01"},
	"path-refused:/_stcore/agent/":             {"WS-EXP-01"},
	"direct-origin-refused":                    {"WS-NET-01"},
	"rate-limit-burst":                         {"WS-RATE-01"},
	"oversized-frame-closed":                   {"WS-SIZE-01"},
}

// positive probes show the handshake path works at all; a weak setup with
// the origin check off accepts the allowed origin too, so they pass on both
// (a refusal elsewhere is only meaningful because this one is accepted).
var positive = map[string]bool{"origin-allowed-accepted": true}

func runVerify(t *testing.T, args ...string) (*probe.Run, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cli.Factory{IO: &cli.IOStreams{Out: &out, ErrOut: &errOut, In: &bytes.Buffer{}}, Version: "test", ProjectDir: t.TempDir(),
		Getenv: func(string) string { return "" }, Now: time.Now}
	cmd := verify.NewCmdVerify(f, nil)
	save := filepath.Join(t.TempDir(), "verify.json")
	cmd.SetArgs(append(args, "--format", "json", "--save", save, "--timeout", "90s"))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	code := cli.ExitCode(err)
	var run probe.Run
	if jerr := json.Unmarshal(out.Bytes(), &run); jerr != nil {
		t.Fatalf("stdout is not the run JSON: %v\n%s\nstderr: %s", jerr, out.String(), errOut.String())
	}
	saved, lerr := probe.Load(save)
	if lerr != nil {
		t.Fatalf("--save file: %v", lerr)
	}
	if len(saved.Probes) != len(run.Probes) {
		t.Errorf("--save has %d probes, stdout %d", len(saved.Probes), len(run.Probes))
	}
	return &run, code, errOut.String()
}

// assertRun checks that the run has every probe of wantControls, each with
// its controls, and the verdict want gives (why says where a verdict
// differs from the setup's model); label prefixes the messages.
func assertRun(t *testing.T, label string, run *probe.Run, want func(id string) (probe.Status, string)) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range run.Probes {
		seen[p.ID] = true
		controls, ok := wantControls[p.ID]
		if !ok {
			t.Errorf("%s: unexpected probe %s", label, p.ID)
			continue
		}
		if !slices.Equal(p.Controls, controls) {
			t.Errorf("%s: %s: controls %v, want %v", label, p.ID, p.Controls, controls)
		}
		if w, why := want(p.ID); p.Status != w {
			t.Errorf("%s %s: %s, want %s %s\n  request: %s\n  status: %s\n  headers: %s\n  detail: %s", label, p.ID, p.Status, w, why,
				p.Evidence.Request, p.Evidence.Status, p.Evidence.Headers, p.Evidence.Detail)
		}
	}
	for id := range wantControls {
		if !seen[id] {
			t.Errorf("%s: probe %s missing from the run", label, id)
		}
	}
}

// BenchmarkDefaultSuiteHardened is the default suite (no --active) against
// the newest release behind the hardened edge; the target is under 3 s per
// run.
func BenchmarkDefaultSuiteHardened(b *testing.B) {
	rels := targets.Releases()
	rel := rels[len(rels)-1]
	r, _ := startRelease(b, rel)
	t, err := probe.Prepare(optionsFrom(b, r.hardened))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		run := probe.Execute(context.Background(), t)
		if run.Failed() {
			for _, p := range run.Probes {
				if p.Status != probe.Pass {
					b.Fatalf("%s: %s: %s", p.ID, p.Status, p.Evidence.Detail)
				}
			}
		}
	}
}
