package controls_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// guideIDs are the ids of shared/design/CONTROLS.md (27 rows), in order.
var guideIDs = []string{
	"WS-TLS-01", "WS-TLS-02", "WS-TLS-03", "WS-TLS-04", "WS-ORG-01", "WS-ORG-02", "WS-ORG-03",
	"WS-AUTH-01", "WS-AUTH-02", "WS-AUTH-03", "WS-AUTHZ-01", "WS-INP-01", "WS-INP-02", "WS-SIZE-01",
	"WS-RATE-01", "WS-RATE-02", "WS-DOS-01", "WS-DOS-02", "WS-CMP-01", "WS-PROTO-01", "WS-HDR-01",
	"WS-NET-01", "WS-NET-02", "WS-EXP-01", "WS-LOG-01", "WS-PATCH-01", "WS-TEST-01",
}

func load(t *testing.T) *controls.Catalogue {
	t.Helper()
	c, err := controls.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryGuideControlPresentOnce(t *testing.T) {
	c := load(t)
	if got := strings.Join(c.IDs(), ","); got != strings.Join(guideIDs, ",") {
		t.Errorf("catalogue ids\n got %s\nwant %s", got, strings.Join(guideIDs, ","))
	}
	seen := map[string]bool{}
	for _, id := range c.IDs() {
		if seen[id] {
			t.Errorf("duplicate id %s", id)
		}
		seen[id] = true
	}
}

func TestEveryControlHasAnAnswerPath(t *testing.T) {
	for _, ctl := range load(t).Controls {
		if !ctl.Answered() {
			t.Errorf("%s has no rule/config/probe and no residual text", ctl.ID)
		}
	}
	// A control added without an answer is refused by the catalogue itself.
	_, err := controls.Parse([]byte(`controls:
  - id: WS-NEW-01
    title: something new
    recommendation: do it
    guideSection: new
    layer: frontdoor
    action: do it
`))
	if err == nil || !strings.Contains(err.Error(), "no answer path") {
		t.Errorf("a control without an answer path was accepted: %v", err)
	}
	_, err = controls.Parse([]byte("controls:\n  - {id: A, title: t, recommendation: r, guideSection: g, layer: frontdoor, action: a, residual: {owner: o, text: t}}\n  - {id: A, title: t, recommendation: r, guideSection: g, layer: nowhere, action: a, residual: {owner: o, text: t}}\n"))
	if err == nil || !strings.Contains(err.Error(), "duplicate id") || !strings.Contains(err.Error(), "layer") {
		t.Errorf("duplicate id / bad layer not refused: %v", err)
	}
}

func TestRuleControlsExistInCatalogue(t *testing.T) {
	c := load(t)
	answered := map[string]bool{}
	for _, r := range rules.All() {
		if len(r.Controls) == 0 {
			t.Errorf("rule %s names no control", r.ID)
		}
		for _, id := range r.Controls {
			if _, ok := c.Get(id); !ok {
				t.Errorf("rule %s names control %s, not in the catalogue", r.ID, id)
			}
			answered[id] = true
		}
	}
	if len(answered) == 0 {
		t.Fatal("no rule names any control")
	}
	// Both ways: every rule the catalogue lists exists and names the
	// control; every rule naming a control is listed there.
	for _, ctl := range c.Controls {
		for _, id := range ctl.Rules {
			r, ok := rules.ByID(id)
			if !ok {
				t.Errorf("%s lists rule %s, which does not exist", ctl.ID, id)
				continue
			}
			if !slices.Contains(r.Controls, ctl.ID) {
				t.Errorf("%s lists rule %s, whose controls are %v", ctl.ID, id, r.Controls)
			}
		}
	}
	for _, r := range rules.All() {
		for _, id := range r.Controls {
			if ctl, ok := c.Get(id); ok && !slices.Contains(ctl.Rules, r.ID) {
				t.Errorf("rule %s names %s, but the catalogue's %s does not list it", r.ID, id, id)
			}
		}
	}
}

func TestProbesReferencedExistAndNameCatalogueControls(t *testing.T) {
	c := load(t)
	target, err := probe.Prepare(probe.Options{URL: "https://dash.example.com", DirectHost: "app.azurewebsites.net", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, p := range target.Describe() {
		known[p.ID] = true
		for _, id := range p.Controls {
			if _, ok := c.Get(id); !ok {
				t.Errorf("probe %s names control %s, not in the catalogue", p.ID, id)
			}
		}
	}
	for _, ctl := range c.Controls {
		for _, id := range append(append([]string{}, ctl.Probes...), ctl.ProbeHints...) {
			if !known[id] {
				t.Errorf("%s references probe %q, which streamsec verify does not have", ctl.ID, id)
			}
		}
	}
	// And the other way: a probe naming a control is listed there.
	for _, p := range target.Describe() {
		for _, id := range p.Controls {
			if ctl, ok := c.Get(id); ok && !slices.Contains(ctl.Probes, p.ID) && !slices.Contains(ctl.ProbeHints, p.ID) {
				t.Errorf("probe %s names %s, but the catalogue's %s does not list it", p.ID, id, id)
			}
		}
	}
}

func TestLogQueriesReadDiagnosticTables(t *testing.T) {
	allowed := map[string]bool{"AzureDiagnostics": true, "AppServiceHTTPLogs": true, "AppServiceIPSecAuditLogs": true}
	n := 0
	for _, ctl := range load(t).Controls {
		for _, q := range ctl.Logs {
			n++
			for _, tb := range q.Tables {
				if !allowed[tb] {
					t.Errorf("%s: query %q reads %s, which the stack's diagnostic settings do not fill", ctl.ID, q.Title, tb)
				}
				if !strings.Contains(q.Query, tb) {
					t.Errorf("%s: query %q names table %s but does not read it", ctl.ID, q.Title, tb)
				}
			}
		}
	}
	if n < 6 {
		t.Errorf("only %d log queries", n)
	}
}

var update = flag.Bool("update", false, "rewrite docs/log-queries.md")

func TestLogQueriesDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "log-queries.md")
	got := load(t).LogQueriesMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Errorf("docs/log-queries.md is stale or missing (%v); run go test ./internal/controls -run LogQueriesDoc -update", err)
	}
}

// TestCheckAlternativesAreValidated: an anyOf alternative needs a property
// and a target the schema table knows with an ARM type (its resourceUri is
// matched against it); a bad one is a catalogue error naming it.
func TestCheckAlternativesAreValidated(t *testing.T) {
	const head = `controls:
  - id: X-01
    title: t
    recommendation: r
    guideSection: g
    layer: monitoring
    action: a
    checks:
      - {type: "azure-native:insights:DiagnosticSetting", property: "logs[category=A].enabled", expect: {equals: true}, anyOf: [`
	for alt, want := range map[string]string{
		`{property: "logs[categoryGroup=allLogs].enabled", target: "azure-native:cdn:Profile"}`: "",
		`{property: "logs[categoryGroup=allLogs].enabled"}`:                                     "property and target are required",
		`{target: "azure-native:cdn:Profile"}`:                                                  "property and target are required",
		`{property: "p", target: "azure-native:cdn:Nope"}`:                                      "target azure-native:cdn:Nope is not a token",
		`{property: "p", target: "azure-native:storage:Blob"}`:                                  "target azure-native:storage:Blob is not a token",
	} {
		_, err := controls.Parse([]byte(head + alt + "]}\n"))
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", alt, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: err %v, want one saying %q", alt, err, want)
		}
	}
}
