package rules

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// hardened loads the compliant prod-like stack fixture.
func hardened(t testing.TB) []inventory.Resource {
	t.Helper()
	data, err := os.ReadFile("testdata/hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources []inventory.Resource `json:"resources"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources
}

const del = "\x00delete"

// edit is one change to one resource of the fixture (by Pulumi name).
type edit struct {
	name, path string
	value      any // del removes the key
}

// apply returns a deep copy of rs with the edits made.
func apply(t testing.TB, rs []inventory.Resource, edits ...edit) []inventory.Resource {
	t.Helper()
	data, _ := json.Marshal(rs)
	var out []inventory.Resource
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		found := false
		for i := range out {
			if out[i].Name != e.name {
				continue
			}
			found = true
			if e.path == "" {
				out = append(out[:i], out[i+1:]...) // remove the resource
				break
			}
			root := any(out[i].Inputs)
			setPath(t, root, e.path, e.value)
		}
		if !found {
			t.Fatalf("fixture has no resource %q", e.name)
		}
	}
	return out
}

func setPath(t testing.TB, root any, path string, v any) {
	t.Helper()
	steps := strings.Split(path, ".")
	node := root
	for i, s := range steps {
		last := i == len(steps)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				if v == del {
					delete(n, s)
				} else {
					n[s] = v
				}
				return
			}
			if _, ok := n[s]; !ok {
				n[s] = map[string]any{}
			}
			node = n[s]
		case []any:
			idx, err := strconv.Atoi(s)
			if err != nil || idx >= len(n) {
				t.Fatalf("bad path %s at %s", path, s)
			}
			if last {
				n[idx] = v
				return
			}
			node = n[idx]
		default:
			t.Fatalf("bad path %s at %s", path, s)
		}
	}
}

type ruleCase struct {
	weak [][]edit // each variant must raise the rule
	// unknown makes the judged property computed; unknownPasses marks the
	// rules whose documented behaviour is to accept a computed reference.
	unknown       []edit
	unknownPasses bool
	// version, when set, is the Streamlit release the case is judged for
	// (the edge rules model the app server of that release).
	version string
}

var u = inventory.Unknown

