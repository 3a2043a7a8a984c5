package evidence_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/evidence"
	"github.com/streamsec/streamsec/internal/evidence/evidencetest"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var fixedNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

const kvRef = "@Microsoft.KeyVault(SecretUri=https://acme-vault.vault.azure.net/secrets/streamlit-cookie-secret)"

func loadSpec(t testing.TB, stack string, set ...string) *spec.Spec {
	t.Helper()
	l, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: filepath.Join("..", "..", "stacks"), Embedded: streamsec.Stacks(), Set: set})
	if err != nil {
		t.Fatalf("load spec %s: %v", stack, err)
	}
	return l.Spec
}

// inputs builds fixed inputs for a stack: the hand-made plan, the real
// generated Streamlit settings, a small rule list and no probes.
func inputs(t testing.TB, s *spec.Spec) evidence.Inputs {
	t.Helper()
	gen, err := streamlit.AppSettings(s, streamlit.Runtime{CookieSecretRef: kvRef, ExtraOrigins: nil})
	if err != nil {
		t.Fatalf("app settings: %v", err)
	}
	plain := map[string]string{}
	var settings []evidence.Setting
	for _, g := range gen {
		plain[g.Name] = g.Value
		settings = append(settings, evidence.Setting{Name: g.Name, Value: g.Value, Secret: g.Secret})
	}
	return evidence.Inputs{
		Tool: "streamsec", Version: "test", Now: fixedNow,
		Spec: s, SpecSource: "stacks/Pulumi." + s.Stack + ".yaml",
		Resources: evidencetest.Plan(s, plain),
		Rules: []evidence.RuleInfo{
			{ID: "appservice-https-only", Title: "App Service accepts HTTPS only", Controls: []string{"WS-TLS-01"},
				AzurePolicyIDs: []string{"a4af4a39-4135-47fb-b175-47fbdf85311d"}, Enforcement: "mandatory", Types: []string{"azure-native:web:WebApp"}},
			{ID: "waf-origin-allowlist", Title: "WAF blocks foreign Origins on /_stcore/stream", Controls: []string{"WS-ORG-01"},
				Enforcement: "mandatory", Types: []string{"azure-native:network:Policy"}},
		},
		Settings: settings,
		EnvName:  streamlit.EnvName,
	}
}

func build(t testing.TB, in evidence.Inputs) *evidence.Report {
	t.Helper()
	cat, err := controls.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := evidence.Build(cat, in)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return r
}

func answer(t testing.TB, r *evidence.Report, id string) evidence.Answer {
	t.Helper()
	for _, a := range r.Controls {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("control %s not in report", id)
	return evidence.Answer{}
}

func withProbes(t testing.TB, in evidence.Inputs, file string) evidence.Inputs {
	t.Helper()
	pr, data := evidencetest.ProbeRun(t, file)
	in.Probes, in.ProbeSource, in.ProbeData = pr, filepath.Base(file), data
	return in
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/evidence -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended run: go test ./internal/evidence -run Golden -update\n--- got (first 2000 bytes)\n%s", name, got[:min(len(got), 2000)])
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name, stack, probes string
	}{
		{"prod", "prod", ""},
		{"prod-failing-target", "prod", "testdata/verify-failing.json"},
		{"dev", "dev", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := inputs(t, loadSpec(t, tc.stack))
			if tc.probes != "" {
				in = withProbes(t, in, tc.probes)
			}
			r := build(t, in)
			for _, f := range []struct{ ext, format string }{{"md", "markdown"}, {"json", "json"}} {
				var buf bytes.Buffer
				if err := evidence.Render(&buf, f.format, r); err != nil {
					t.Fatal(err)
				}
				golden(t, tc.name+"."+f.ext+".golden", buf.Bytes())
			}
		})
	}
}

