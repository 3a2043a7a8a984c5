package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// The dev stack has no App Service authentication, custom domain or Key
// Vault certificate: those rules are not-applicable in every format, not
// passed; the summary counts all three statuses.
func TestPlanRuleStatuses(t *testing.T) {
	notApplicable := []string{"appservice-auth-settings", "frontdoor-custom-domain-tls12", "frontdoor-certificate-latest"}
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"Not applicable (nothing of their types in the plan): " + strings.Join(notApplicable, ", "), " pass, 0 fail, 3 not-applicable"}},
		{"markdown", []string{"| NOT-APPLICABLE | appservice-auth-settings", "3 not-applicable"}},
		{"html", []string{`<tr class="not-applicable"><td>NOT-APPLICABLE</td><td><code>frontdoor-custom-domain-tls12</code>`}},
		{"junit", []string{`classname="frontdoor-certificate-latest">`, `<skipped message="not-applicable: no resource of its types (cdn:Secret) in the input">`}},
		{"sarif", []string{`"kind": "notApplicable"`}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, errOut, code := runCmd(t, nil, "--stack", "dev", "--format", tt.format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out[:min(len(out), 3000)])
				}
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		out, errOut, code := runCmd(t, nil, "--stack", "dev", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var res struct {
			Rules []struct {
				ID        string   `json:"id"`
				Status    string   `json:"status"`
				Resources []string `json:"resources"`
			} `json:"rules"`
			Summary struct {
				Pass          int `json:"pass"`
				Fail          int `json:"fail"`
				NotApplicable int `json:"notApplicable"`
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range res.Rules {
			got[r.ID] = r.Status
			if r.Status == "pass" && len(r.Resources) == 0 {
				t.Errorf("%s passed judging nothing", r.ID)
			}
		}
		for _, id := range notApplicable {
			if got[id] != "not-applicable" {
				t.Errorf("%s: %q, want not-applicable", id, got[id])
			}
		}
		if s := res.Summary; s.Pass+s.Fail+s.NotApplicable != len(res.Rules) || s.Fail != 0 || s.NotApplicable != 3 || s.Pass == 0 {
			t.Errorf("summary %+v for %d rules", s, len(res.Rules))
		}
	})
}
