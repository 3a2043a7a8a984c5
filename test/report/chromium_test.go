// Package report_test renders the HTML evidence report in headless
// Chromium (Debian's chromium package; .ci/run installs it) and checks what
// a reviewer sees: every control id in the DOM, no CSP refusal under the
// report's own strict policy, and a screenshot saved under test/artifacts/.
package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/evidence"
	"github.com/streamsec/streamsec/internal/evidence/evidencetest"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

const chromiumPath = "/usr/bin/chromium"

func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not found (apt-get install -y chromium); the HTML report browser test needs it and CI installs it", chromiumPath)
	}
	return chromiumPath
}

// renderReport writes the prod report with a failing target's probe
// results, so every status colour shows.
func renderReport(t *testing.T, dir string) string {
	t.Helper()
	l, err := spec.Load(spec.LoadOptions{Stack: "prod", Dir: filepath.Join("..", "..", "stacks"), Embedded: streamsec.Stacks()})
	if err != nil {
		t.Fatal(err)
	}
	s := l.Spec
	gen, err := streamlit.AppSettings(s, streamlit.Runtime{CookieSecretRef: "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/cookie)"})
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string]string{}
	var settings []evidence.Setting
	for _, g := range gen {
		plain[g.Name] = g.Value
		settings = append(settings, evidence.Setting{Name: g.Name, Value: g.Value, Secret: g.Secret})
	}
	pr, data := evidencetest.ProbeRun(t, filepath.Join("..", "..", "internal", "evidence", "testdata", "verify-failing.json"))
	cat, err := controls.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.Build(cat, evidence.Inputs{
		Tool: "streamsec", Version: "test", Now: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		Spec: s, SpecSource: l.Path, Resources: evidencetest.Plan(s, plain), Settings: settings, EnvName: streamlit.EnvName,
		Probes: pr, ProbeSource: "verify-failing.json", ProbeData: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := evidence.HTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func browse(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := "file://" + renderReport(t, dir)

	dom, logs := browse(t, bin, "--dump-dom", page)
	cat, err := controls.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range cat.IDs() {
		for _, where := range []string{`id="` + id + `"`, `id="chip-` + id + `"`} {
			if !strings.Contains(dom, where) {
				t.Errorf("DOM lacks %s", where)
			}
		}
	}
	for _, want := range []string{"<svg", "NOT MET", "RESIDUAL", "Not met: what to do"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q", want)
		}
	}
	// The report's own CSP (default-src 'none', style by hash) must not
	// refuse anything: a refusal means a style or resource slipped in.
	if strings.Contains(logs, "Content Security Policy") || strings.Contains(logs, "violates") || strings.Contains(logs, "Refused to") {
		t.Errorf("Chromium reported a CSP refusal:\n%s", logs)
	}

	artifacts := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	shot, err := filepath.Abs(filepath.Join(artifacts, "report-prod.png"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(shot)
	browse(t, bin, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars", page)
	fi, err := os.Stat(shot)
	if err != nil || fi.Size() < 10000 {
		t.Fatalf("screenshot %s: %v (size %v)", shot, err, fi)
	}
	t.Logf("screenshot saved to %s (%d bytes)", shot, fi.Size())

	// Print: the @media print rules must give a real document.
	pdf := strings.TrimSuffix(shot, ".png") + ".pdf"
	os.Remove(pdf)
	browse(t, bin, "--print-to-pdf="+pdf, "--no-pdf-header-footer", page)
	data, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF")) || len(data) < 10000 {
		t.Fatalf("print to PDF %s: %v (%d bytes)", pdf, err, len(data))
	}
	t.Logf("print saved to %s (%d bytes)", pdf, len(data))
}
