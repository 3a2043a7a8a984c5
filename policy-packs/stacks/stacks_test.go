// Package stacks tests the policy rules on the real stacks: the prod and
// dev environments as the Pulumi program builds them (the offline plan
// under mocks) must be clean, and flipping any single hardened property to
// its insecure value must be caught, naming the rule.
package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

func planStack(t testing.TB, stack string) (*plan.Plan, *spec.Spec) {
	t.Helper()
	loaded, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: "../../stacks", Embedded: streamsec.Stacks(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Run(context.Background(), loaded.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return p, loaded.Spec
}

func TestStacksAreClean(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		p, s := planStack(t, stack)
		for _, v := range rules.Evaluate(p.Resources, rules.ConfigFromSpec(s)) {
			t.Errorf("%s: %s %s on %s: %s", stack, v.Severity, v.Policy, v.URN, v.Message)
		}
	}
}

// flip is one hardened property set to its insecure value, on the first
// resource of a type (so the table survives renames in components/).
type flip struct {
	typ, path string
	value     any
	rule      string
	stacks    string // "prod", "dev" or "" for both
}

const del = "\x00delete"

var flips = []flip{
	{"web:WebApp", "httpsOnly", false, "appservice-https-only", ""},
	{"web:WebApp", "siteConfig.minTlsVersion", "1.0", "appservice-min-tls", ""},
	{"web:WebApp", "siteConfig.scmMinTlsVersion", "1.1", "appservice-scm-min-tls", ""},
	{"web:WebApp", "siteConfig.ftpsState", "AllAllowed", "appservice-ftps-only", ""},
	{"web:WebApp", "siteConfig.remoteDebuggingEnabled", true, "appservice-remote-debugging-off", ""},
	{"web:WebApp", "siteConfig.webSocketsEnabled", false, "appservice-websockets-enabled", ""},
	{"web:WebApp", "siteConfig.httpLoggingEnabled", false, "appservice-http-logging", ""},
	{"web:WebApp", "siteConfig.cors", map[string]any{"allowedOrigins": []any{"*"}}, "appservice-cors-not-wildcard", ""},
	{"web:WebApp", "identity", del, "appservice-managed-identity", ""},
	{"web:WebApp", "siteConfig.ipSecurityRestrictionsDefaultAction", "Allow", "appservice-frontdoor-only", ""},
	{"web:WebApp", "siteConfig.ipSecurityRestrictions.0.headers", map[string]any{}, "appservice-frontdoor-only", ""},
	{"web:WebApp", "siteConfig.ipSecurityRestrictions.0.ipAddress", "0.0.0.0/0", "appservice-frontdoor-only", ""},
	{"web:WebApp", "siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid", []any{"00000000-1111-2222-3333-444444444444"}, "appservice-frontdoor-id", ""},
	{"web:WebApp", "siteConfig.scmIpSecurityRestrictionsDefaultAction", "Allow", "appservice-scm-restricted", ""},
	{"web:WebApp", "clientAffinityEnabled", false, "appservice-arr-affinity", "prod"},
	{"cdn:AFDOriginGroup", "sessionAffinityState", "Disabled", "appservice-arr-affinity", "prod"},
	{"web:WebApp", "publicNetworkAccess", "Enabled", "appservice-private-origin", "prod"},
	{"web:WebAppAuthSettingsV2", "globalValidation.requireAuthentication", false, "appservice-auth-settings", "prod"},
	{"web:WebAppAuthSettingsV2", "globalValidation.unauthenticatedClientAction", "AllowAnonymous", "appservice-auth-settings", "prod"},
	{"web:WebAppAuthSettingsV2", "platform.enabled", false, "appservice-auth-settings", "prod"},
	{"web:WebAppFtpAllowed", "allow", true, "appservice-ftp-basic-auth-off", ""},
	{"web:WebAppScmAllowed", "allow", true, "appservice-scm-basic-auth-off", ""},

	{"web:WebApp", "STREAMLIT_SERVER_ENABLE_CORS", "false", "streamlit-cors-enabled", ""},
	{"web:WebApp", "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION", "false", "streamlit-xsrf-protection", ""},
	{"web:WebApp", "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION", "true", "streamlit-compression-off", ""},
	{"web:WebApp", "STREAMLIT_SERVER_MAX_MESSAGE_SIZE", "200", "streamlit-max-message-size", ""},
	{"web:WebApp", "STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "200", "streamlit-max-upload-size", ""},
	{"web:WebApp", "STREAMLIT_GLOBAL_DEVELOPMENT_MODE", "true", "streamlit-development-mode-off", ""},
	{"web:WebApp", "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full", "streamlit-error-details-hidden", ""},
	{"web:WebApp", "STREAMLIT_BROWSER_GATHER_USAGE_STATS", "true", "streamlit-usage-stats-off", ""},
	{"web:WebApp", "STREAMLIT_SERVER_ENABLE_STATIC_SERVING", "true", "streamlit-static-serving-off", ""},
	{"web:WebApp", "STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS", "*", "streamlit-cors-allowlist", ""},
	{"web:WebApp", "STREAMLIT_SERVER_COOKIE_SECRET", "0123456789abcdef-plain", "streamlit-cookie-secret-keyvault", ""},

	{"cdn:Route", "httpsRedirect", "Disabled", "frontdoor-route-https-redirect", ""},
	{"cdn:Route", "forwardingProtocol", "MatchRequest", "frontdoor-route-forward-https", ""},
	{"cdn:Route", "supportedProtocols", []any{"Http"}, "frontdoor-route-protocols", ""},
	{"cdn:Route", "cacheConfiguration", map[string]any{"queryStringCachingBehavior": "IgnoreQueryString"}, "frontdoor-route-no-cache", ""},
	{"cdn:AFDCustomDomain", "tlsSettings.minimumTlsVersion", "TLS10", "frontdoor-custom-domain-tls12", "prod"},
	{"cdn:AFDOrigin", "enforceCertificateNameCheck", false, "frontdoor-origin-cert-check", ""},
	{"cdn:Secret", "parameters.useLatestVersion", false, "frontdoor-certificate-latest", "prod"},
	{"cdn:SecurityPolicy", "parameters.associations", []any{}, "frontdoor-waf-coverage", ""},
	{"insights:DiagnosticSetting", "logs", []any{}, "", ""}, // the first setting; its rule depends on the target

	{"network:Policy", "policySettings.enabledState", "Disabled", "waf-enabled", ""},
	{"network:Policy", "policySettings.mode", "Detection", "waf-prevention-mode", ""},
	{"network:Policy", "policySettings.requestBodyCheck", "Disabled", "waf-request-body-check", ""},
	{"network:Policy", "managedRules.managedRuleSets.0.ruleSetVersion", "1.0", "waf-default-rule-set", "prod"},
	{"network:Policy", "managedRules.managedRuleSets.1.ruleSetType", "Other", "waf-bot-manager", "prod"},
	{"network:Policy", "managedRules.managedRuleSets.0.ruleSetAction", "Log", "waf-default-rule-set", "prod"},

	{"storage:StorageAccount", "publicNetworkAccess", "Enabled", "storage-public-network-disabled", ""},
	{"storage:BlobContainer", "publicAccess", "Blob", "storage-container-private", ""},
	{"storage:StorageAccount", "networkRuleSet.defaultAction", "Allow", "storage-public-network-disabled", ""},
	{"storage:StorageAccount", "minimumTlsVersion", "TLS1_0", "storage-min-tls", ""},
	{"storage:StorageAccount", "enableHttpsTrafficOnly", false, "storage-https-only", ""},
	{"storage:StorageAccount", "allowBlobPublicAccess", true, "storage-no-public-blobs", ""},
	{"storage:StorageAccount", "allowSharedKeyAccess", true, "storage-no-shared-key", ""},
	{"storage:StorageAccount", "allowCrossTenantReplication", true, "storage-no-cross-tenant-replication", ""},

	{"keyvault:Vault", "properties.enableRbacAuthorization", false, "keyvault-rbac", ""},
	{"keyvault:Vault", "properties.enablePurgeProtection", false, "keyvault-purge-protection", ""},
	{"keyvault:Vault", "properties.enableSoftDelete", false, "keyvault-soft-delete", ""},
	{"network:PrivateEndpoint", "privateLinkServiceConnections.0.groupIds", []any{"file"}, "", ""}, // blob or vault, by target
}

// wafRuleFlips break each custom rule of the WAF policy in turn, wherever
// components/ put it: found by name fragment.
var wafRuleFlips = []struct{ nameHas, rule string }{
	{"Internal", "waf-internal-paths-blocked"},
	{"BlockStreamOther", "waf-origin-required"},
	{"BlockStreamOther", "edge-cswsh-refused"},
	{"AllowStream", "edge-allowed-origin-accepted"},
	{"RateLimit", "waf-rate-limit"},
}

func firstOf(rs []inventory.Resource, typ string) int {
	for i, r := range rs {
		// The package store is the one account open to the internet by
		// design (its own rules); the flips target the data account.
		if role, _ := inventory.Lookup(r.Inputs, "tags.streamsecRole"); role == "app-packages" {
			continue
		}
		if inventory.BaseType(r.Type) == "azure-native:"+typ {
			return i
		}
	}
	return -1
}

func clone(t *testing.T, rs []inventory.Resource) []inventory.Resource {
	b, _ := json.Marshal(rs)
	var out []inventory.Resource
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func set(t *testing.T, inputs map[string]any, path string, v any) {
	t.Helper()
	if strings.HasPrefix(path, "STREAMLIT_") {
		settings, _ := inventory.Lookup(inputs, "siteConfig.appSettings")
		for _, e := range settings.([]any) {
			if m := e.(map[string]any); m["name"] == path {
				m["value"] = v
				return
			}
		}
		t.Fatalf("no App Setting %s", path)
	}
	steps := strings.Split(path, ".")
	node := any(inputs)
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
			var idx int
			if _, err := fmt.Sscan(s, &idx); err != nil || idx >= len(n) {
				t.Fatalf("bad path %s", path)
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

func caught(vs []rules.Violation, rule string) bool {
	for _, v := range vs {
		if v.Severity == string(rules.Mandatory) && (rule == "" || v.Policy == rule) {
			return true
		}
	}
	return false
}

func TestWeakVariantsAreBlocked(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		p, s := planStack(t, stack)
		cfg := rules.ConfigFromSpec(s)
		for _, f := range flips {
			if f.stacks != "" && f.stacks != stack {
				continue
			}
			name := fmt.Sprintf("%s/%s.%s", stack, f.typ, f.path)
			t.Run(name, func(t *testing.T) {
				rs := clone(t, p.Resources)
				i := firstOf(rs, f.typ)
				if i < 0 {
					t.Fatalf("the %s stack has no %s", stack, f.typ)
				}
				if f.rule == "appservice-frontdoor-id" {
					// The offline plan carries no outputs; a stack export
					// does. Give the profile the frontDoorId the web app
					// admits today, as the export would, then flip it.
					id, _ := inventory.Lookup(rs[i].Inputs, f.path+".0")
					rs[firstOf(rs, "cdn:Profile")].Outputs = map[string]any{"frontDoorId": id}
					if vs := rules.Evaluate(rs, cfg); caught(vs, f.rule) {
						t.Fatalf("the matching id is blocked: %v", vs)
					}
				}
				set(t, rs[i].Inputs, f.path, f.value)
				if vs := rules.Evaluate(rs, cfg); !caught(vs, f.rule) {
					t.Errorf("not blocked by %q; violations: %v", f.rule, vs)
				}
			})
		}
		for _, w := range wafRuleFlips {
			t.Run(stack+"/waf-custom-rule-"+w.nameHas+"-"+w.rule, func(t *testing.T) {
				rs := clone(t, p.Resources)
				i := firstOf(rs, "network:Policy")
				list, _ := inventory.Lookup(rs[i].Inputs, "customRules.rules")
				found := false
				for _, e := range list.([]any) {
					if m := e.(map[string]any); strings.Contains(m["name"].(string), w.nameHas) {
						m["enabledState"] = "Disabled"
						found = true
					}
				}
				if !found {
					t.Fatalf("no custom rule named *%s*", w.nameHas)
				}
				if vs := rules.Evaluate(rs, cfg); !caught(vs, w.rule) {
					t.Errorf("disabled custom rule not blocked by %s", w.rule)
				}
			})
		}
		// Every header the rule set adds, removed in turn.
		for _, header := range []string{"Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Server"} {
			t.Run(stack+"/header-"+header, func(t *testing.T) {
				rs := clone(t, p.Resources)
				removed := false
				for _, r := range rs {
					if inventory.BaseType(r.Type) != "azure-native:cdn:Rule" {
						continue
					}
					actions, _ := r.Inputs["actions"].([]any)
					var keep []any
					for _, a := range actions {
						if params, _ := inventory.Lookup(a, "parameters.headerName"); params == header {
							removed = true
							continue
						}
						keep = append(keep, a)
					}
					r.Inputs["actions"] = keep
				}
				if !removed {
					t.Fatalf("the rule set has no %s action", header)
				}
				if vs := rules.Evaluate(rs, cfg); !caught(vs, "") {
					t.Errorf("removing %s not blocked", header)
				}
			})
		}
		// Every resource other rules rely on, removed in turn.
		for _, typ := range []string{"network:PrivateEndpoint", "insights:DiagnosticSetting", "cdn:SecurityPolicy", "web:WebAppFtpAllowed", "web:WebAppScmAllowed", "web:WebAppAuthSettingsV2"} {
			t.Run(stack+"/remove-"+typ, func(t *testing.T) {
				rs := clone(t, p.Resources)
				// Remove one at a time: each must be missed on its own.
				for i, r := range rs {
					if inventory.BaseType(r.Type) != "azure-native:"+typ {
						continue
					}
					less := append(append([]inventory.Resource{}, rs[:i]...), rs[i+1:]...)
					if strings.Contains(fmt.Sprint(r.Inputs["resourceUri"]), "/blobServices/") {
						continue // blob diagnostics are extra, no rule requires them
					}
					if vs := rules.Evaluate(less, cfg); !caught(vs, "") {
						t.Errorf("removing %s %s not blocked", typ, r.Name)
					}
				}
			})
		}
	}
}

// TestPackageStoreEntraOnly: the package store may be reachable from the
// internet only while it accepts Entra ID alone.
func TestPackageStoreEntraOnly(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		p, s := planStack(t, stack)
		cfg := rules.ConfigFromSpec(s)
		for _, flip := range []struct {
			path  string
			value any
		}{{"defaultToOAuthAuthentication", false}, {"allowSharedKeyAccess", true}, {"tags.streamsecRole", "data"}} {
			t.Run(stack+"/"+flip.path, func(t *testing.T) {
				rs := clone(t, p.Resources)
				i := -1
				for j, r := range rs {
					if role, _ := inventory.Lookup(r.Inputs, "tags.streamsecRole"); role == "app-packages" {
						i = j
					}
				}
				if i < 0 {
					t.Fatalf("the %s stack has no package store", stack)
				}
				set(t, rs[i].Inputs, flip.path, flip.value)
				if vs := rules.Evaluate(rs, cfg); !caught(vs, "storage-public-network-disabled") {
					t.Errorf("not blocked; violations: %v", vs)
				}
			})
		}
	}
}