func TestProdAnswersEveryControl(t *testing.T) {
	cat, err := controls.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := build(t, inputs(t, loadSpec(t, "prod")))
	if len(r.Controls) != len(cat.Controls) {
		t.Fatalf("report answers %d controls, catalogue has %d", len(r.Controls), len(cat.Controls))
	}
	valid := map[string]bool{evidence.Met: true, evidence.NotMet: true, evidence.NotApplicable: true, evidence.Residual: true}
	for i, a := range r.Controls {
		if a.ID != cat.Controls[i].ID {
			t.Errorf("controls[%d] = %s, want %s", i, a.ID, cat.Controls[i].ID)
		}
		if !valid[a.Status] || a.Reason == "" {
			t.Errorf("%s: status %q reason %q", a.ID, a.Status, a.Reason)
		}
		if a.Status == evidence.Met && len(a.Evidence) == 0 {
			t.Errorf("%s: met without evidence", a.ID)
		}
	}
	// The hardened prod plan meets every control the stack can enforce
	// (WS-PROTO-01 by the WAF's version rule); only probe-only controls
	// stay not met (not yet shown) without probes.
	for _, a := range r.Controls {
		switch a.ID {
		case "WS-TEST-01":
			if a.Status != evidence.NotMet || !strings.Contains(a.Reason, "not yet shown") {
				t.Errorf("%s without probes: %s (%s), want not-met, not yet shown", a.ID, a.Status, a.Reason)
			}
		case "WS-AUTHZ-01", "WS-INP-01", "WS-INP-02", "WS-RATE-02", "WS-AUTH-02", "WS-PATCH-01":
			if a.Status != evidence.Residual {
				t.Errorf("%s: %s, want residual", a.ID, a.Status)
			}
		default:
			if a.Status != evidence.Met {
				t.Errorf("%s: %s (%s), want met on the hardened prod plan", a.ID, a.Status, a.Reason)
			}
		}
	}
}

func TestFailingTargetShowsNotMetWithProbeEvidence(t *testing.T) {
	r := build(t, withProbes(t, inputs(t, loadSpec(t, "prod")), "testdata/verify-failing.json"))
	for id, probeID := range map[string]string{"WS-ORG-01": "origin-foreign-refused", "WS-TLS-02": "tls-1.0-refused", "WS-HDR-01": "security-headers", "WS-CMP-01": "compression-not-negotiated"} {
		a := answer(t, r, id)
		if a.Status != evidence.NotMet {
			t.Errorf("%s: %s, want not-met", id, a.Status)
		}
		var found bool
		for _, it := range a.Evidence {
			if it.Source == evidence.SourceProbe && it.Subject == probeID {
				found = true
				if it.Target != "https://dash.example.com" || it.Time != "2026-11-28T09:00:07Z" {
					t.Errorf("%s %s: target %q time %q", id, probeID, it.Target, it.Time)
				}
				if it.Status == evidence.ItemPass {
					t.Errorf("%s %s shown as pass", id, probeID)
				}
			}
		}
		if !found {
			t.Errorf("%s: no evidence from probe %s", id, probeID)
		}
		if a.Action == "" {
			t.Errorf("%s: not met without an action", id)
		}
	}
	// A probe that passed keeps its control met.
	if a := answer(t, r, "WS-PROTO-01"); a.Status != evidence.Met {
		t.Errorf("WS-PROTO-01 with a passing probe: %s (%s)", a.Status, a.Reason)
	}
	// The missing-Origin probe is only a hint for authentication: prod's
	// Entra ID settings decide WS-AUTH-01, the hint cannot make it met or not.
	if a := answer(t, r, "WS-AUTH-01"); a.Status != evidence.Met {
		t.Errorf("WS-AUTH-01: %s (%s)", a.Status, a.Reason)
	}
	if r.Summary.Counts[evidence.NotMet] < 4 || len(r.Summary.NotMet) != r.Summary.Counts[evidence.NotMet] {
		t.Errorf("summary: %+v", r.Summary)
	}
}

