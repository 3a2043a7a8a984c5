package rules

import (
	"reflect"
	"slices"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// TestEvaluatorAddIsRun: resources judged one at a time as they come, in
// any order, some or none of them, give what judging the finished list at
// once gives, violation for violation and verdict for verdict.
func TestEvaluatorAddIsRun(t *testing.T) {
	base := hardened(t)
	weak := apply(t, base,
		edit{"app", "siteConfig.minTlsVersion", "1.0"},
		edit{"app", "httpsOnly", false},
		edit{"waf", "policySettings.mode", "Detection"})
	reversed := func(rs []inventory.Resource) []inventory.Resource {
		out := slices.Clone(rs)
		slices.Reverse(out)
		return out
	}
	tests := []struct {
		name  string
		final []inventory.Resource
		added func(final []inventory.Resource) []inventory.Resource
	}{
		{"hardened, all added in reverse", base, reversed},
		{"weak, all added in reverse", weak, reversed},
		{"weak, half added", weak, func(rs []inventory.Resource) []inventory.Resource { return rs[:len(rs)/2] }},
		{"weak, none added", weak, func([]inventory.Resource) []inventory.Resource { return nil }},
		// Add saw the hardened resources under the same URNs: Finish must
		// judge the weak ones it is given, not reuse what Add found.
		{"weak, the hardened ones added", weak, func([]inventory.Resource) []inventory.Resource { return base }},
		{"hardened, the weak ones added", base, func([]inventory.Resource) []inventory.Resource { return weak }},
	}
	cfg := prodConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Run(All(), tt.final, cfg)
			e := NewEvaluator(All(), cfg)
			for _, r := range tt.added(tt.final) {
				e.Add(r)
			}
			got := e.Finish(tt.final)
			if !reflect.DeepEqual(got.Violations, want.Violations) {
				t.Errorf("violations differ\n got %v\nwant %v", got.Violations, want.Violations)
			}
			if !reflect.DeepEqual(got.Verdicts, want.Verdicts) || got.Judged() != want.Judged() {
				t.Errorf("verdicts differ\n got %v\nwant %v", got.Verdicts, want.Verdicts)
			}
		})
	}
	if v := Run(All(), weak, cfg).Violations; len(v) < 3 {
		t.Fatalf("the weak fixture has %d violations; the cases above prove nothing", len(v))
	}
}

// TestEvaluatorJudgesOnceWhatAddJudged: Finish takes what Add found for a
// resource and does not run its rules again; that is the work Add moves
// out of the way.
func TestEvaluatorJudgesOnceWhatAddJudged(t *testing.T) {
	calls := 0
	r := Rule{ID: "counted", Enforcement: Mandatory, Types: []string{typeWebApp}, Check: func(inventory.Resource, Config) []Finding {
		calls++
		return []Finding{{Property: "p", Message: "m"}}
	}}
	app := inventory.Resource{URN: "urn:pulumi:s::p::azure-native:web:WebApp::app", Type: typeWebApp, Name: "app", Inputs: map[string]any{"a": 1}}
	e := NewEvaluator([]Rule{r}, DefaultConfig())
	e.Add(app)
	ev := e.Finish([]inventory.Resource{app})
	if calls != 1 || len(ev.Violations) != 1 || ev.Violations[0].URN != app.URN {
		t.Fatalf("calls %d, violations %v; want one call and one violation of %s", calls, ev.Violations, app.URN)
	}
	// The same URN with other inputs is another resource: judged again.
	other := app
	other.Inputs = map[string]any{"a": 2}
	e.Finish([]inventory.Resource{other})
	if calls != 2 {
		t.Fatalf("calls %d after a changed resource, want 2", calls)
	}
}
