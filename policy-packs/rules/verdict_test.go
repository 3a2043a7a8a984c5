package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Every rule says what makes it applicable (Rule.Types), stack rules too:
// without it a rule could only ever pass on an input it has nothing in.
func TestEveryRuleHasTypes(t *testing.T) {
	for _, r := range All() {
		if len(r.Types) == 0 {
			t.Errorf("rule %s lists no Types: it could never be not-applicable", r.ID)
		}
		for _, typ := range r.Types {
			if inventory.BaseType(typ) != typ || !strings.HasPrefix(typ, "azure-native:") {
				t.Errorf("rule %s: type %q is not a base azure-native token", r.ID, typ)
			}
		}
	}
}

// without returns rs minus every resource of the given types.
func without(rs []inventory.Resource, types []string) []inventory.Resource {
	var out []inventory.Resource
	for _, r := range rs {
		if !slices.Contains(types, inventory.BaseType(r.Type)) {
			out = append(out, r)
		}
	}
	return out
}

// For every rule: on the hardened stack it passes and names what it
// judged; with none of its types left it is not-applicable (never pass),
// even though the rest of the stack is still there.
func TestEveryRuleNotApplicableWithoutItsTypes(t *testing.T) {
	base := hardened(t)
	cfg := prodConfig()
	full := Run(All(), base, cfg)
	for i, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if v := full.Verdicts[i]; v.ID != r.ID || v.Status != StatusPass || len(v.Resources) == 0 {
				t.Errorf("hardened stack: %+v, want pass with the judged resources", v)
			}
			ev := Run(All(), without(base, r.Types), cfg)
			v := ev.Verdicts[i]
			if v.Status != StatusNotApplicable || len(v.Resources) != 0 || !strings.Contains(v.Reason, "no resource of its types") {
				t.Errorf("without %v: %+v, want not-applicable", r.Types, v)
			}
			if _, ok := hasPolicy(ev.Violations, r.ID); ok {
				t.Errorf("a not-applicable rule reported a violation")
			}
		})
	}
}

func TestVerdicts(t *testing.T) {
	base := hardened(t)
	onlyWAF := func() []inventory.Resource {
		for _, r := range base {
			if r.Name == "waf" {
				return []inventory.Resource{r}
			}
		}
		t.Fatal("no waf in the fixture")
		return nil
	}()
	tests := []struct {
		name      string
		rs        []inventory.Resource
		level     map[string]Enforcement
		judged    bool
		want      map[string]string // rule id -> status
		pass, na  int               // 0: not checked
		wantCount bool
	}{
		{name: "no resources", rs: nil, judged: false,
			want: map[string]string{"appservice-https-only": StatusNotApplicable, "frontdoor-hsts": StatusNotApplicable, "waf-enabled": StatusNotApplicable},
			pass: 0, na: len(All()), wantCount: true},
		{name: "only a stack resource", rs: []inventory.Resource{{URN: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", Type: "pulumi:pulumi:Stack"}}, judged: false,
			pass: 0, na: len(All()), wantCount: true},
		{name: "only the WAF policy", rs: onlyWAF, judged: true,
			want: map[string]string{"waf-enabled": StatusPass, "waf-origin-allowlist": StatusPass, "appservice-https-only": StatusNotApplicable,
				"appservice-frontdoor-id": StatusNotApplicable, "diagnostics-webapp": StatusNotApplicable, "frontdoor-waf-coverage": StatusNotApplicable}},
		{name: "disabled rule", rs: base, level: map[string]Enforcement{"appservice-http2": Disabled}, judged: true,
			want: map[string]string{"appservice-http2": StatusNotApplicable, "appservice-https-only": StatusPass}},
		{name: "everything disabled still has something to judge", rs: base, level: map[string]Enforcement{"waf-enabled": Disabled}, judged: true,
			want: map[string]string{"waf-enabled": StatusNotApplicable}},
		{name: "violation", rs: apply(t, base, edit{"app", "httpsOnly", false}), judged: true,
			want: map[string]string{"appservice-https-only": StatusFail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := prodConfig()
			cfg.Enforcement = tt.level
			ev := Run(All(), tt.rs, cfg)
			if ev.Judged() != tt.judged {
				t.Errorf("Judged() = %v", ev.Judged())
			}
			got := map[string]string{}
			for _, v := range ev.Verdicts {
				got[v.ID] = v.Status
				if v.Resources == nil {
					t.Errorf("%s: resources is nil (the JSON contract wants a list)", v.ID)
				}
			}
			for id, st := range tt.want {
				if got[id] != st {
					t.Errorf("%s: %s, want %s", id, got[id], st)
				}
			}
			if tt.wantCount {
				if p, _, na := ev.Counts(); p != tt.pass || na != tt.na {
					t.Errorf("counts: %d pass, %d not-applicable; want %d, %d", p, na, tt.pass, tt.na)
				}
			}
			doc := ev.Document("check", "x", nil)
			for _, r := range doc.Results {
				if r.Status == "pass" && got[r.RuleID] != StatusPass {
					t.Errorf("document says pass for %s (%s)", r.RuleID, got[r.RuleID])
				}
			}
		})
	}
}

// A literal X-Azure-FDID cannot equal the id of a Front Door profile that
// does not exist yet (frontDoorId computed); a computed header still
// resolves at apply, and a known id must match.
func TestFrontDoorIDAgainstComputedProfile(t *testing.T) {
	base := hardened(t)
	const other = "0f0e0d0c-0000-4000-8000-000000000001"
	const own = "7d1f0e3c-2b4a-4c59-8e61-0a9b8c7d6e5f" // the fixture profile's frontDoorId
	tests := []struct {
		name        string
		profileID   any // nil: no frontDoorId at all on the profile
		header      any
		wantFinding string // "" none
	}{
		{"literal, profile id computed", u, other, "does not exist yet"},
		{"own literal, profile id computed", u, own, "does not exist yet"},
		{"computed header, profile id computed", u, u, ""},
		{"literal equal to the known id", own, own, ""},
		{"literal of another Front Door, id known", own, other, "is not the frontDoorId"},
		{"computed header, id known", own, u, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := apply(t, base, edit{"app", "siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid", []any{tt.header}})
			for i := range rs {
				if rs[i].Name == "fd" {
					rs[i].Outputs = map[string]any{"frontDoorId": tt.profileID}
				}
			}
			v, ok := hasPolicy(Evaluate(rs, prodConfig()), "appservice-frontdoor-id")
			switch {
			case tt.wantFinding == "" && ok:
				t.Errorf("unexpected violation: %s", v.Message)
			case tt.wantFinding != "" && !ok:
				t.Errorf("no violation; want one saying %q", tt.wantFinding)
			case ok && !strings.Contains(v.Message, tt.wantFinding):
				t.Errorf("message %q does not say %q", v.Message, tt.wantFinding)
			}
			if ok && v.Severity != string(Mandatory) {
				t.Errorf("severity %s", v.Severity)
			}
		})
	}
}
