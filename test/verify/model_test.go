package verify_test

import (
	"fmt"
	"testing"

	"github.com/streamsec/streamsec/internal/edge"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
)

// The nginx setups of this package, described as a Front Door stack the
// edge model reads (internal/edge): where the two describe the same
// configuration, `verify` against nginx and `verify --offline` against the
// model must agree probe by probe.

func res(typ, name string, inputs map[string]any) inventory.Resource {
	return inventory.Resource{URN: "urn:pulumi:test::nginx::" + typ + "::" + name, Type: typ, Name: name, Inputs: inputs}
}

func cond(variable, selector, op string, negate bool, values ...string) map[string]any {
	vs := []any{}
	for _, v := range values {
		vs = append(vs, v)
	}
	return map[string]any{"matchVariable": variable, "selector": selector, "operator": op, "negateCondition": negate, "matchValue": vs}
}

func header(name, value string) map[string]any {
	p := map[string]any{"headerAction": "Overwrite", "headerName": name, "value": value}
	if value == "" {
		p["headerAction"] = "Delete"
	}
	return map[string]any{"name": "ModifyResponseHeader", "parameters": p}
}

// nginxModel describes hardenedConf (hardened true) or weakConf of
// harness_test.go, and testdata/app.py in the same mode behind it.
func nginxModel(hardened bool) []inventory.Resource {
	const prefix = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Cdn/profiles/nginx"
	domain := res("azure-native:cdn:AFDCustomDomain", "domain", map[string]any{"customDomainName": "site", "hostName": Host})
	route := map[string]any{"endpointName": "ep", "patternsToMatch": []any{"/*"}, "supportedProtocols": []any{"Http", "Https"},
		"customDomains": []any{map[string]any{"id": prefix + "/customDomains/site"}}, "httpsRedirect": "Disabled"}
	// app.py --mode weak: origin check off, compression on.
	settings := []any{map[string]any{"name": "STREAMLIT_SERVER_ENABLE_CORS", "value": "false"},
		map[string]any{"name": "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION", "value": "true"}}
	site := map[string]any{"appSettings": settings}
	rs := []inventory.Resource{
		res("azure-native:cdn:Profile", "profile", map[string]any{"profileName": "nginx"}),
		res("azure-native:cdn:AFDEndpoint", "ep", map[string]any{"endpointName": "ep"}),
		domain,
		// nginx sends its own Host ($host): no origin host header.
		res("azure-native:cdn:AFDOrigin", "origin", map[string]any{"hostName": "127.0.0.1"}),
	}
	if hardened {
		// app.py --mode hardened: Streamlit's host-name allowlist with Host,
		// a 1 MB message limit.
		settings = []any{map[string]any{"name": "STREAMLIT_BROWSER_SERVER_ADDRESS", "value": Host}, map[string]any{"name": "STREAMLIT_SERVER_MAX_MESSAGE_SIZE", "value": "1"}}
		// The "direct" server's 403 stands for the access restrictions.
		site = map[string]any{"appSettings": settings, "ipSecurityRestrictionsDefaultAction": "Deny", "ipSecurityRestrictions": []any{map[string]any{
			"name": "frontdoor", "priority": 100.0, "action": "Allow", "tag": "ServiceTag", "ipAddress": "AzureFrontDoor.Backend",
			"headers": map[string]any{"x-azure-fdid": []any{"00000000-0000-0000-0000-0000000000fd"}}}}}
		rs[0].Outputs = map[string]any{"frontDoorId": "00000000-0000-0000-0000-0000000000fd"}
		route["ruleSets"] = []any{map[string]any{"id": prefix + "/ruleSets/headers"}}
		stream := cond("RequestUri", "", "Contains", false, "/_stcore/stream")
		rs = append(rs,
			// The edge rules of hardenedConf: metrics 404, the exact Origin
			// map, version 13 only, else refused. nginx's exact locations
			// become EndsWith and an anchored RegEx: RequestUri may be the
			// full URL (the model evaluates both readings; Equal on a path
			// would only hold under one).
			res("azure-native:network:Policy", "waf", map[string]any{"policyName": "nginx", "policySettings": map[string]any{"enabledState": "Enabled", "mode": "Prevention"},
				"customRules": map[string]any{"rules": []any{
					// limit_req rate=10r/m burst=10 nodelay: about 20 a minute.
					map[string]any{"name": "Rate", "priority": 5.0, "ruleType": "RateLimitRule", "action": "Block", "rateLimitThreshold": 20.0, "matchConditions": []any{stream}},
					map[string]any{"name": "Metrics", "priority": 10.0, "ruleType": "MatchRule", "action": "Block", "matchConditions": []any{cond("RequestUri", "", "EndsWith", false, "/_stcore/metrics", "/st-metrics")}},
					map[string]any{"name": "Allow", "priority": 20.0, "ruleType": "MatchRule", "action": "Allow", "matchConditions": []any{
						cond("RequestUri", "", "RegEx", false, `^(https?://[^/?#]+)?/_stcore/stream$`), cond("RequestHeader", "Origin", "Equal", false, "https://"+Host),
						cond("RequestHeader", "Sec-WebSocket-Version", "Equal", false, "13")}},
					map[string]any{"name": "Other", "priority": 30.0, "ruleType": "MatchRule", "action": "Block", "matchConditions": []any{stream}},
				}}}),
			res("azure-native:cdn:SecurityPolicy", "link", map[string]any{"parameters": map[string]any{
				"wafPolicy":    map[string]any{"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/frontdoorWebApplicationFirewallPolicies/nginx"},
				"associations": []any{map[string]any{"patternsToMatch": []any{"/*"}, "domains": []any{map[string]any{"id": prefix + "/customDomains/site"}}}}}}),
			res("azure-native:cdn:Rule", "redirect", map[string]any{"ruleSetName": "headers", "order": 1.0, "matchProcessingBehavior": "Stop",
				"conditions": []any{map[string]any{"name": "RequestScheme", "parameters": map[string]any{"operator": "Equal", "matchValues": []any{"HTTP"}}}},
				"actions":    []any{map[string]any{"name": "UrlRedirect", "parameters": map[string]any{"redirectType": "Moved", "destinationProtocol": "Https"}}}}),
			res("azure-native:cdn:Rule", "headers", map[string]any{"ruleSetName": "headers", "order": 2.0, "actions": []any{
				header("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
				header("Content-Security-Policy", "default-src 'self'; connect-src 'self' wss:; frame-ancestors 'none'"),
				header("X-Content-Type-Options", "nosniff"), header("Referrer-Policy", "strict-origin-when-cross-origin"),
				header("Permissions-Policy", "camera=(), microphone=(), geolocation=()"), header("Server", "")}}),
		)
	}
	rs = append(rs, res("azure-native:cdn:Route", "route", route), res("azure-native:web:WebApp", "app", map[string]any{"name": "app", "siteConfig": site}))
	return rs
}

func TestModelAgreesWithNginx(t *testing.T) {
	for _, hardened := range []bool{true, false} {
		t.Run(fmt.Sprintf("hardened=%v", hardened), func(t *testing.T) {
			var s setup
			if hardened {
				s = startHardened(t, true)
			} else {
				s = startWeak(t)
			}
			live, _, _ := runVerify(t, append(s.args, "--active")...)
			model, err := edge.Load(nginxModel(hardened), edge.LoadOptions{StreamlitVersion: "1.50.0"})
			if err != nil {
				t.Fatal(err)
			}
			offline, err := edge.Verify(model, edge.SuiteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			compared := 0
			for _, p := range offline.Probes {
				l, ok := live.Probe(p.ID)
				// The direct host and the TLS set-up are the harness's own
				// (another port, a test CA), not part of the model.
				if !ok || p.LiveOnly || p.ID == "direct-origin-refused" || l.Status == probe.Unknown {
					continue
				}
				compared++
				if l.Status != p.Status {
					t.Errorf("%s: nginx %s (%s), model %s (%s)", p.ID, l.Status, l.Evidence.Detail, p.Status, p.Evidence.Detail)
				}
			}
			if compared < 15 {
				t.Errorf("only %d probes compared", compared)
			}
			t.Logf("%d probes agree", compared)
			for _, p := range offline.Probes {
				if p.Mandatory && p.Status != probe.Pass && !p.LiveOnly {
					t.Logf("offline %s %s: %s", p.ID, p.Status, p.Evidence.Detail)
				}
			}
			if offline.Failed() == hardened {
				t.Errorf("offline run failed=%v for hardened=%v", offline.Failed(), hardened)
			}
		})
	}
}
