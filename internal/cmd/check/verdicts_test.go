package check

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// An input in which no rule finds anything to judge is refused (exit 2),
// never reported as a clean stack; so is a failed preview.
func TestNothingToJudgeExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content string
		args          []string
		want          []string
	}{
		{name: "empty plan", content: `{"resources": []}`, want: []string{"nothing to judge", "no resources", "streamsec-plan"}},
		{name: "empty preview", content: `{"steps": []}`, want: []string{"nothing to judge", "pulumi-preview"}},
		{name: "export without resources", content: `{"version": 3, "deployment": {"manifest": {}, "resources": []}}`, want: []string{"nothing to judge", "pulumi-stack-export"}},
		{name: "export with only the stack and a provider", content: `{"version": 3, "deployment": {"resources": [
			{"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack"},
			{"urn": "urn:pulumi:dev::p::pulumi:providers:azure-native::default", "type": "pulumi:providers:azure-native"}]}}`,
			want: []string{"nothing to judge", "2 resource(s), none of a type any rule judges"}},
		{name: "preview with only diagnostics", content: `{"diagnostics": [{"message": "warning: something\n", "severity": "warning"}], "changeSummary": {}}`,
			want: []string{"nothing to judge", "pulumi-preview"}},
		{name: "plan of another pack's types", content: `{"resources": [{"urn": "urn:pulumi:dev::p::azure-native:keyvault:Vault::kv", "type": "azure-native:keyvault:Vault", "inputs": {}}]}`,
			args: []string{"--pack", "websocket-hardening"}, want: []string{"nothing to judge", "none of a type the websocket-hardening rules judge"}},
		{name: "failed preview", content: `{"steps": [{"op": "create", "urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "newState": {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack", "inputs": {}}}],
			"diagnostics": [{"message": "info only\n", "severity": "info"},
			{"urn": "urn:pulumi:dev::p::azure-native:network:Policy::waf", "message": "error: azure-native:network:Policy resource 'waf': property customRules.rules[1].matchConditions[1].matchValue is missing\n", "severity": "error"},
			{"message": "error: preview failed\u001b[31m\n", "severity": "error"}]}`,
			want: []string{"the preview failed", "matchValue is missing", "urn:pulumi:dev::p::azure-native:network:Policy::waf", "preview failed?[31m"}},
		{name: "failed preview with judged resources", content: failedPreviewOfHardened(t),
			want: []string{"the preview failed", "error: boom"}},
		{name: "diagnostics not a list", content: `{"steps": [], "diagnostics": {"severity": "error"}}`, want: []string{"diagnostics"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := write("in.json", tt.content)
			args := append([]string{"--input", file, "--format", "json"}, tt.args...)
			out, errOut, code := run(t, "", args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			if out != "" {
				t.Errorf("a refused input still printed a report:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("message %q does not say %q", errOut, w)
				}
			}
			if strings.Contains(errOut, "\x1b") {
				t.Errorf("terminal escape passed through: %q", errOut)
			}
		})
	}
}

// failedPreviewOfHardened is the hardened stack as preview steps plus one
// error diagnostic: the steps would pass, the preview did not.
func failedPreviewOfHardened(t *testing.T) string {
	t.Helper()
	var steps []map[string]any
	for _, r := range hardenedPlan(t).Resources {
		steps = append(steps, map[string]any{"op": "create", "urn": r.URN, "newState": r})
	}
	out, _ := json.Marshal(map[string]any{"steps": steps, "diagnostics": []any{map[string]any{"message": "error: boom", "severity": "error"}}})
	return string(out)
}