func TestWeakPlanIsNotMet(t *testing.T) {
	s := loadSpec(t, "prod")
	cases := []struct {
		control string
		mutate  func(rs []inventory.Resource)
	}{
		{"WS-TLS-01", func(rs []inventory.Resource) { rs[0].Inputs["httpsOnly"] = false }},
		{"WS-TLS-02", func(rs []inventory.Resource) { rs[0].Inputs["siteConfig"].(map[string]any)["minTlsVersion"] = "1.0" }},
		{"WS-NET-01", func(rs []inventory.Resource) {
			rs[0].Inputs["siteConfig"].(map[string]any)["ipSecurityRestrictionsDefaultAction"] = "Allow"
		}},
		{"WS-NET-02", func(rs []inventory.Resource) {
			rs[0].Inputs["siteConfig"].(map[string]any)["webSocketsEnabled"] = inventory.Unknown
		}},
		{"WS-TLS-04", func(rs []inventory.Resource) {
			for _, r := range rs {
				if r.Type == "azure-native:cdn:Rule" {
					r.Inputs["actions"] = []any{}
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.control, func(t *testing.T) {
			in := inputs(t, s)
			tc.mutate(in.Resources)
			a := answer(t, build(t, in), tc.control)
			if a.Status != evidence.NotMet {
				t.Errorf("%s: %s (%s), want not-met", tc.control, a.Status, a.Reason)
			}
		})
	}
}

func TestViolationMakesNotMet(t *testing.T) {
	in := inputs(t, loadSpec(t, "prod"))
	in.Violations = []evidence.Violation{{Policy: "waf-origin-allowlist", Severity: "mandatory", URN: "urn:x", Type: "azure-native:network:Policy",
		Message: "Origin allowlist contains null", Controls: []string{"WS-ORG-01"}, Property: "customRules.rules"}}
	a := answer(t, build(t, in), "WS-ORG-01")
	if a.Status != evidence.NotMet || !strings.Contains(a.Reason, "waf-origin-allowlist") {
		t.Errorf("WS-ORG-01: %s (%s)", a.Status, a.Reason)
	}
}

func TestDevAuthIsResidualNotMet(t *testing.T) {
	r := build(t, inputs(t, loadSpec(t, "dev")))
	if a := answer(t, r, "WS-AUTH-01"); a.Status != evidence.Residual || a.Residual == nil {
		t.Errorf("dev WS-AUTH-01 (authMode none): %s, want residual saying whose job", a.Status)
	}
	a := answer(t, r, "WS-DOS-02")
	if a.Status != evidence.Met {
		t.Errorf("dev WS-DOS-02: %s (%s)", a.Status, a.Reason)
	}
	// Standard has no managed rule sets: said as an advisory failure, not hidden.
	var advisory bool
	for _, it := range a.Evidence {
		advisory = advisory || (!it.Required && it.Status == evidence.ItemFail && strings.Contains(it.Property, "Microsoft_DefaultRuleSet"))
	}
	if !advisory {
		t.Errorf("dev WS-DOS-02 does not say the managed rule sets are missing on Standard: %+v", a.Evidence)
	}
}

func TestProbesAgainstAnotherHostAreFlagged(t *testing.T) {
	in := withProbes(t, inputs(t, loadSpec(t, "prod")), "testdata/verify-failing.json")
	if w := build(t, in).Summary.Warnings; len(w) != 0 {
		t.Errorf("probes on the stack's domain flagged: %v", w)
	}
	in.Probes.Target = "https://staging.example.net"
	if w := build(t, in).Summary.Warnings; len(w) != 1 || !strings.Contains(w[0], "staging.example.net") {
		t.Errorf("probes on another host not flagged: %v", w)
	}
}

func TestNoSecretInAnyFormat(t *testing.T) {
	const secret = "cookie-s3cr3t-VALUE-9f8e7d6c5b4a"
	s := loadSpec(t, "prod", "cookieSecret="+secret)
	in := inputs(t, s)
	// Even if a value leaked into an input, the report must not print it.
	in.Resources[0].Name = "app-" + secret
	in.Settings = append(in.Settings, evidence.Setting{Name: "STREAMLIT_SERVER_COOKIE_SECRET", Value: secret, Secret: true})
	r := build(t, in)
	for _, f := range evidence.Formats() {
		var buf bytes.Buffer
		if err := evidence.Render(&buf, f, r); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(buf.Bytes(), []byte(secret)) {
			t.Errorf("%s output contains the cookie secret", f)
		}
	}
}

func TestJSONContract(t *testing.T) {
	r := build(t, inputs(t, loadSpec(t, "prod")))
	var buf bytes.Buffer
	if err := evidence.JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Controls []struct {
			ID       string            `json:"id"`
			Status   string            `json:"status"`
			Evidence []json.RawMessage `json:"evidence"`
		} `json:"controls"`
		GeneratedAt string `json:"generatedAt"`
		Digests     struct {
			Inputs string `json:"inputs"`
		} `json:"digests"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Controls) != 27 || doc.GeneratedAt != "2026-11-28T10:00:00Z" || !strings.HasPrefix(doc.Digests.Inputs, "sha256:") {
		t.Errorf("contract: %d controls, generatedAt %q, digest %q", len(doc.Controls), doc.GeneratedAt, doc.Digests.Inputs)
	}
	for _, c := range doc.Controls {
		if c.Evidence == nil {
			t.Errorf("%s: evidence is null, want an array", c.ID)
		}
	}
}

func TestSARIF(t *testing.T) {
	r := build(t, withProbes(t, inputs(t, loadSpec(t, "prod")), "testdata/verify-failing.json"))
	var buf bytes.Buffer
	if err := evidence.SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Kind      string `json:"kind"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) != 27 {
		t.Fatalf("sarif shape: %+v", log)
	}
	errors := 0
	for _, res := range log.Runs[0].Results {
		if log.Runs[0].Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d points elsewhere", res.RuleID, res.RuleIndex)
		}
		if res.Level == "error" {
			errors++
		}
	}
	if errors != r.Summary.Counts[evidence.NotMet] {
		t.Errorf("sarif errors %d, not met %d", errors, r.Summary.Counts[evidence.NotMet])
	}
}

func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	in := inputs(t, loadSpec(t, "prod"))
	in.Resources[0].Name = `<script>alert(1)</script>`
	in.Resources[0].Inputs["httpsOnly"] = `"><img src=x onerror=alert(1)>`
	var buf bytes.Buffer
	if err := evidence.HTML(&buf, build(t, in)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "<img", `src="`, `href="http`, "<link", "@import", "url(http", ` style="`, " on" + "click="} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(html.UnescapeString(out), evidence.CSP()) || !strings.Contains(out, "<svg") {
		t.Error("HTML lacks its CSP hash or the SVG picture")
	}
	for _, id := range []string{"WS-TLS-01", "WS-TEST-01"} {
		if !strings.Contains(out, `id="chip-`+id+`"`) {
			t.Errorf("picture lacks %s", id)
		}
	}
}

