package edge

import (
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
)

// server-header-hidden judges the modelled answer as the live probe does
// (probe.Banner): uvicorn (1.57+) shows through as much as Tornado.
func TestServerHeaderHidden(t *testing.T) {
	tests := []struct {
		version    string
		deleteRule bool
		want       probe.Status
	}{
		{"1.56.0", false, probe.Fail},
		{"1.67.0", false, probe.Fail},
		{"1.67.0", true, probe.Pass},
	}
	for _, tc := range tests {
		route := map[string]any{"endpointName": "ep", "patternsToMatch": []any{"/*"}, "supportedProtocols": []any{"Https"},
			"customDomains": []any{map[string]any{"id": "/p/customDomains/site"}}}
		rs := []inventory.Resource{
			{Type: typeCustomDomain, Name: "site", Inputs: map[string]any{"customDomainName": "site", "hostName": "dash.example.com"}},
			{Type: typeWebApp, Name: "app", Inputs: map[string]any{"name": "app", "siteConfig": map[string]any{}}},
		}
		if tc.deleteRule {
			route["ruleSets"] = []any{map[string]any{"id": "/p/ruleSets/headers"}}
			rs = append(rs, inventory.Resource{Type: typeRule, Name: "server", Inputs: map[string]any{"ruleSetName": "headers", "order": 1.0,
				"actions": []any{map[string]any{"name": "ModifyResponseHeader", "parameters": map[string]any{"headerAction": "Delete", "headerName": "Server"}}}}})
		}
		rs = append(rs, inventory.Resource{Type: typeRoute, Name: "route", Inputs: route})
		s, err := Load(rs, LoadOptions{StreamlitVersion: tc.version})
		if err != nil {
			t.Fatal(err)
		}
		run, err := Verify(s, SuiteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := run.Probe("server-header-hidden")
		if p.Status != tc.want {
			t.Errorf("%s, Server deleted %v: %s (%s), want %s", tc.version, tc.deleteRule, p.Status, p.Evidence.Detail, tc.want)
		}
	}
}