// onlyWAF writes a plan holding just the hardened WAF policy: the WAF
// rules judge it, every other rule has nothing to judge.
func onlyWAF(t *testing.T) string {
	t.Helper()
	var keep []inventory.Resource
	for _, r := range hardenedPlan(t).Resources {
		if r.Name == "waf" {
			keep = append(keep, r)
		}
	}
	out, _ := json.Marshal(map[string]any{"resources": keep})
	file := filepath.Join(t.TempDir(), "waf-only.json")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

const wafURN = "urn:pulumi:prod::streamsec::azure-native:network/v20240201:Policy::waf"

// An input with no App Service gets not-applicable, not pass, for every
// App Service rule, in every format; the summary counts all three statuses.
func TestNotApplicableInEveryFormat(t *testing.T) {
	file := onlyWAF(t)
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"json", func(t *testing.T, out string) {
			var res struct {
				Violations []any `json:"violations"`
				Rules      []struct {
					ID        string   `json:"id"`
					Status    string   `json:"status"`
					Resources []string `json:"resources"`
				} `json:"rules"`
				Summary map[string]int `json:"summary"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range res.Rules {
				got[r.ID] = r.Status
				switch r.ID {
				case "waf-enabled":
					if len(r.Resources) != 1 || r.Resources[0] != wafURN {
						t.Errorf("waf-enabled judged %v", r.Resources)
					}
				case "appservice-https-only":
					if r.Resources == nil || len(r.Resources) != 0 {
						t.Errorf("appservice-https-only resources %#v, want []", r.Resources)
					}
				}
			}
			for id, want := range map[string]string{"waf-enabled": "pass", "waf-origin-allowlist": "pass", "appservice-https-only": "not-applicable",
				"appservice-frontdoor-id": "not-applicable", "streamlit-cors-enabled": "not-applicable", "frontdoor-hsts": "not-applicable", "storage-private-endpoint": "not-applicable"} {
				if got[id] != want {
					t.Errorf("%s: %q, want %q", id, got[id], want)
				}
			}
			s := res.Summary
			if s["pass"] == 0 || s["notApplicable"] == 0 || s["fail"] != 0 || s["pass"]+s["fail"]+s["notApplicable"] != len(res.Rules) || res.Violations == nil {
				t.Errorf("summary %v for %d rules", s, len(res.Rules))
			}
		}},
		{"text", func(t *testing.T, out string) {
			mustHave(t, out, "NOT-APPLICABLE appservice-https-only", "no resource of its types (web:WebApp) in the input", "PASS           waf-enabled", "not-applicable", " pass")
			if strings.Contains(out, "PASS           appservice-") {
				t.Errorf("an App Service rule passed without an App Service:\n%s", out)
			}
		}},
		{"markdown", func(t *testing.T, out string) {
			mustHave(t, out, "| NOT-APPLICABLE | appservice-https-only", "not-applicable")
		}},
		{"html", func(t *testing.T, out string) {
			mustHave(t, out, `<tr class="not-applicable"><td>NOT-APPLICABLE</td><td><code>appservice-https-only</code>`, "not-applicable")
		}},
		{"junit", func(t *testing.T, out string) {
			var doc struct {
				Skipped int `xml:"skipped,attr"`
				Suites  []struct {
					Cases []struct {
						Classname string    `xml:"classname,attr"`
						Skipped   *struct{} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			skipped := map[string]bool{}
			for _, c := range doc.Suites[0].Cases {
				skipped[c.Classname] = c.Skipped != nil
			}
			if !skipped["appservice-https-only"] || skipped["waf-enabled"] || doc.Skipped == 0 {
				t.Errorf("junit skipped: %v (total %d)", skipped, doc.Skipped)
			}
		}},
		{"sarif", func(t *testing.T, out string) {
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID string `json:"ruleId"`
						Kind   string `json:"kind"`
						Level  string `json:"level"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatal(err)
			}
			kind := map[string]string{}
			for _, r := range log.Runs[0].Results {
				kind[r.RuleID] = r.Kind + "/" + r.Level
			}
			if kind["appservice-https-only"] != "notApplicable/none" || kind["waf-enabled"] != "pass/none" {
				t.Errorf("sarif kinds: https-only %q, waf-enabled %q", kind["appservice-https-only"], kind["waf-enabled"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, errOut, code := run(t, "", "--input", file, "--format", tt.format)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			tt.check(t, out)
		})
	}
}

func mustHave(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
