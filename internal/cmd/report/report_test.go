package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/evidence/evidencetest"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

func factory(out, errOut *bytes.Buffer) *cli.Factory {
	return &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		Version:    "test",
		ProjectDir: filepath.Join("..", "..", ".."),
		Getenv:     func(string) string { return "" },
		Now:        func() time.Time { return time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC) },
	}
}

// planFile writes the hardened hand-made plan of a stack as plan JSON.
func planFile(t *testing.T, stack string) string {
	t.Helper()
	l, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: filepath.Join("..", "..", "..", "stacks")})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := streamlit.AppSettings(l.Spec, streamlit.Runtime{CookieSecretRef: "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/cookie)"})
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, g := range gen {
		settings[g.Name] = g.Value
	}
	data, err := json.Marshal(struct {
		Resources  []inventory.Resource `json:"resources"`
		Violations []any                `json:"violations"`
	}{evidencetest.Plan(l.Spec, settings), []any{}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), stack+"-plan.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewCmdReport(factory(&out, &errOut), nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as the root command does
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestReportJSONProdAnswersEveryControl(t *testing.T) {
	out, _, err := run(t, "--stack", "prod", "--plan", planFile(t, "prod"), "--format", "json")
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var doc struct {
		Controls []struct {
			ID, Status string
			Evidence   []map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Controls) != 27 {
		t.Fatalf("%d controls", len(doc.Controls))
	}
	for _, c := range doc.Controls {
		switch c.Status {
		case "met", "not-met", "not-applicable", "residual":
		default:
			t.Errorf("%s: status %q", c.ID, c.Status)
		}
	}
}

func TestReportWithFailingVerifyFile(t *testing.T) {
	out, _, err := run(t, "--stack", "prod", "--plan", planFile(t, "prod"), "--verify",
		filepath.Join("..", "..", "evidence", "testdata", "verify-failing.json"), "--format", "markdown")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**WS-ORG-01**", "origin-foreign-refused", "https://dash.example.com at 2026-11-28T09:00:07Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestReportNeverPrintsTheCookieSecret(t *testing.T) {
	const secret = "Real-C00kie-Secret-abcdef0123456789"
	plan := planFile(t, "prod")
	for _, f := range []string{"markdown", "html", "json", "sarif"} {
		out, errOut, err := run(t, "--stack", "prod", "--set", "cookieSecret="+secret, "--plan", plan, "--format", f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("%s output contains the cookie secret", f)
		}
	}
}

func TestReportOutIsAtomicAndUsageErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	_, errOut, err := run(t, "--stack", "dev", "--plan", planFile(t, "dev"), "--format", "html", "--out", path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) || !strings.Contains(errOut, "wrote") {
		t.Fatalf("out file: %v %q", err, errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}

	cases := [][]string{
		{"--stack", "prod", "--format", "pdf", "--plan", "x"},
		{"--stack", "prod", "--verify", "a.json", "--url", "https://x.example"},
		{"--stack", "prod", "--out", filepath.Join(dir, "missing", "r.md")},
		{"--stack", "prod", "--set", "allowedOrigins=null"},
		{"--stack", "prod", "--plan", filepath.Join(dir, "nope.json")},
		{"--stack", "prod", "--plan", planFile(t, "prod"), "--verify", path},
	}
	for _, args := range cases {
		out, _, err := run(t, args...)
		if cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%v: exit %d (%v), want 2", args, cli.ExitCode(err), err)
		}
		if out != "" {
			t.Errorf("%v: printed a report on a usage error", args)
		}
	}
}

func TestReportURLProbesInProcess(t *testing.T) {
	// A plain server that is not Streamlit: nothing upgrades, so the origin
	// probes cannot tell and the Origin control must not come out met.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "TornadoServer/6.4")
		fmt.Fprint(w, "<html>index</html>")
	}))
	defer srv.Close()
	out, _, err := run(t, "--stack", "prod", "--plan", planFile(t, "prod"), "--url", srv.URL, "--timeout", "20s", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Probes *struct {
			Target string
			Count  int
		}
		Controls []struct {
			ID, Status string
			Evidence   []struct{ Source, Status, Target string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Probes == nil || doc.Probes.Count == 0 || !strings.HasPrefix(doc.Probes.Target, srv.URL) {
		t.Fatalf("probes: %+v", doc.Probes)
	}
	for _, c := range doc.Controls {
		if c.ID == "WS-ORG-01" || c.ID == "WS-HDR-01" {
			if c.Status != "not-met" {
				t.Errorf("%s against a server without hardening: %s", c.ID, c.Status)
			}
		}
	}
}

// The prod stack, planned offline by the real program under mocks, answers
// every control; only what live probes alone can show stays not met.
func TestReportProdOfflinePlan(t *testing.T) {
	const secret = "Offline-Plan-C00kie-Secret-0123456789"
	for _, f := range []string{"json", "markdown", "html", "sarif"} {
		out, errOut, err := run(t, "--stack", "prod", "--set", "cookieSecret="+secret, "--format", f)
		if err != nil {
			t.Fatalf("%s: %v\n%s", f, err, errOut)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("%s report contains the cookie secret", f)
		}
		if f != "json" {
			continue
		}
		var doc struct {
			Controls []struct{ ID, Status, Reason string }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Controls) != 27 {
			t.Fatalf("%d controls answered, want 27", len(doc.Controls))
		}
		for _, c := range doc.Controls {
			switch {
			case c.Status == "not-met" && (c.ID == "WS-PROTO-01" || c.ID == "WS-TEST-01"):
				if !strings.Contains(c.Reason, "not yet shown") {
					t.Errorf("%s: %s", c.ID, c.Reason)
				}
			case c.Status == "met" || c.Status == "residual":
			default:
				t.Errorf("%s: %s (%s)", c.ID, c.Status, c.Reason)
			}
		}
	}
}

// controlStatuses is each control's status in a JSON report.
func controlStatuses(t *testing.T, out string) map[string]string {
	t.Helper()
	var doc struct {
		Controls []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range doc.Controls {
		m[c.ID] = c.Status
	}
	return m
}

// TestReportPlanReadsWhatCheckReads: --plan is read as check reads --input:
// a plan saved as UTF-16 gives the report the plain file gives (it is the
// very same text), and an ARM template is a plan too.
func TestReportPlanReadsWhatCheckReads(t *testing.T) {
	plain := planFile(t, "prod")
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	wide, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	widePath := filepath.Join(t.TempDir(), "plan-utf16.json")
	if err := os.WriteFile(widePath, wide, 0o600); err != nil {
		t.Fatal(err)
	}
	want, _, err := run(t, "--stack", "prod", "--plan", plain, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := run(t, "--stack", "prod", "--plan", widePath, "--format", "json")
	if err != nil || got != want {
		t.Errorf("UTF-16 plan: err %v, report differs from the UTF-8 one's", err)
	}

	out, errOut, err := run(t, "--stack", "prod", "--plan", "../../inventory/testdata/arm/hardened-template.json", "--format", "json")
	if err != nil {
		t.Fatalf("ARM template: %v\n%s", err, errOut)
	}
	st := controlStatuses(t, out)
	if len(st) != 27 {
		t.Fatalf("%d controls", len(st))
	}
	// The template holds the edge and the app as the plan does: the
	// controls judged on them are met from it too.
	for _, id := range []string{"WS-ORG-01", "WS-TLS-01", "WS-HDR-01", "WS-NET-01"} {
		if st[id] != "met" {
			t.Errorf("%s: %s, want met from the template", id, st[id])
		}
	}
}

// TestReportPlanParameters: an ARM template --plan takes its parameters
// from --parameters, as check's --input does; with them the template's
// expressions are values and its TLS control is met, without them they are
// computed and it is not. --parameters without a template --plan is bad
// usage.
func TestReportPlanParameters(t *testing.T) {
	const dir = "../../inventory/testdata/arm/"
	tmpl, params := dir+"expressions-template.json", dir+"expressions-template.parameters.json"
	with, errOut, err := run(t, "--stack", "prod", "--plan", tmpl, "--parameters", params, "--format", "json")
	if err != nil {
		t.Fatalf("with --parameters: %v\n%s", err, errOut)
	}
	without, _, err := run(t, "--stack", "prod", "--plan", tmpl, "--format", "json")
	if err != nil {
		t.Fatalf("without --parameters: %v", err)
	}
	if w, wo := controlStatuses(t, with)["WS-TLS-02"], controlStatuses(t, without)["WS-TLS-02"]; w != "met" || wo == "met" {
		t.Errorf("WS-TLS-02: %s with the parameters, %s without; want met only with them", w, wo)
	}
	for _, args := range [][]string{
		{"--stack", "prod", "--parameters", params},
		{"--stack", "prod", "--plan", planFile(t, "prod"), "--parameters", params},
	} {
		out, _, err := run(t, args...)
		if cli.ExitCode(err) != cli.ExitUsage || out != "" {
			t.Errorf("%v: exit %d (%v), output %d bytes; want exit 2 and nothing", args, cli.ExitCode(err), err, len(out))
		}
	}
}
