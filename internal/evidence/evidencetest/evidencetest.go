// Package evidencetest builds fixed, hand-made inputs for the evidence
// report's tests: a hardened plan shaped like the components' resources
// (FACTS.md property names) and verify runs from a passing and a failing
// target. It never runs the Pulumi program, so golden files stay stable.
package evidencetest

import (
	"os"
	"testing"

	"github.com/streamsec/streamsec/internal/evidence"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/internal/spec"
)

func urn(s *spec.Spec, typ, name string) string {
	return "urn:pulumi:" + s.Stack + "::streamsec::" + typ + "::" + name
}

func res(s *spec.Spec, typ, name string, inputs map[string]any) inventory.Resource {
	return inventory.Resource{URN: urn(s, typ, name), Type: typ, Name: name, Inputs: inputs}
}

func header(name, value string) any {
	p := map[string]any{"typeName": "DeliveryRuleHeaderActionParameters", "headerAction": "Overwrite", "headerName": name, "value": value}
	if value == "" {
		p["headerAction"] = "Delete"
		delete(p, "value")
	}
	return map[string]any{"name": "ModifyResponseHeader", "parameters": p}
}

func logs(cats ...string) []any {
	var out []any
	for _, c := range cats {
		out = append(out, map[string]any{"category": c, "enabled": true})
	}
	return out
}