func FuzzBuildAndRender(f *testing.F) {
	f.Add("siteConfig.minTlsVersion", "1.2", "<b>")
	f.Add("customRules.rules[].matchConditions[selector=Origin].matchValue", "]]", "|`\n")
	s := loadSpec(f, "prod")
	base := inputs(f, s)
	cat, err := controls.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key, value, name string) {
		in := base
		rs := evidencetest.Plan(s, map[string]string{key: value})
		rs[0].Name = name
		rs[0].Inputs[key] = value
		in.Resources = rs
		r, err := evidence.Build(cat, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range evidence.Formats() {
			if err := evidence.Render(&bytes.Buffer{}, format, r); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func BenchmarkBuildAndRenderProd(b *testing.B) {
	in := withProbes(b, inputs(b, loadSpec(b, "prod")), "testdata/verify-failing.json")
	cat, err := controls.Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := evidence.Build(cat, in)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range evidence.Formats() {
			if err := evidence.Render(io.Discard, f, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// offlineRun is a `verify --offline` run: judged on the plan's edge.
func offlineRun(results map[string]string) *evidence.ProbeRun {
	ctl := map[string][]string{"origin-foreign-refused": {"WS-ORG-01"}, "legacy-version-refused": {"WS-PROTO-01"}, "tls-1.0-refused": {"WS-TLS-02"}, "hsts": {"WS-TLS-04"}}
	run := &evidence.ProbeRun{Offline: true, Target: "https://dash.example.com"}
	for id, st := range results {
		run.Probes = append(run.Probes, evidence.ProbeResult{ID: id, Title: id, Controls: ctl[id], Status: st, Mandatory: true,
			Detail: "decided by WAF custom rule X", LiveOnly: strings.HasPrefix(id, "tls-")})
	}
	return run
}

// Offline evidence is shown apart from live evidence: the items say where
// they were shown; an offline failure counts, an offline pass does not
// stand in for the live probe, and a live-only probe offline is info.
func TestOfflineEvidenceShownApartFromLive(t *testing.T) {
	in := withProbes(t, inputs(t, loadSpec(t, "prod")), "testdata/verify-failing.json")
	in.Offline = offlineRun(map[string]string{"origin-foreign-refused": "pass", "legacy-version-refused": "fail", "tls-1.0-refused": "unknown"})
	r := build(t, in)
	shown := func(a evidence.Answer) map[string]string {
		m := map[string]string{}
		for _, it := range a.Evidence {
			if it.Source == evidence.SourceProbe || it.Source == evidence.SourceModel {
				m[it.Source+" "+it.Subject] = it.Shown
			}
		}
		return m
	}
	org := shown(answer(t, r, "WS-ORG-01"))
	if org["probe origin-foreign-refused"] != evidence.ShownLive || org["plan-model origin-foreign-refused"] != evidence.ShownOnPlan {
		t.Errorf("WS-ORG-01 evidence not labelled live / on the plan: %v", org)
	}
	// Live passes, the plan fails: not met.
	if a := answer(t, r, "WS-PROTO-01"); a.Status != evidence.NotMet {
		t.Errorf("WS-PROTO-01 with an offline failure: %s (%s)", a.Status, a.Reason)
	}
	for _, it := range answer(t, r, "WS-TLS-02").Evidence {
		if it.Source == evidence.SourceModel && (it.Status != evidence.ItemInfo || it.Required) {
			t.Errorf("live-only probe offline: %+v, want info, not required", it)
		}
	}
	// Without a live run, an offline pass leaves the live probe required.
	in = inputs(t, loadSpec(t, "prod"))
	in.Offline = offlineRun(map[string]string{"legacy-version-refused": "pass"})
	a := answer(t, build(t, in), "WS-PROTO-01")
	for _, it := range a.Evidence {
		if it.Source == evidence.SourceModel && it.Required {
			t.Errorf("an offline pass is required evidence: %+v", it)
		}
	}
	if !slices.Contains(a.NotYetShown, "legacy-version-refused") {
		t.Errorf("the live probe is not listed as not yet shown: %v", a.NotYetShown)
	}
	for _, it := range a.Evidence {
		if it.Source == evidence.SourceProbe && it.Shown != evidence.ShownLive {
			t.Errorf("live item not labelled: %+v", it)
		}
	}
}

// TestAppPackageDigestInReport: a stack whose input shows a OneDeploy
// release names its package digest in the report (JSON and environment);
// one without a release says nothing about a package.
func TestAppPackageDigestInReport(t *testing.T) {
	s := loadSpec(t, "dev")
	in := inputs(t, s)
	if r := build(t, in); r.AppPackage != "" {
		t.Fatalf("report without a release names package %q", r.AppPackage)
	}
	digest := "sha256:" + strings.Repeat("0f", 32)
	in.Resources = append(in.Resources, inventory.Resource{
		URN: "urn:pulumi:dev::streamsec::azure-native:resources:Deployment::streamsec-release-onedeploy-0f0f0f0f0f0f", Type: "azure-native:resources:Deployment",
		Name: "streamsec-release-onedeploy-0f0f0f0f0f0f", Inputs: map[string]any{"tags": map[string]any{"appPackage": digest}},
	})
	r := build(t, in)
	if r.AppPackage != digest {
		t.Errorf("report appPackage = %q, want %s", r.AppPackage, digest)
	}
	found := false
	for _, kv := range r.Environment {
		found = found || (kv.Key == "App package deployed" && kv.Value == digest)
	}
	if !found {
		t.Errorf("environment %v lacks the package digest", r.Environment)
	}
}

// TestOptionalConfigByRelease: an option the targeted release has is
// required (its absence fails), one it lacks is not applicable; a release
// newer than the newest read is marked unverified.
func TestOptionalConfigByRelease(t *testing.T) {
	item := func(a evidence.Answer, subject string) (evidence.Item, bool) {
		for _, it := range a.Evidence {
			if it.Source == evidence.SourceConfig && it.Subject == subject {
				return it, true
			}
		}
		return evidence.Item{}, false
	}
	tests := []struct {
		version string
		drop    bool // remove the allowedHosts setting from settings and plan
		want    string
	}{
		{"1.60.0", false, evidence.ItemNA},
		{"1.61.0", false, evidence.ItemPass},
		{"1.61.0", true, evidence.ItemFail},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/drop=%v", tt.version, tt.drop), func(t *testing.T) {
			s := loadSpec(t, "prod", "streamlitVersion="+tt.version)
			in := inputs(t, s)
			if tt.drop {
				name := streamlit.EnvName("server.allowedHosts")
				in.Settings = slices.DeleteFunc(in.Settings, func(st evidence.Setting) bool { return st.Name == name })
				plain := map[string]string{}
				for _, st := range in.Settings {
					plain[st.Name] = st.Value
				}
				in.Resources = evidencetest.Plan(s, plain)
			}
			it, ok := item(answer(t, build(t, in), "WS-ORG-01"), "server.allowedHosts")
			if !ok || it.Status != tt.want {
				t.Fatalf("allowedHosts item %+v (found %v), want %s", it, ok, tt.want)
			}
		})
	}
	r := build(t, inputs(t, loadSpec(t, "prod", "streamlitVersion=1.70.0")))
	if !strings.Contains(r.StreamlitUnverified, "1.67.0") || len(r.Summary.Warnings) == 0 || !strings.Contains(r.Summary.Warnings[0], "unverified") {
		t.Errorf("1.70.0 not marked unverified: %q, warnings %v", r.StreamlitUnverified, r.Summary.Warnings)
	}
	var md bytes.Buffer
	if err := evidence.Markdown(&md, r); err != nil || !strings.Contains(md.String(), "unverified") {
		t.Errorf("markdown does not say unverified (%v)", err)
	}
	if r := build(t, inputs(t, loadSpec(t, "prod"))); r.StreamlitUnverified != "" {
		t.Errorf("1.67.0 marked unverified: %s", r.StreamlitUnverified)
	}
}

// A rule that judged nothing (the plan holds none of its types) is no
// evidence of "met", stack rules included.
func TestRuleWithoutItsTypesIsNotEvidence(t *testing.T) {
	cases := []struct {
		name string
		rule evidence.RuleInfo
	}{
		{"stack rule", evidence.RuleInfo{ID: "diagnostics-keyvault", Title: "Key Vault sends audit logs", Controls: []string{"WS-LOG-01"},
			Enforcement: "mandatory", Types: []string{"azure-native:keyvault:Vault"}, Stack: true}},
		{"resource rule", evidence.RuleInfo{ID: "keyvault-rbac", Title: "Key Vault uses Azure RBAC", Controls: []string{"WS-LOG-01"},
			Enforcement: "mandatory", Types: []string{"azure-native:keyvault:Vault"}}},
		{"stack rule without types", evidence.RuleInfo{ID: "some-stack-rule", Title: "A stack rule", Controls: []string{"WS-LOG-01"},
			Enforcement: "mandatory", Stack: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := inputs(t, loadSpec(t, "prod"))
			var keep []inventory.Resource
			for _, r := range in.Resources {
				if r.Type != "azure-native:keyvault:Vault" {
					keep = append(keep, r)
				}
			}
			in.Resources = keep
			in.Rules = []evidence.RuleInfo{tc.rule}
			a := answer(t, build(t, in), "WS-LOG-01")
			found := false
			for _, it := range a.Evidence {
				if it.Source != evidence.SourceRule || it.Subject != tc.rule.ID {
					continue
				}
				found = true
				if it.Status != evidence.ItemNA || it.Required {
					t.Errorf("%s: item %s (required %v), want not-applicable and not counted: %s", tc.rule.ID, it.Status, it.Required, it.Message)
				}
			}
			if !found {
				t.Fatalf("no item for %s in WS-LOG-01: %+v", tc.rule.ID, a.Evidence)
			}
		})
	}
}

// TestAllLogsStandsForItsResourcesCategories: a diagnostic setting with the
// allLogs group sends every category of the resource it is on, so it
// answers WS-LOG-01's Front Door checks on the profile, and only there: an
// allLogs setting on the web app (or one whose target is computed) is no
// evidence that Front Door logs.
func TestAllLogsStandsForItsResourcesCategories(t *testing.T) {
	const (
		profile = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/fd"
		site    = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app"
	)
	allLogs := []any{map[string]any{"categoryGroup": "allLogs", "enabled": true}}
	tests := []struct {
		name       string
		frontDoor  any // the Front Door setting's resourceUri
		want       string
		wantSource string // the property the Front Door items cite
	}{
		{"allLogs on the profile", profile, evidence.Met, "logs[categoryGroup=allLogs].enabled"},
		{"allLogs on the web app only", site, evidence.NotMet, "logs[category=FrontDoorAccessLog].enabled"},
		{"allLogs on a computed target", inventory.Unknown, evidence.NotMet, "logs[category=FrontDoorAccessLog].enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := inputs(t, loadSpec(t, "prod"))
			for i, r := range in.Resources {
				if r.Name == "diag-frontdoor" {
					in.Resources[i].Inputs = map[string]any{"resourceUri": tt.frontDoor, "workspaceId": "/w", "logs": allLogs}
				}
			}
			a := answer(t, build(t, in), "WS-LOG-01")
			if a.Status != tt.want {
				t.Errorf("WS-LOG-01 %s (%s), want %s", a.Status, a.Reason, tt.want)
			}
			found := false
			for _, it := range a.Evidence {
				found = found || it.Property == tt.wantSource
			}
			if !found {
				t.Errorf("no item cites %s: %+v", tt.wantSource, a.Evidence)
			}
		})
	}
}