// fixtures has a compliant (the hardened stack), non-compliant and unknown
// case for every rule; TestEveryRuleHasFixtures fails when one is missing.
var fixtures = map[string]ruleCase{
	// A nested required property removed, a misspelled hardening setting, a
	// wrong type, a closed enum and a limit; computed values are not judged.
	"azure-schema": {weak: [][]edit{
		{{"waf", "customRules.rules.3.matchConditions.1.matchValue", del}},
		{{"app", "siteConfig.minTLSVersion", "1.2"}},
		{{"app", "httpsOnly", "true"}},
		{{"kv", "properties.sku.name", "basic"}},
		{{"waf", "customRules.rules.1.rateLimitDurationInMinutes", 6}},
	}, unknown: []edit{{"waf", "customRules.rules.3.matchConditions.1.matchValue", u}}, unknownPasses: true},
	"appservice-https-only": {weak: [][]edit{{{"app", "httpsOnly", false}}, {{"app", "httpsOnly", del}}}, unknown: []edit{{"app", "httpsOnly", u}}},
	"appservice-min-tls":    {weak: [][]edit{{{"app", "siteConfig.minTlsVersion", "1.0"}}, {{"app", "siteConfig.minTlsVersion", "1.1"}}}, unknown: []edit{{"app", "siteConfig.minTlsVersion", u}}},
	"appservice-scm-min-tls": {weak: [][]edit{{{"app", "siteConfig.scmMinTlsVersion", "1.0"}}},
		unknown: []edit{{"app", "siteConfig.scmMinTlsVersion", u}}},
	"appservice-ftps-only":            {weak: [][]edit{{{"app", "siteConfig.ftpsState", "AllAllowed"}}}, unknown: []edit{{"app", "siteConfig.ftpsState", u}}},
	"appservice-ftp-disabled":         {weak: [][]edit{{{"app", "siteConfig.ftpsState", "FtpsOnly"}}}, unknown: []edit{{"app", "siteConfig.ftpsState", u}}},
	"appservice-remote-debugging-off": {weak: [][]edit{{{"app", "siteConfig.remoteDebuggingEnabled", true}}}, unknown: []edit{{"app", "siteConfig.remoteDebuggingEnabled", u}}},
	"appservice-websockets-enabled":   {weak: [][]edit{{{"app", "siteConfig.webSocketsEnabled", false}}}, unknown: []edit{{"app", "siteConfig.webSocketsEnabled", u}}},
	"appservice-http2":                {weak: [][]edit{{{"app", "siteConfig.http20Enabled", false}}}, unknown: []edit{{"app", "siteConfig.http20Enabled", u}}},
	"appservice-always-on":            {weak: [][]edit{{{"app", "siteConfig.alwaysOn", false}}}, unknown: []edit{{"app", "siteConfig.alwaysOn", u}}},
	"appservice-cors-not-wildcard": {weak: [][]edit{{{"app", "siteConfig.cors.allowedOrigins", []any{"https://dash.example.com", "*"}}}},
		unknown: []edit{{"app", "siteConfig.cors.allowedOrigins", u}}},
	"appservice-http-logging": {weak: [][]edit{{{"app", "siteConfig.httpLoggingEnabled", false}}, {{"app", "siteConfig.httpLoggingEnabled", del}}},
		unknown: []edit{{"app", "siteConfig.httpLoggingEnabled", u}}},
	"appservice-managed-identity": {weak: [][]edit{{{"app", "identity", del}}, {{"app", "identity.type", "None"}}}, unknown: []edit{{"app", "identity.type", u}}},
	"appservice-frontdoor-only": {weak: [][]edit{
		{{"app", "siteConfig.ipSecurityRestrictionsDefaultAction", "Allow"}},
		{{"app", "siteConfig.ipSecurityRestrictions.0.headers", map[string]any{}}},
		{{"app", "siteConfig.ipSecurityRestrictions", []any{map[string]any{"action": "Allow", "ipAddress": "0.0.0.0/0", "priority": 1.0}}}},
		{{"app", "siteConfig.ipSecurityRestrictions", del}},
	}, unknown: []edit{{"app", "siteConfig.ipSecurityRestrictionsDefaultAction", u}}},
	"appservice-scm-restricted": {weak: [][]edit{
		{{"app", "siteConfig.scmIpSecurityRestrictionsDefaultAction", "Allow"}},
		{{"app", "siteConfig.scmIpSecurityRestrictions", []any{map[string]any{"action": "Allow", "ipAddress": "Any"}}}},
		{{"app", "siteConfig.scmIpSecurityRestrictionsUseMain", true}, {"app", "siteConfig.ipSecurityRestrictionsDefaultAction", "Allow"}},
	}, unknown: []edit{{"app", "siteConfig.scmIpSecurityRestrictionsUseMain", u}}},
	"appservice-auth-settings": {weak: [][]edit{
		{{"auth", "globalValidation.requireAuthentication", false}},
		{{"auth", "globalValidation.unauthenticatedClientAction", "AllowAnonymous"}},
		{{"auth", "platform.enabled", false}},
		{{"auth", "httpSettings.requireHttps", false}},
		{{"auth", "identityProviders.azureActiveDirectory.enabled", false}},
	}, unknown: []edit{{"auth", "globalValidation.requireAuthentication", u}}},
	"appservice-ftp-basic-auth-off": {weak: [][]edit{{{"ftp", "allow", true}}, {{"ftp", "", nil}}, {{"ftp", "name", "other"}}}, unknown: []edit{{"ftp", "allow", u}}},
	"appservice-scm-basic-auth-off": {weak: [][]edit{{{"scm", "allow", true}}, {{"scm", "", nil}}}, unknown: []edit{{"scm", "allow", u}}},

	"streamlit-cors-enabled":    {weak: [][]edit{{{"app", "siteConfig.appSettings.0.value", "false"}}}, unknown: []edit{{"app", "siteConfig.appSettings.0.value", u}}},
	"streamlit-xsrf-protection": {weak: [][]edit{{{"app", "siteConfig.appSettings.2.value", "false"}}}, unknown: []edit{{"app", "siteConfig.appSettings.2.value", u}}},
	"streamlit-compression-off": {weak: [][]edit{{{"app", "siteConfig.appSettings.3.value", "true"}}}, unknown: []edit{{"app", "siteConfig.appSettings.3.value", u}}},
	"streamlit-max-message-size": {weak: [][]edit{{{"app", "siteConfig.appSettings.4.value", "200"}}, {{"app", "siteConfig.appSettings.4.name", "OTHER"}}, {{"app", "siteConfig.appSettings.4.value", "lots"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.4.value", u}}},
	"streamlit-max-upload-size":      {weak: [][]edit{{{"app", "siteConfig.appSettings.5.value", "200"}}}, unknown: []edit{{"app", "siteConfig.appSettings.5.value", u}}},
	"streamlit-development-mode-off": {weak: [][]edit{{{"app", "siteConfig.appSettings.6.value", "true"}}}, unknown: []edit{{"app", "siteConfig.appSettings.6.value", u}}},
	"streamlit-error-details-hidden": {weak: [][]edit{{{"app", "siteConfig.appSettings.8.value", "full"}}, {{"app", "siteConfig.appSettings.8.name", "X"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.8.value", u}}},
	"streamlit-usage-stats-off": {weak: [][]edit{{{"app", "siteConfig.appSettings.9.value", "true"}}, {{"app", "siteConfig.appSettings.9.name", "X"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.9.value", u}}},
	"streamlit-static-serving-off": {weak: [][]edit{{{"app", "siteConfig.appSettings.10.value", "true"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.10.value", u}}},
	"streamlit-cors-allowlist": {weak: [][]edit{{{"app", "siteConfig.appSettings.1.value", "https://dash.example.com,*"}}, {{"app", "siteConfig.appSettings.1.value", `["null"]`}}, {{"app", "siteConfig.appSettings.1.value", "http://dash.example.com"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.1.value", u}}},
	"streamlit-allowed-hosts": {weak: [][]edit{{{"app", "siteConfig.appSettings.11.value", "*.azurewebsites.net"}}, {{"app", "siteConfig.appSettings.11.value", "*"}}, {{"app", "siteConfig.appSettings.11.value", ""}}, {{"app", "siteConfig.appSettings.11.name", "X"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.11.value", u}}},
	"streamlit-xsrf-cookie-samesite": {weak: [][]edit{{{"app", "siteConfig.appSettings.12.value", "none"}}, {{"app", "siteConfig.appSettings.12.value", "lax"}}, {{"app", "siteConfig.appSettings.12.name", "X"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.12.value", u}}},
	"streamlit-max-widget-state-size": {weak: [][]edit{{{"app", "siteConfig.appSettings.13.value", "25"}}, {{"app", "siteConfig.appSettings.13.name", "X"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.13.value", u}}},
	"streamlit-agent-api-off": {weak: [][]edit{{{"app", "siteConfig.appSettings.14.value", "true"}}},
		unknown: []edit{{"app", "siteConfig.appSettings.14.value", u}}},
	"streamlit-cookie-secret-keyvault": {weak: [][]edit{{{"app", "siteConfig.appSettings.7.value", "hunter2-plain-secret"}}, {{"app", "siteConfig.appSettings.7.value", inventory.SecretMask}}, {{"app", "siteConfig.appSettings.7.value", "@Microsoft.KeyVault(hunter2)"}}},
		unknown: []edit{{"app", "siteConfig.appSettings", u}}},

	"frontdoor-route-https-redirect": {weak: [][]edit{{{"route", "httpsRedirect", "Disabled"}}}, unknown: []edit{{"route", "httpsRedirect", u}}},
	"frontdoor-route-forward-https":  {weak: [][]edit{{{"route", "forwardingProtocol", "MatchRequest"}}, {{"route", "forwardingProtocol", "HttpOnly"}}}, unknown: []edit{{"route", "forwardingProtocol", u}}},
	"frontdoor-route-protocols": {weak: [][]edit{{{"route", "supportedProtocols", []any{"Http"}}}, {{"route", "supportedProtocols", []any{"Http", "Https"}}, {"route", "httpsRedirect", "Disabled"}}},
		unknown: []edit{{"route", "supportedProtocols", u}}},
	"frontdoor-route-no-cache":      {weak: [][]edit{{{"route", "cacheConfiguration", map[string]any{"queryStringCachingBehavior": "IgnoreQueryString"}}}}, unknown: []edit{{"route", "cacheConfiguration", u}}},
	"frontdoor-custom-domain-tls12": {weak: [][]edit{{{"domain", "tlsSettings.minimumTlsVersion", "TLS10"}}}, unknown: []edit{{"domain", "tlsSettings.minimumTlsVersion", u}}},
	"frontdoor-origin-cert-check":   {weak: [][]edit{{{"origin", "enforceCertificateNameCheck", false}}}, unknown: []edit{{"origin", "enforceCertificateNameCheck", u}}},
	"frontdoor-certificate-latest":  {weak: [][]edit{{{"cert", "parameters.useLatestVersion", false}}}, unknown: []edit{{"cert", "parameters.useLatestVersion", u}}},
	"frontdoor-hsts": {weak: [][]edit{{{"hsts", "actions.0.parameters.value", "max-age=300"}}, {{"hsts", "actions.0.parameters.headerName", "X-Other"}}},
		unknown: []edit{{"hsts", "actions.0.parameters.headerName", "X-Other"}, {"privacy", "actions", u}}},
	"frontdoor-csp": {weak: [][]edit{{{"hsts", "actions.1.parameters.value", "default-src 'self'"}}}, unknown: []edit{{"hsts", "actions", u}}},
	"frontdoor-nosniff": {weak: [][]edit{{{"hsts", "actions.2.parameters.value", "sniff"}}},
		unknown: []edit{{"hsts", "actions", u}}},
	"frontdoor-referrer-policy":    {weak: [][]edit{{{"privacy", "actions.0.parameters.value", "unsafe-url"}}}, unknown: []edit{{"privacy", "actions", u}}},
	"frontdoor-permissions-policy": {weak: [][]edit{{{"privacy", "actions.1.parameters.headerAction", "Delete"}}}, unknown: []edit{{"privacy", "actions", u}}},
	"frontdoor-server-header-removed": {weak: [][]edit{{{"privacy", "actions.2.parameters.headerAction", "Overwrite"}}},
		unknown: []edit{{"privacy", "actions.2.parameters.headerAction", u}}},

	"waf-enabled":         {weak: [][]edit{{{"waf", "policySettings.enabledState", "Disabled"}}}, unknown: []edit{{"waf", "policySettings.enabledState", u}}},
	"waf-prevention-mode": {weak: [][]edit{{{"waf", "policySettings.mode", "Detection"}}}, unknown: []edit{{"waf", "policySettings.mode", u}}},
	"waf-request-body-check": {weak: [][]edit{{{"waf", "policySettings.requestBodyCheck", "Disabled"}}},
		unknown: []edit{{"waf", "policySettings.requestBodyCheck", u}}},
	"waf-default-rule-set": {weak: [][]edit{{{"waf", "managedRules.managedRuleSets.0.ruleSetVersion", "1.0"}}, {{"waf", "managedRules.managedRuleSets", []any{}}}, {{"waf", "managedRules.managedRuleSets.0.ruleSetAction", "Log"}}},
		unknown: []edit{{"waf", "managedRules.managedRuleSets", u}}},
	"waf-bot-manager": {weak: [][]edit{{{"waf", "managedRules.managedRuleSets.1.ruleSetType", "Other"}}}, unknown: []edit{{"waf", "sku.name", u}}},
	// The WAF: rate limit (0), internal paths (1), legacy version (2), the
	// Allow with the Origin allowlist (3), the block of the rest of the
	// stream path (4), as components/waf.go builds it.
	"waf-origin-allowlist": {weak: [][]edit{
		{{"waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"https://dash.example.com", "*"}}},
		{{"waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"https://dash.example.com", "null"}}},
		{{"waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"http://dash.example.com"}}},
		{{"waf", "customRules.rules.4.action", "Log"}},
		{{"waf", "customRules.rules.4.enabledState", "Disabled"}},
		{{"waf", "customRules.rules.3.matchConditions.2.negateCondition", true}},
	}, unknown: []edit{{"waf", "customRules.rules.3.matchConditions.2.matchValue", u}}},
	"waf-origin-required": {weak: [][]edit{{{"waf", "customRules.rules.4.enabledState", "Disabled"}}, {{"waf", "customRules.rules.4.priority", 35.0}}, {{"waf", "customRules.rules.4.action", "Log"}}},
		unknown: []edit{{"waf", "customRules.rules.4.matchConditions", u}}},
	"waf-rate-limit": {weak: [][]edit{{{"waf", "customRules.rules.0.rateLimitThreshold", 0.0}}, {{"waf", "customRules.rules.0.matchConditions.0.matchValue", []any{"/other"}}}},
		unknown: []edit{{"waf", "customRules.rules.0.rateLimitThreshold", u}}},
	"waf-websocket-version": {weak: [][]edit{{{"waf", "customRules.rules.2.enabledState", "Disabled"}}, {{"waf", "customRules.rules.2.matchConditions.1.negateCondition", false}}, {{"waf", "customRules.rules.2.matchConditions.1.matchValue", []any{"13", "8"}}}, {{"waf", "customRules.rules.2.action", "Log"}}},
		unknown: []edit{{"waf", "customRules.rules.2.matchConditions.1.matchValue", u}}},
	"waf-internal-paths-blocked": {weak: [][]edit{{{"waf", "customRules.rules.1.matchConditions.0.matchValue", []any{"/_stcore/metrics"}}}, {{"waf", "customRules", del}}},
		unknown: []edit{{"waf", "customRules.rules", u}}},
	// The edge rules judge what the model of the whole edge does. The
	// issue's three weakenings come first, then others of our own.
	"edge-cswsh-refused": {weak: [][]edit{
		// An Allow at a higher priority than the blocks.
		{{"waf", "customRules.rules.2.action", "Allow"}, {"waf", "customRules.rules.2.matchConditions", []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}}},
		// A typo in the stream path of the block.
		{{"waf", "customRules.rules.4.matchConditions.0.matchValue", []any{"/_stcore/strem"}}},
		{{"waf", "policySettings.mode", "Detection"}},
		{{"waf", "policySettings.enabledState", "Disabled"}},
		{{"waf", "customRules.rules.4.enabledState", "Disabled"}},
		{{"waf-policy", "parameters.associations.0.patternsToMatch", []any{"/app/*"}}},
		{{"waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"https://dash.example.com", "http://dash.example.com"}}},
	}, unknown: []edit{{"waf", "customRules.rules.3.matchConditions.2.matchValue", u}}},
	"edge-origin-required": {weak: [][]edit{
		{{"waf", "customRules.rules.2.action", "Allow"}, {"waf", "customRules.rules.2.matchConditions", []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}}},
		// The old shape: a negated Any on the absent Origin instead of the
		// Allow and the block (not every reading blocks).
		{{"waf", "customRules.rules.3.action", "Block"}, {"waf", "customRules.rules.3.matchConditions.2", map[string]any{"matchVariable": "RequestHeader", "selector": "Origin", "operator": "Any", "negateCondition": true, "matchValue": []any{}}}, {"waf", "customRules.rules.4", map[string]any{"name": "Gone", "priority": 50.0, "enabledState": "Disabled", "ruleType": "MatchRule", "action": "Block", "matchConditions": []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}}}},
	}, unknown: []edit{{"waf", "customRules.rules.4.matchConditions", u}}},
	"edge-allowed-origin-accepted": {weak: [][]edit{
		// The allowlist compared case-sensitively: Lowercase dropped, upper-case values.
		{{"waf", "customRules.rules.3.matchConditions.2.transforms", []any{"Trim"}}, {"waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"HTTPS://DASH.EXAMPLE.COM"}}},
		{{"waf", "customRules.rules.3.matchConditions.3.matchValue", []any{"8"}}},
		{{"route", "patternsToMatch", []any{"/app/*"}}},
		// server.allowedHosts naming the public host: the app sees the
		// origin host header (*.azurewebsites.net) and refuses everyone.
		{{"app", "siteConfig.appSettings.11.value", "dash.example.com"}},
	}, unknown: []edit{{"waf", "customRules.rules.3.matchConditions.2.matchValue", u}}},
	"edge-legacy-version-refused": {weak: [][]edit{
		{{"waf", "customRules.rules.2.enabledState", "Disabled"}, {"waf", "customRules.rules.3.matchConditions.3.matchValue", []any{"13", "8"}}},
		{{"waf", "customRules.rules.2.action", "Allow"}, {"waf", "customRules.rules.2.matchConditions", []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}}},
		// Tornado-era Streamlit upgrades version 8 once the WAF lets it by.
	}, unknown: []edit{{"waf", "customRules.rules.2.matchConditions.1.matchValue", u}}, version: "1.50.0"},
	"edge-internal-paths-refused": {weak: [][]edit{
		{{"waf", "customRules.rules.1.action", "Log"}},
		{{"waf", "customRules.rules.1.matchConditions.0.matchValue", []any{"/_stcore/metric"}}, {"waf", "customRules.rules.1.matchConditions.0.operator", "EndsWith"}},
		{{"waf", "customRules.rules.1.priority", 45.0}, {"waf", "customRules.rules.3.matchConditions", []any{map[string]any{"matchVariable": "RequestUri", "operator": "BeginsWith", "matchValue": []any{"/"}}}}},
	}, unknown: []edit{{"waf", "customRules.rules.1.matchConditions.0.matchValue", u}}},

	"storage-public-network-disabled": {weak: [][]edit{{{"storage", "publicNetworkAccess", "Enabled"}}, {{"storage", "networkRuleSet", map[string]any{"defaultAction": "Allow"}}},
		{{"pkg-storage", "tags.streamsecRole", "other"}}, {{"pkg-storage", "defaultToOAuthAuthentication", false}}, {{"pkg-storage", "allowSharedKeyAccess", true}}},
		unknown: []edit{{"storage", "publicNetworkAccess", u}}},
	"storage-min-tls":         {weak: [][]edit{{{"storage", "minimumTlsVersion", "TLS1_0"}}}, unknown: []edit{{"storage", "minimumTlsVersion", u}}},
	"storage-https-only":      {weak: [][]edit{{{"storage", "enableHttpsTrafficOnly", false}}}, unknown: []edit{{"storage", "enableHttpsTrafficOnly", u}}},
	"storage-no-public-blobs": {weak: [][]edit{{{"storage", "allowBlobPublicAccess", true}}}, unknown: []edit{{"storage", "allowBlobPublicAccess", u}}},
	"storage-no-shared-key":   {weak: [][]edit{{{"storage", "allowSharedKeyAccess", true}}}, unknown: []edit{{"storage", "allowSharedKeyAccess", u}}},
	"storage-no-cross-tenant-replication": {weak: [][]edit{{{"storage", "allowCrossTenantReplication", true}}},
		unknown: []edit{{"storage", "allowCrossTenantReplication", u}}},
	"storage-container-private": {weak: [][]edit{{{"pkg-container", "publicAccess", "Blob"}}, {{"pkg-container", "publicAccess", "Container"}}},
		unknown: []edit{{"pkg-container", "publicAccess", u}}},
	"appservice-no-storage-credentials": {weak: [][]edit{
		{{"app", "siteConfig.appSettings.15.value", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc=="}},
		{{"app", "siteConfig.appSettings.15.value", "https://a.blob.core.windows.net/?sv=2022-11-02&sig=abc"}},
		{{"app", "siteConfig.appSettings.16.name", "AZURE_STORAGE_CONNECTION_STRING"}},
	}, unknown: []edit{{"app", "siteConfig.appSettings.16.value", u}}},
	"appservice-storage-settings": {weak: [][]edit{
		{{"app", "siteConfig.appSettings.15.value", "http://a.blob.core.windows.net/"}},
		{{"app", "siteConfig.appSettings.15.name", "OTHER"}},
		{{"app", "siteConfig.appSettings.16.value", ""}},
		{{"app", "siteConfig.appSettings.16.name", "OTHER"}},
	}, unknown: []edit{{"app", "siteConfig.appSettings.15.value", u}}},
	"appservice-python-build": {weak: [][]edit{
		{{"app", "siteConfig.appSettings.17.value", "false"}},
		{{"app", "siteConfig.appSettings.17.name", "OTHER"}},
		{{"app", "siteConfig.appSettings.16.name", "WEBSITE_RUN_FROM_PACKAGE"}},
		{{"app", "siteConfig.linuxFxVersion", del}},
	}, unknown: []edit{{"app", "siteConfig.appSettings.17.value", u}}},
	"deployment-package-uri-secret": {weak: [][]edit{
		{{"release", "properties.parameters.packageUri.value", "https://a.blob.core.windows.net/c/b.zip?sig=abc"}},
		{{"release", "properties.template.parameters.packageUri.type", "string"}},
		{{"release", "properties.parameters.packageUri", del}},
	}, unknown: []edit{{"release", "properties.template", u}}},
	"keyvault-rbac":             {weak: [][]edit{{{"kv", "properties.enableRbacAuthorization", false}}}, unknown: []edit{{"kv", "properties.enableRbacAuthorization", u}}},
	"keyvault-purge-protection": {weak: [][]edit{{{"kv", "properties.enablePurgeProtection", false}}}, unknown: []edit{{"kv", "properties.enablePurgeProtection", u}}},
	"keyvault-soft-delete":      {weak: [][]edit{{{"kv", "properties.enableSoftDelete", false}}}, unknown: []edit{{"kv", "properties.enableSoftDelete", u}}},
	"keyvault-network": {weak: [][]edit{{{"kv", "properties.publicNetworkAccess", "Enabled"}, {"kv", "properties.networkAcls.defaultAction", "Allow"}}},
		unknown: []edit{{"kv", "properties.publicNetworkAccess", u}, {"kv", "properties.networkAcls", del}}},

	"appservice-frontdoor-id": {weak: [][]edit{{{"app", "siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid", []any{"00000000-0000-0000-0000-000000000000"}}}, {{"fd", "", nil}}},
		unknown: []edit{{"app", "siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid", []any{u}}}, unknownPasses: true},
	"appservice-arr-affinity": {weak: [][]edit{{{"app", "clientAffinityEnabled", false}}, {{"origin-group", "sessionAffinityState", "Disabled"}}},
		unknown: []edit{{"app", "clientAffinityEnabled", u}}},
	"appservice-private-origin": {weak: [][]edit{{{"app", "publicNetworkAccess", "Enabled"}}, {{"app", "publicNetworkAccess", del}}},
		unknown: []edit{{"app", "publicNetworkAccess", u}}},
	"appservice-auth-required": {weak: [][]edit{{{"auth", "", nil}}, {{"auth", "name", "other-app"}}},
		unknown: []edit{{"auth", "name", u}}, unknownPasses: true},
	"frontdoor-waf-coverage": {weak: [][]edit{{{"waf-policy", "", nil}}, {{"waf-policy", "parameters.associations.0.domains", []any{map[string]any{"id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Cdn/profiles/acme-dashboard-prod-fd/afdEndpoints/acme-dashboard-prod-ep"}}}}},
		unknown: []edit{{"waf-policy", "parameters.associations.0.domains.0.id", u}, {"waf-policy", "parameters.associations.0.domains.1.id", u}}, unknownPasses: true},
	"storage-private-endpoint": {weak: [][]edit{{{"pe-blob", "", nil}}, {{"pe-blob", "privateLinkServiceConnections.0.groupIds", []any{"file"}}}},
		unknown: []edit{{"pe-blob", "privateLinkServiceConnections.0.privateLinkServiceId", u}}, unknownPasses: true},
	"keyvault-private-endpoint": {weak: [][]edit{{{"pe-vault", "", nil}}},
		unknown: []edit{{"pe-vault", "privateLinkServiceConnections", u}}, unknownPasses: true},
	"diagnostics-frontdoor": {weak: [][]edit{{{"diag-fd", "", nil}}, {{"diag-fd", "logs.0.enabled", false}}, {{"diag-fd", "logs", []any{map[string]any{"category": "FrontDoorAccessLog", "enabled": true}}}}},
		unknown: []edit{{"diag-fd", "resourceUri", u}}, unknownPasses: true},
	"diagnostics-webapp": {weak: [][]edit{{{"diag-app", "resourceUri", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/sites/other"}}, {{"diag-app", "logs.0.category", "AppServiceConsoleLogs"}}},
		unknown: []edit{{"diag-app", "resourceUri", u}}, unknownPasses: true},
	"diagnostics-keyvault": {weak: [][]edit{{{"diag-kv", "workspaceId", del}}, {{"diag-kv", "logs.0.categoryGroup", "other"}}},
		unknown: []edit{{"diag-kv", "resourceUri", u}}, unknownPasses: true},
}

func TestEveryRuleHasFixtures(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range All() {
		if ids[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		ids[r.ID] = true
		c, ok := fixtures[r.ID]
		if !ok || len(c.weak) == 0 || len(c.unknown) == 0 {
			t.Errorf("rule %s has no non-compliant and unknown fixtures", r.ID)
		}
		if r.Title == "" || r.Description == "" || len(r.Controls) == 0 || !r.Enforcement.Valid() || r.Enforcement == Disabled {
			t.Errorf("rule %s lacks metadata", r.ID)
		}
		if (r.Check == nil) == (r.CheckStack == nil) {
			t.Errorf("rule %s must have exactly one of Check and CheckStack", r.ID)
		}
		if r.Pack != PackWebSocket && r.Pack != PackBaseline {
			t.Errorf("rule %s has no pack", r.ID)
		}
	}
	for id := range fixtures {
		if !ids[id] {
			t.Errorf("fixture for unknown rule %s", id)
		}
	}
}

// prodConfig is what the prod stack's Spec implies for the fixture.
func prodConfig() Config {
	cfg := DefaultConfig()
	cfg.AllowedOrigins = []string{"https://dash.example.com"}
	cfg.RequireAuthentication = true
	return cfg
}

func TestHardenedStackIsClean(t *testing.T) {
	cfg := prodConfig()
	if vs := Evaluate(hardened(t), cfg); len(vs) != 0 {
		for _, v := range vs {
			t.Errorf("%s %s %s: %s", v.Policy, v.URN, v.Property, v.Message)
		}
	}
}

func hasPolicy(vs []Violation, id string) (Violation, bool) {
	for _, v := range vs {
		if v.Policy == id {
			return v, true
		}
	}
	return Violation{}, false
}

func TestRuleFixtures(t *testing.T) {
	base := hardened(t)
	for _, r := range All() {
		c := fixtures[r.ID]
		cfg := prodConfig()
		if c.version != "" {
			cfg.StreamlitVersion = c.version
		}
		for i, w := range c.weak {
			t.Run(r.ID+"/weak"+strconv.Itoa(i), func(t *testing.T) {
				vs := Evaluate(apply(t, base, w...), cfg)
				v, ok := hasPolicy(vs, r.ID)
				if !ok {
					t.Fatalf("weak variant %v not caught by %s; got %v", w, r.ID, vs)
				}
				if v.Severity != string(r.Enforcement) || v.URN == "" || v.Type == "" || v.Message == "" || len(v.Controls) == 0 {
					t.Errorf("incomplete violation %+v", v)
				}
			})
		}
		t.Run(r.ID+"/unknown", func(t *testing.T) {
			vs := Evaluate(apply(t, base, c.unknown...), cfg)
			v, ok := hasPolicy(vs, r.ID)
			if c.unknownPasses {
				if ok {
					t.Fatalf("computed reference should be accepted, got %+v", v)
				}
				return
			}
			if !ok {
				t.Fatalf("unknown value not failed closed by %s; got %v", r.ID, vs)
			}
			if !strings.Contains(v.Message, "cannot be proven") || v.Property == "" {
				t.Errorf("message should name the property and say why: %+v", v)
			}
		})
	}
}

func TestVersionedTypesMatch(t *testing.T) {
	rs := apply(t, hardened(t), edit{"app", "httpsOnly", false}, edit{"waf", "policySettings.mode", "Detection"})
	for i := range rs {
		switch rs[i].Name {
		case "app":
			rs[i].Type = "azure-native:web/v20240401:WebApp"
		case "waf":
			rs[i].Type = "azure-native:network/v20240201:Policy"
		}
	}
	vs := Evaluate(rs, DefaultConfig())
	for _, id := range []string{"appservice-https-only", "waf-prevention-mode"} {
		if _, ok := hasPolicy(vs, id); !ok {
			t.Errorf("%s not applied to the versioned token", id)
		}
	}
}

func TestEnforcementOverride(t *testing.T) {
	rs := apply(t, hardened(t), edit{"app", "httpsOnly", false}, edit{"waf", "policySettings.mode", "Detection"})
	cfg := DefaultConfig()
	cfg.Enforcement = map[string]Enforcement{"appservice-https-only": Disabled, "waf-prevention-mode": Advisory}
	// Detection mode also lets every attack through the modelled edge.
	for _, r := range edgeRules() {
		cfg.Enforcement[r.ID] = Advisory
	}
	vs := Evaluate(rs, cfg)
	if _, ok := hasPolicy(vs, "appservice-https-only"); ok {
		t.Error("disabled rule still reported")
	}
	v, ok := hasPolicy(vs, "waf-prevention-mode")
	if !ok || v.Severity != "advisory" {
		t.Errorf("override to advisory not applied: %+v", v)
	}
	if HasMandatory(vs) {
		t.Error("no mandatory violation expected")
	}
	if err := (Config{Enforcement: map[string]Enforcement{"nope": Advisory}}).Validate(); err == nil {
		t.Error("unknown rule id accepted")
	}
	if err := (Config{Enforcement: map[string]Enforcement{"waf-enabled": "loud"}}).Validate(); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestAllowedOriginsMustMatchConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowedOrigins = []string{"https://other.example.com"}
	v, ok := hasPolicy(Evaluate(hardened(t), cfg), "waf-origin-allowlist")
	if !ok || !strings.Contains(v.Message, "other.example.com") {
		t.Fatalf("allowlist mismatch not reported: %+v", v)
	}
}

func TestStandardSkuSkipsManagedRules(t *testing.T) {
	rs := apply(t, hardened(t), edit{"waf", "sku.name", "Standard_AzureFrontDoor"}, edit{"waf", "managedRules", del})
	vs := Evaluate(rs, DefaultConfig())
	for _, id := range []string{"waf-default-rule-set", "waf-bot-manager"} {
		if _, ok := hasPolicy(vs, id); ok {
			t.Errorf("%s reported on a Standard WAF policy", id)
		}
	}
}

func TestPlainSecretNeverEchoed(t *testing.T) {
	rs := apply(t, hardened(t), edit{"app", "siteConfig.appSettings.7.value", "hunter2-plain-secret"})
	for _, v := range Evaluate(rs, DefaultConfig()) {
		if strings.Contains(v.Message, "hunter2") {
			t.Errorf("secret echoed: %s", v.Message)
		}
	}
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{
		"server.enableCORS":                 "STREAMLIT_SERVER_ENABLE_CORS",
		"server.enableXsrfProtection":       "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION",
		"server.enableWebsocketCompression": "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION",
		"server.maxMessageSize":             "STREAMLIT_SERVER_MAX_MESSAGE_SIZE",
		"global.developmentMode":            "STREAMLIT_GLOBAL_DEVELOPMENT_MODE",
		"server.cookieSecret":               "STREAMLIT_SERVER_COOKIE_SECRET",
	} {
		if got := envName(in); got != want {
			t.Errorf("envName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzEvaluate feeds arbitrary JSON as resource inputs to every rule: no
// input may panic.
func FuzzEvaluate(f *testing.F) {
	data, _ := os.ReadFile("testdata/hardened.json")
	f.Add(data)
	f.Add([]byte(`{"resources":[{"type":"azure-native:web:WebApp","inputs":{"siteConfig":{"appSettings":[1,null,{"name":3}],"ipSecurityRestrictions":{"a":1}}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc struct {
			Resources []inventory.Resource `json:"resources"`
		}
		if json.Unmarshal(b, &doc) != nil {
			return
		}
		Evaluate(doc.Resources, DefaultConfig())
	})
}

func TestBaseTypeMatchesInventory(t *testing.T) {
	for _, tok := range []string{"azure-native:web:WebApp", "azure-native:web/v20240401:WebApp", "pulumi:pulumi:Stack", "x", "a:b", "a:b/c", "a:b/c:d:e", ":/:", ""} {
		if got, want := baseType(tok), inventory.BaseType(tok); got != want {
			t.Errorf("baseType(%q) = %q, want %q", tok, got, want)
		}
	}
}

func TestEvaluationDocument(t *testing.T) {
	rs := apply(t, hardened(t), edit{"app", "httpsOnly", false})
	cfg := prodConfig()
	cfg.Enforcement = map[string]Enforcement{"appservice-http2": Disabled, "waf-enabled": Advisory}
	doc := Run(All(), rs, cfg).Document("check", "x", nil)
	status := map[string]string{}
	for _, r := range doc.Results {
		status[r.RuleID] = string(r.Status)
	}
	if status["appservice-https-only"] != "fail" || status["appservice-http2"] != "not-applicable" || status["waf-enabled"] != "pass" {
		t.Errorf("statuses: %v", status)
	}
	if len(doc.Rules) != len(All()) || len(status) != len(All()) {
		t.Errorf("%d rules, %d distinct results", len(doc.Rules), len(status))
	}
	if r, _ := doc.Rule("waf-enabled"); r.Level != "warning" {
		t.Errorf("effective level not shown: %+v", r)
	}
}

// TestStreamlitRulesPerVersion: options a release does not have are not
// demanded of it; from the release that has them they are; an unreadable
// version fails closed.
func TestStreamlitRulesPerVersion(t *testing.T) {
	// The hardened app without the Starlette-era settings (indexes 11-14).
	old := apply(t, hardened(t), edit{"app", "siteConfig.appSettings.14", del}, edit{"app", "siteConfig.appSettings.13", del},
		edit{"app", "siteConfig.appSettings.12", del}, edit{"app", "siteConfig.appSettings.11", del})
	tests := []struct {
		version string
		rule    string
		fails   bool
	}{
		{"1.50.0", "streamlit-allowed-hosts", false},
		{"1.60.0", "streamlit-allowed-hosts", false},
		{"1.61.0", "streamlit-allowed-hosts", true},
		{"1.58.0", "streamlit-xsrf-cookie-samesite", false},
		{"1.59.0", "streamlit-xsrf-cookie-samesite", true},
		{"1.59.2", "streamlit-max-widget-state-size", false},
		{"1.60.0", "streamlit-max-widget-state-size", true},
		{"", "streamlit-allowed-hosts", true}, // the default is the newest release
		{"1.70.0", "streamlit-allowed-hosts", true},
		{"latest", "streamlit-allowed-hosts", true},
		{"latest", "streamlit-max-widget-state-size", true},
	}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.rule, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.StreamlitVersion = tt.version
			if tt.version == "" {
				cfg = Config{}
			}
			v, failed := hasPolicy(Evaluate(old, cfg), tt.rule)
			if failed != tt.fails {
				t.Errorf("violation = %v (%s), want %v", failed, v.Message, tt.fails)
			}
		})
	}
}

func TestAllowedHostsMustBeTheStacks(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowedHosts = []string{"acme-dashboard-prod-app.azurewebsites.net"}
	if v, ok := hasPolicy(Evaluate(hardened(t), cfg), "streamlit-allowed-hosts"); ok {
		t.Fatalf("the stack's own host refused: %s", v.Message)
	}
	cfg.AllowedHosts = []string{"other.azurewebsites.net"}
	v, ok := hasPolicy(Evaluate(hardened(t), cfg), "streamlit-allowed-hosts")
	if !ok || !strings.Contains(v.Message, "not the stack's host") {
		t.Fatalf("foreign host not reported: %+v", v)
	}
}