// Plan returns a hardened plan for s, with the app settings given.
func Plan(s *spec.Spec, appSettings map[string]string) []inventory.Resource {
	var settings []any
	for _, k := range sortedKeys(appSettings) {
		settings = append(settings, map[string]any{"name": k, "value": appSettings[k]})
	}
	multi := s.MultiInstance()
	restriction := []any{map[string]any{"name": "frontdoor", "priority": 100.0, "action": "Allow", "tag": "ServiceTag",
		"ipAddress": "AzureFrontDoor.Backend", "headers": map[string]any{"x-azure-fdid": []any{"0f9f5f8e-1111-4c4c-9d9d-123456789abc"}}}}
	origin := map[string]any{"hostName": "app.azurewebsites.net", "originHostHeader": "app.azurewebsites.net", "enforceCertificateNameCheck": true, "httpsPort": 443.0}
	if s.Premium() {
		origin["sharedPrivateLinkResource"] = map[string]any{"groupId": "sites", "requestMessage": "streamsec"}
	}
	waf := map[string]any{
		"sku":            map[string]any{"name": s.FrontDoorSku},
		"policySettings": map[string]any{"enabledState": "Enabled", "mode": s.WAFMode, "requestBodyCheck": "Enabled", "customBlockResponseStatusCode": 403.0},
		"customRules": map[string]any{"rules": []any{
			map[string]any{"name": "BlockInternalPaths", "priority": 10.0, "ruleType": "MatchRule", "action": "Block",
				"matchConditions": []any{map[string]any{"matchVariable": "RequestUri", "operator": "BeginsWith", "matchValue": toAny(s.BlockedPathsAll())}}},
			map[string]any{"name": "BlockStreamForeignOrigin", "priority": 20.0, "ruleType": "MatchRule", "action": "Block",
				"matchConditions": []any{
					map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}},
					map[string]any{"matchVariable": "RequestHeader", "selector": "Origin", "operator": "Equal", "negateCondition": true, "matchValue": toAny(s.Origins())}}},
			map[string]any{"name": "RateLimitStream", "priority": 30.0, "ruleType": "RateLimitRule", "action": "Block",
				"rateLimitThreshold": float64(s.RateLimitPerMinute), "rateLimitDurationInMinutes": 1.0,
				"matchConditions": []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}},
			map[string]any{"name": "BlockStreamWebSocketVersion", "priority": 25.0, "ruleType": "MatchRule", "action": "Block",
				"matchConditions": []any{
					map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}},
					map[string]any{"matchVariable": "RequestHeader", "selector": "Sec-WebSocket-Version", "operator": "Equal", "negateCondition": true, "matchValue": []any{"13"}}}},
		}},
	}
	if s.Premium() {
		waf["managedRules"] = map[string]any{"managedRuleSets": []any{
			map[string]any{"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1", "ruleSetAction": "Block"},
			map[string]any{"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.1"},
		}}
	}
	rs := []inventory.Resource{
		res(s, "azure-native:web:WebApp", "app", map[string]any{
			"httpsOnly": true, "clientAffinityEnabled": multi, "publicNetworkAccess": "Enabled",
			"siteConfig": map[string]any{
				"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2", "ftpsState": "Disabled", "http20Enabled": true,
				"webSocketsEnabled": true, "alwaysOn": true, "remoteDebuggingEnabled": false, "linuxFxVersion": "PYTHON|" + s.PythonVersion,
				"appSettings": settings, "ipSecurityRestrictions": restriction, "ipSecurityRestrictionsDefaultAction": "Deny",
				"scmIpSecurityRestrictions": restriction, "scmIpSecurityRestrictionsDefaultAction": "Deny",
			},
		}),
		res(s, "azure-native:cdn:Profile", "frontdoor", map[string]any{"sku": map[string]any{"name": s.FrontDoorSku}}),
		res(s, "azure-native:cdn:AFDOriginGroup", "origins", map[string]any{"sessionAffinityState": map[bool]string{true: "Enabled", false: "Disabled"}[multi]}),
		res(s, "azure-native:cdn:AFDOrigin", "app-origin", origin),
		res(s, "azure-native:cdn:Route", "route", map[string]any{"supportedProtocols": []any{"Http", "Https"}, "httpsRedirect": "Enabled",
			"forwardingProtocol": "HttpsOnly", "patternsToMatch": []any{"/*"}}),
		res(s, "azure-native:cdn:Rule", "security-headers", map[string]any{"actions": []any{
			header("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
			header("Content-Security-Policy", "default-src 'self'; connect-src 'self' wss:; frame-ancestors 'none'"),
			header("X-Content-Type-Options", "nosniff"),
			header("Referrer-Policy", "strict-origin-when-cross-origin"),
			header("Permissions-Policy", "camera=(), microphone=()"),
			header("Server", ""),
		}}),
		res(s, "azure-native:network:Policy", "waf", waf),
		res(s, "azure-native:cdn:SecurityPolicy", "waf-association", map[string]any{"parameters": map[string]any{"type": "WebApplicationFirewall", "wafPolicy": map[string]any{"id": "/subscriptions/x/waf"}}}),
		res(s, "azure-native:storage:StorageAccount", "storage", map[string]any{"minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": true,
			"allowBlobPublicAccess": false, "allowSharedKeyAccess": false, "publicNetworkAccess": "Disabled"}),
		res(s, "azure-native:keyvault:Vault", "vault", map[string]any{"properties": map[string]any{"enableRbacAuthorization": true, "enablePurgeProtection": true, "publicNetworkAccess": "Disabled"}}),
		res(s, "azure-native:keyvault:Secret", "cookie-secret", map[string]any{"properties": map[string]any{"value": inventory.SecretMask}}),
		res(s, "azure-native:operationalinsights:Workspace", "logs", map[string]any{"retentionInDays": float64(s.LogRetentionDays)}),
		res(s, "azure-native:insights:DiagnosticSetting", "diag-frontdoor", map[string]any{"logs": logs("FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog")}),
		res(s, "azure-native:insights:DiagnosticSetting", "diag-webapp", map[string]any{"logs": logs("AppServiceHTTPLogs", "AppServiceIPSecAuditLogs", "AppServiceAuditLogs")}),
	}
	if s.Domain != "" {
		cert := "ManagedCertificate"
		if s.CertificateSource == spec.CertificateKeyVault {
			cert = "CustomerCertificate"
			rs = append(rs, res(s, "azure-native:cdn:Secret", "certificate", map[string]any{"parameters": map[string]any{"type": "CustomerCertificate", "useLatestVersion": true}}))
		}
		rs = append(rs, res(s, "azure-native:cdn:AFDCustomDomain", "domain", map[string]any{"hostName": s.Domain,
			"tlsSettings": map[string]any{"certificateType": cert, "minimumTlsVersion": "TLS12"}}))
	}
	if s.AuthMode == spec.AuthEntraID {
		rs = append(rs, res(s, "azure-native:web:WebAppAuthSettingsV2", "auth", map[string]any{"globalValidation": map[string]any{
			"requireAuthentication": true, "unauthenticatedClientAction": "RedirectToLoginPage"}}))
	}
	return rs
}

// ProbeRun reads a saved verify run (verify --format json, such as
// testdata/verify-failing.json) as the report's probe results, and returns
// the file's bytes with it.
func ProbeRun(t testing.TB, file string) (*evidence.ProbeRun, []byte) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	run, err := probe.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	pr := evidence.FromProbeRun(run)
	return pr, data
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
