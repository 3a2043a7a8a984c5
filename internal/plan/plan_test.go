package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
)

// loadStack reads a stack file shipped in stacks/, with --set overrides.
func loadStack(t testing.TB, stack string, set ...string) *spec.Spec {
	t.Helper()
	l, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: "../../stacks", Embedded: streamsec.Stacks(), Set: set})
	if err != nil {
		t.Fatalf("load %s: %v", stack, err)
	}
	return l.Spec
}

func planStack(t testing.TB, stack string, set ...string) *Plan {
	t.Helper()
	p, err := Run(context.Background(), loadStack(t, stack, set...))
	if err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	return p
}

// ofType returns the resources whose type (API version dropped) is typ.
func ofType(p *Plan, typ string) []inventory.Resource {
	var out []inventory.Resource
	for _, r := range p.Resources {
		if inventory.BaseType(r.Type) == typ {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single resource of typ whose name ends in suffix.
func one(t *testing.T, p *Plan, typ, suffix string) inventory.Resource {
	t.Helper()
	var found []inventory.Resource
	for _, r := range ofType(p, typ) {
		if strings.HasSuffix(r.Name, suffix) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want exactly one resource named *%s, got %d", typ, suffix, len(found))
	}
	return found[0]
}

// text renders a looked-up value for comparison.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	case nil:
		return "<nil>"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// hardening is one property the stack must set: on the resource of Type
// whose name ends with Name, Path must equal Want.
type hardening struct {
	Type, Name, Path, Want string
}

// common holds the properties both stacks set the same way.
var common = []hardening{
	// App Service plan and web app (WS-TLS-01/02, WS-NET-01/02, WS-EXP-01).
	{"azure-native:web:AppServicePlan", "plan", "kind", "linux"},
	{"azure-native:web:AppServicePlan", "plan", "reserved", "true"},
	{"azure-native:web:WebApp", "app", "httpsOnly", "true"},
	{"azure-native:web:WebApp", "app", "identity.type", "SystemAssigned"},
	{"azure-native:web:WebApp", "app", "vnetRouteAllEnabled", "true"},
	{"azure-native:web:WebApp", "app", "keyVaultReferenceIdentity", "SystemAssigned"},
	{"azure-native:web:WebApp", "app", "siteConfig.minTlsVersion", "1.2"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmMinTlsVersion", "1.2"},
	{"azure-native:web:WebApp", "app", "siteConfig.ftpsState", "Disabled"},
	{"azure-native:web:WebApp", "app", "siteConfig.http20Enabled", "true"},
	{"azure-native:web:WebApp", "app", "siteConfig.webSocketsEnabled", "true"},
	{"azure-native:web:WebApp", "app", "siteConfig.alwaysOn", "true"},
	{"azure-native:web:WebApp", "app", "siteConfig.remoteDebuggingEnabled", "false"},
	{"azure-native:web:WebApp", "app", "siteConfig.linuxFxVersion", "PYTHON|3.12"},
	{"azure-native:web:WebApp", "app", "siteConfig.appCommandLine", "python -m streamlit run app.py --server.port 8000 --server.address 0.0.0.0"},
	{"azure-native:web:WebApp", "app", "siteConfig.healthCheckPath", "/_stcore/health"},
	{"azure-native:web:WebApp", "app", "siteConfig.ipSecurityRestrictions.0.action", "Allow"},
	{"azure-native:web:WebApp", "app", "siteConfig.ipSecurityRestrictions.0.tag", "ServiceTag"},
	{"azure-native:web:WebApp", "app", "siteConfig.ipSecurityRestrictions.0.ipAddress", "AzureFrontDoor.Backend"},
	{"azure-native:web:WebApp", "app", "siteConfig.ipSecurityRestrictionsDefaultAction", "Deny"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmIpSecurityRestrictions.0.action", "Allow"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmIpSecurityRestrictions.0.tag", "ServiceTag"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmIpSecurityRestrictions.0.ipAddress", "AzureFrontDoor.Backend"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmIpSecurityRestrictionsDefaultAction", "Deny"},
	{"azure-native:web:WebApp", "app", "siteConfig.scmIpSecurityRestrictionsUseMain", "false"},
	{"azure-native:web:WebAppFtpAllowed", "ftp", "allow", "false"},
	{"azure-native:web:WebAppScmAllowed", "scm", "allow", "false"},

	// Front Door (WS-TLS-01, WS-NET-02, WS-HDR-01).
	{"azure-native:cdn:Profile", "profile", "identity.type", "SystemAssigned"},
	{"azure-native:cdn:AFDOriginGroup", "origin-group", "healthProbeSettings.probePath", "/_stcore/health"},
	{"azure-native:cdn:AFDOriginGroup", "origin-group", "healthProbeSettings.probeProtocol", "Https"},
	{"azure-native:cdn:AFDOrigin", "origin", "enforceCertificateNameCheck", "true"},
	{"azure-native:cdn:AFDOrigin", "origin", "httpsPort", "443"},
	{"azure-native:cdn:Route", "route", "supportedProtocols", `["Http","Https"]`},
	{"azure-native:cdn:Route", "route", "httpsRedirect", "Enabled"},
	{"azure-native:cdn:Route", "route", "forwardingProtocol", "HttpsOnly"},
	{"azure-native:cdn:Route", "route", "patternsToMatch", `["/*"]`},
	{"azure-native:cdn:Route", "route", "linkToDefaultDomain", "Enabled"},
	{"azure-native:cdn:Route", "route", "cacheConfiguration", "<nil>"},
	{"azure-native:cdn:Rule", "headers-1", "actions.0.parameters.headerName", "Strict-Transport-Security"},
	{"azure-native:cdn:Rule", "headers-1", "actions.0.parameters.value", "max-age=63072000; includeSubDomains"},
	{"azure-native:cdn:Rule", "headers-1", "actions.1.parameters.headerName", "Content-Security-Policy"},
	{"azure-native:cdn:Rule", "headers-1", "actions.2.parameters.headerName", "X-Content-Type-Options"},
	{"azure-native:cdn:Rule", "headers-1", "actions.2.parameters.value", "nosniff"},
	{"azure-native:cdn:Rule", "headers-1", "actions.3.parameters.headerName", "Referrer-Policy"},
	{"azure-native:cdn:Rule", "headers-1", "actions.4.parameters.headerName", "Permissions-Policy"},
	{"azure-native:cdn:Rule", "https-redirect", "conditions.0.parameters.matchValues.0", "HTTP"},
	{"azure-native:cdn:Rule", "https-redirect", "actions.0.parameters.redirectType", "Moved"},
	{"azure-native:cdn:Rule", "https-redirect", "actions.0.parameters.destinationProtocol", "Https"},
	{"azure-native:cdn:Rule", "headers-2", "actions.0.parameters.headerName", "X-Frame-Options"},
	{"azure-native:cdn:Rule", "headers-2", "actions.0.parameters.value", "DENY"},
	{"azure-native:cdn:Rule", "headers-2", "actions.1.parameters.headerName", "Server"},
	{"azure-native:cdn:Rule", "headers-2", "actions.1.parameters.headerAction", "Delete"},
	{"azure-native:cdn:SecurityPolicy", "waf-link", "parameters.type", "WebApplicationFirewall"},
	{"azure-native:cdn:SecurityPolicy", "waf-link", "parameters.associations.0.patternsToMatch", `["/*"]`},

	// WAF (WS-ORIGIN-01, WS-RATE-01, WS-EXP-01).
	{"azure-native:network:Policy", "waf-policy", "policySettings.enabledState", "Enabled"},
	{"azure-native:network:Policy", "waf-policy", "policySettings.mode", "Prevention"},
	{"azure-native:network:Policy", "waf-policy", "policySettings.requestBodyCheck", "Enabled"},
	{"azure-native:network:Policy", "waf-policy", "policySettings.customBlockResponseStatusCode", "403"},
	// Rate limit, blocks, then the one Allow and the block of everything
	// else on the stream path (components/waf.go says why).
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.name", "RateLimitStream"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.ruleType", "RateLimitRule"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.action", "Block"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.rateLimitDurationInMinutes", "1"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.groupBy.0.variableName", "SocketAddr"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.matchConditions.0.matchValue", `["/_stcore/stream"]`},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.1.name", "BlockInternalPaths"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.1.action", "Block"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.1.matchConditions.0.matchVariable", "RequestUri"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.1.matchConditions.0.matchValue", `["/_stcore/metrics","/st-metrics","/_stcore/agent/"]`},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.2.name", "BlockStreamWebSocketVersion"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.2.action", "Block"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.2.matchConditions.1.selector", "Sec-WebSocket-Version"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.2.matchConditions.1.negateCondition", "true"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.2.matchConditions.1.matchValue", `["13"]`},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.name", "AllowStreamFromAllowedOrigin"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.action", "Allow"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.priority", "40"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.matchConditions.0.operator", "RegEx"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.matchConditions.2.selector", "Origin"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.matchConditions.2.operator", "Equal"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.matchConditions.2.negateCondition", "<nil>"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.4.name", "BlockStreamOther"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.4.action", "Block"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.4.priority", "50"},
	{"azure-native:network:Policy", "waf-policy", "customRules.rules.4.matchConditions.0.matchValue", `["/_stcore/stream"]`},

	// Storage (private, identity only).
	{"azure-native:storage:StorageAccount", "storage-account", "kind", "StorageV2"},
	{"azure-native:storage:StorageAccount", "storage-account", "minimumTlsVersion", "TLS1_2"},
	{"azure-native:storage:StorageAccount", "storage-account", "enableHttpsTrafficOnly", "true"},
	{"azure-native:storage:StorageAccount", "storage-account", "allowBlobPublicAccess", "false"},
	{"azure-native:storage:StorageAccount", "storage-account", "allowSharedKeyAccess", "false"},
	{"azure-native:storage:StorageAccount", "storage-account", "allowCrossTenantReplication", "false"},
	{"azure-native:storage:StorageAccount", "storage-account", "publicNetworkAccess", "Disabled"},
	{"azure-native:storage:StorageAccount", "storage-account", "networkRuleSet.defaultAction", "Deny"},
	// The package store: reachable by a hosted runner, Entra ID only.
	{"azure-native:storage:StorageAccount", "packages-account", "publicNetworkAccess", "Enabled"},
	{"azure-native:storage:StorageAccount", "packages-account", "allowSharedKeyAccess", "false"},
	{"azure-native:storage:StorageAccount", "packages-account", "allowBlobPublicAccess", "false"},
	{"azure-native:storage:StorageAccount", "packages-account", "defaultToOAuthAuthentication", "true"},
	{"azure-native:storage:StorageAccount", "packages-account", "minimumTlsVersion", "TLS1_2"},
	{"azure-native:storage:StorageAccount", "packages-account", "enableHttpsTrafficOnly", "true"},
	{"azure-native:storage:StorageAccount", "packages-account", "tags.streamsecRole", "app-packages"},
	{"azure-native:storage:BlobContainer", "packages-container", "publicAccess", "None"},
	{"azure-native:authorization:RoleAssignment", "packages-deployer-blob-contributor", "principalId", MockClientID},
	{"azure-native:storage:BlobContainer", "storage-container", "publicAccess", "None"},
	{"azure-native:network:PrivateEndpoint", "storage-pe", "privateLinkServiceConnections.0.groupIds", `["blob"]`},
	{"azure-native:network:PrivateZone", "storage-zone", "privateZoneName", "privatelink.blob.core.windows.net"},
	{"azure-native:network:VirtualNetworkLink", "storage-zone-link", "registrationEnabled", "false"},
	{"azure-native:network:PrivateDnsZoneGroup", "storage-zone-group", "privateDnsZoneConfigs.0.name", "blob"},
	{"azure-native:authorization:RoleAssignment", "app-blob-contributor", "roleDefinitionId",
		"/subscriptions/" + MockSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"},
	{"azure-native:authorization:RoleAssignment", "app-blob-contributor", "principalType", "ServicePrincipal"},

	// Key Vault.
	{"azure-native:keyvault:Vault", "vault", "properties.enableRbacAuthorization", "true"},
	{"azure-native:keyvault:Vault", "vault", "properties.enablePurgeProtection", "true"},
	{"azure-native:keyvault:Vault", "vault", "properties.enableSoftDelete", "true"},
	{"azure-native:keyvault:Vault", "vault", "properties.softDeleteRetentionInDays", "90"},
	{"azure-native:keyvault:Vault", "vault", "properties.networkAcls.defaultAction", "Deny"},
	{"azure-native:keyvault:Vault", "vault", "properties.networkAcls.bypass", "AzureServices"},
	{"azure-native:keyvault:Vault", "vault", "properties.tenantId", MockTenantID},
	{"azure-native:network:PrivateEndpoint", "keyvault-pe", "privateLinkServiceConnections.0.groupIds", `["vault"]`},
	{"azure-native:network:PrivateZone", "keyvault-zone", "privateZoneName", "privatelink.vaultcore.azure.net"},
	{"azure-native:keyvault:Secret", "cookie-secret", "secretName", "streamlit-cookie-secret"},
	{"azure-native:keyvault:Secret", "cookie-secret", "properties.value", inventory.SecretMask},
	{"azure-native:authorization:RoleAssignment", "app-kv-secrets", "roleDefinitionId",
		"/subscriptions/" + MockSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"},

	// Network.
	{"azure-native:network:Subnet", "network-app", "delegations.0.serviceName", "Microsoft.Web/serverFarms"},

	// Monitoring (WS-LOG-01).
	{"azure-native:insights:DiagnosticSetting", "diagnostics-frontdoor", "logs", `[{"category":"FrontDoorAccessLog","enabled":true},{"category":"FrontDoorHealthProbeLog","enabled":true},{"category":"FrontDoorWebApplicationFirewallLog","enabled":true}]`},
	{"azure-native:insights:DiagnosticSetting", "diagnostics-app", "logs.0.category", "AppServiceHTTPLogs"},
	{"azure-native:insights:DiagnosticSetting", "diagnostics-app", "logs.3.category", "AppServiceIPSecAuditLogs"},
	{"azure-native:insights:DiagnosticSetting", "diagnostics-keyvault", "logs.0.category", "AuditEvent"},
	{"azure-native:insights:DiagnosticSetting", "diagnostics-blob", "logs", `[{"category":"StorageRead","enabled":true},{"category":"StorageWrite","enabled":true},{"category":"StorageDelete","enabled":true}]`},
}

// perStack holds what depends on the environment.
var perStack = map[string][]hardening{
	"dev": {
		{"azure-native:web:AppServicePlan", "plan", "sku.name", "B1"},
		{"azure-native:web:AppServicePlan", "plan", "sku.capacity", "1"},
		{"azure-native:web:WebApp", "app", "clientAffinityEnabled", "false"},
		{"azure-native:web:WebApp", "app", "publicNetworkAccess", "Enabled"},
		{"azure-native:cdn:Profile", "profile", "sku.name", "Standard_AzureFrontDoor"},
		{"azure-native:cdn:AFDOriginGroup", "origin-group", "sessionAffinityState", "Disabled"},
		{"azure-native:cdn:AFDOrigin", "origin", "sharedPrivateLinkResource", "<nil>"},
		{"azure-native:cdn:Route", "route", "customDomains", `[]`},
		{"azure-native:network:Policy", "waf-policy", "sku.name", "Standard_AzureFrontDoor"},
		{"azure-native:network:Policy", "waf-policy", "managedRules", "<nil>"},
		{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.rateLimitThreshold", "30"},
		{"azure-native:keyvault:Vault", "vault", "properties.publicNetworkAccess", "Disabled"},
		{"azure-native:operationalinsights:Workspace", "law", "retentionInDays", "30"},
		{"azure-native:network:VirtualNetwork", "vnet", "addressSpace.addressPrefixes", `["10.40.0.0/16"]`},
		{"azure-native:network:Subnet", "network-app", "addressPrefix", "10.40.1.0/24"},
		{"azure-native:network:Subnet", "network-pe", "addressPrefix", "10.40.2.0/24"},
	},
	"prod": {
		{"azure-native:web:AppServicePlan", "plan", "sku.name", "P1v3"},
		{"azure-native:web:AppServicePlan", "plan", "sku.capacity", "3"},
		{"azure-native:web:WebApp", "app", "clientAffinityEnabled", "true"},
		{"azure-native:web:WebApp", "app", "publicNetworkAccess", "Disabled"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "platform.enabled", "true"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "globalValidation.requireAuthentication", "true"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "globalValidation.unauthenticatedClientAction", "RedirectToLoginPage"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "httpSettings.requireHttps", "true"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "identityProviders.azureActiveDirectory.enabled", "true"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "identityProviders.azureActiveDirectory.registration.clientId", "0c7b2e4a-5d1f-4c39-9a57-3b1e8f6d2a90"},
		{"azure-native:web:WebAppAuthSettingsV2", "auth", "identityProviders.azureActiveDirectory.registration.openIdIssuer", "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"},
		{"azure-native:cdn:Profile", "profile", "sku.name", "Premium_AzureFrontDoor"},
		{"azure-native:cdn:AFDOriginGroup", "origin-group", "sessionAffinityState", "Enabled"},
		{"azure-native:cdn:AFDOrigin", "origin", "sharedPrivateLinkResource.groupId", "sites"},
		{"azure-native:cdn:AFDOrigin", "origin", "sharedPrivateLinkResource.privateLink.id",
			"/subscriptions/" + MockSubscriptionID + "/resourceGroups/acme-dashboard-prod-rg/providers/Microsoft.Web/sites/acme-dashboard-prod-app"},
		{"azure-native:cdn:AFDCustomDomain", "domain", "hostName", "dash.example.com"},
		{"azure-native:cdn:AFDCustomDomain", "domain", "tlsSettings.minimumTlsVersion", "TLS12"},
		{"azure-native:cdn:AFDCustomDomain", "domain", "tlsSettings.certificateType", "CustomerCertificate"},
		{"azure-native:cdn:Secret", "certificate", "parameters.type", "CustomerCertificate"},
		{"azure-native:cdn:Secret", "certificate", "parameters.useLatestVersion", "true"},
		{"azure-native:cdn:Secret", "certificate", "parameters.secretSource.id",
			"/subscriptions/" + MockSubscriptionID + "/resourceGroups/acme-dashboard-prod-rg/providers/Microsoft.KeyVault/vaults/acmedashboardprodkv/secrets/dash-example-com"},
		{"azure-native:network:Policy", "waf-policy", "sku.name", "Premium_AzureFrontDoor"},
		{"azure-native:network:Policy", "waf-policy", "managedRules.managedRuleSets.0.ruleSetType", "Microsoft_DefaultRuleSet"},
		{"azure-native:network:Policy", "waf-policy", "managedRules.managedRuleSets.0.ruleSetVersion", "2.1"},
		{"azure-native:network:Policy", "waf-policy", "managedRules.managedRuleSets.0.ruleSetAction", "Block"},
		{"azure-native:network:Policy", "waf-policy", "managedRules.managedRuleSets.1.ruleSetType", "Microsoft_BotManagerRuleSet"},
		{"azure-native:network:Policy", "waf-policy", "managedRules.managedRuleSets.1.ruleSetVersion", "1.1"},
		{"azure-native:network:Policy", "waf-policy", "customRules.rules.3.matchConditions.2.matchValue", `["https://dash.example.com"]`},
		{"azure-native:network:Policy", "waf-policy", "customRules.rules.0.rateLimitThreshold", "20"},
		{"azure-native:keyvault:Vault", "vault", "properties.publicNetworkAccess", "Enabled"},
		{"azure-native:authorization:RoleAssignment", "frontdoor-kv-secrets", "roleDefinitionId",
			"/subscriptions/" + MockSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"},
		{"azure-native:operationalinsights:Workspace", "law", "retentionInDays", "365"},
		{"azure-native:network:VirtualNetwork", "vnet", "addressSpace.addressPrefixes", `["10.50.0.0/16"]`},
	},
}

// TestHardening asserts every hardening property of both stacks, so that
// dropping any one of them from the components fails here.
func TestHardening(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := planStack(t, stack)
		for _, h := range append(append([]hardening{}, common...), perStack[stack]...) {
			t.Run(stack+"/"+h.Type+"/"+h.Name+"/"+h.Path, func(t *testing.T) {
				r := one(t, p, h.Type, h.Name)
				got, _ := r.Get(h.Path)
				if text(got) != h.Want {
					t.Errorf("%s %s: %s = %s, want %s", r.Type, r.Name, h.Path, text(got), h.Want)
				}
			})
		}
	}
}

// TestWiring checks the values that come from other resources: the
// X-Azure-FDID header is this profile's frontDoorId, the origin points at
// the app, the WAF covers every domain, logs reach the workspace.
func TestWiring(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := loadStack(t, stack)
			p := planStack(t, stack)
			m := &mocks{stack: stack, project: Project}
			profile := one(t, p, "azure-native:cdn:Profile", "profile")
			fdid := guid("frontDoorId", profile.URN)
			app := one(t, p, "azure-native:web:WebApp", "app")
			for _, path := range []string{"siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid", "siteConfig.scmIpSecurityRestrictions.0.headers.x-azure-fdid"} {
				if got, _ := app.Get(path); text(got) != `["`+fdid+`"]` {
					t.Errorf("%s = %s, want [%s]", path, text(got), fdid)
				}
			}
			appHost := s.ResourceName("app") + ".azurewebsites.net"
			origin := one(t, p, "azure-native:cdn:AFDOrigin", "origin")
			for _, path := range []string{"hostName", "originHostHeader"} {
				if got, _ := origin.Get(path); text(got) != appHost {
					t.Errorf("origin %s = %s, want %s", path, text(got), appHost)
				}
			}
			endpoint := one(t, p, "azure-native:cdn:AFDEndpoint", "endpoint")
			endpointID := m.armID(endpoint.Type, s.ResourceName("fde"), endpoint.URN, nil)
			endpointID = strings.Replace(endpointID, "resourceGroups/unknown/providers/Microsoft.Cdn/profiles/unknown", "resourceGroups/"+s.ResourceName("rg")+"/providers/Microsoft.Cdn/profiles/"+s.ResourceName("afd"), 1)
			sp := one(t, p, "azure-native:cdn:SecurityPolicy", "waf-link")
			domains, _ := sp.Get("parameters.associations.0.domains")
			wantDomains := 1
			if s.Domain != "" {
				wantDomains = 2
			}
			if list, _ := domains.([]any); len(list) != wantDomains || !strings.Contains(text(domains), endpointID) {
				t.Errorf("security policy domains = %s, want %d including %s", text(domains), wantDomains, endpointID)
			}
			waf := one(t, p, "azure-native:network:Policy", "waf-policy")
			if got, _ := sp.Get("parameters.wafPolicy.id"); !strings.HasSuffix(text(got), "/frontdoorWebApplicationFirewallPolicies/"+s.CompactName("waf", 128)) || waf.Name == "" {
				t.Errorf("security policy wafPolicy.id = %s", text(got))
			}
			ws := "/providers/Microsoft.OperationalInsights/workspaces/" + s.ResourceName("law")
			for _, d := range ofType(p, "azure-native:insights:DiagnosticSetting") {
				if got, _ := d.Get("workspaceId"); !strings.HasSuffix(text(got), ws) {
					t.Errorf("%s workspaceId = %s, want the stack's workspace", d.Name, text(got))
				}
			}
			if len(ofType(p, "azure-native:insights:DiagnosticSetting")) != 4 {
				t.Errorf("want 4 diagnostic settings")
			}
		})
	}
}

// TestOrigins checks the deploy-time origin: without a domain the Front
// Door endpoint is the browser origin, in the WAF allowlist and in
// Streamlit's own allowlist; with a domain only the domain is.
func TestOrigins(t *testing.T) {
	for _, tc := range []struct {
		stack      string
		wantSuffix string // of the only WAF allowlist entry
	}{
		{"dev", ".z01.azurefd.net"},
		{"prod", "https://dash.example.com"},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			p := planStack(t, tc.stack)
			waf := one(t, p, "azure-native:network:Policy", "waf-policy")
			v, _ := waf.Get("customRules.rules.3.matchConditions.2.matchValue")
			list, _ := v.([]any)
			if len(list) != 1 || !strings.HasSuffix(text(list[0]), tc.wantSuffix) || !strings.HasPrefix(text(list[0]), "https://") {
				t.Fatalf("WAF origin allowlist = %s, want one https origin ending %s", text(v), tc.wantSuffix)
			}
			app := one(t, p, "azure-native:web:WebApp", "app")
			settings, _ := app.Get("siteConfig.appSettings")
			if !strings.Contains(text(settings), `"name":"STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS","value":"`+text(list[0])) {
				t.Errorf("app settings do not allow the WAF's origin %s: %s", text(list[0]), text(settings))
			}
			// The reference names the stack's own vault and is built from
			// names, so it is known at preview (policies fail closed on
			// unknowns).
			vault := one(t, p, "azure-native:keyvault:Vault", "vault")
			vaultName, _ := vault.Get("vaultName")
			want := `"value":"@Microsoft.KeyVault(VaultName=` + text(vaultName) + `;SecretName=streamlit-cookie-secret)"`
			if text(vaultName) == "" || !strings.Contains(text(settings), want) {
				t.Errorf("cookie secret is not a Key Vault reference to vault %s: %s", text(vaultName), text(settings))
			}
		})
	}
}

// TestParenting: every Azure resource belongs to a component, every
// component to the HardenedStack, and URNs carry the parent chain.
func TestParenting(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := planStack(t, stack)
		byURN := map[string]inventory.Resource{}
		for _, r := range p.Resources {
			byURN[r.URN] = r
		}
		roots := 0
		for _, r := range p.Resources {
			if !strings.HasPrefix(r.URN, "urn:pulumi:"+stack+"::"+Project+"::") {
				t.Errorf("URN %s: want urn:pulumi:%s::%s::...", r.URN, stack, Project)
			}
			if r.Parent == "" {
				roots++
				if r.Type != "streamsec:components:HardenedStack" {
					t.Errorf("%s %s has no parent", r.Type, r.Name)
				}
				continue
			}
			parent, ok := byURN[r.Parent]
			if !ok {
				t.Errorf("%s: parent %s is not in the plan", r.Name, r.Parent)
				continue
			}
			if !strings.HasPrefix(parent.Type, "streamsec:components:") {
				t.Errorf("%s %s: parent %s is not a component", r.Type, r.Name, parent.Type)
			}
			if strings.HasPrefix(r.Type, "streamsec:components:") && parent.Type != "streamsec:components:HardenedStack" {
				t.Errorf("component %s: parent %s, want the HardenedStack", r.Name, parent.Type)
			}
			if !strings.Contains(r.URN, parent.Type+"$"+r.Type+"::"+r.Name) {
				t.Errorf("URN %s does not carry its parent type %s", r.URN, parent.Type)
			}
		}
		if roots != 1 {
			t.Errorf("%s: %d roots, want 1", stack, roots)
		}
		if len(ofType(p, "streamsec:components:HardenedStack")) != 1 {
			t.Errorf("%s: want one HardenedStack", stack)
		}
	}
}

// TestConditionalResources: what only some environments create.
func TestConditionalResources(t *testing.T) {
	for _, tc := range []struct {
		stack string
		typ   string
		want  int
	}{
		{"dev", "azure-native:cdn:AFDCustomDomain", 0},
		{"dev", "azure-native:cdn:Secret", 0},
		{"dev", "azure-native:web:WebAppAuthSettingsV2", 0},
		{"dev", "azure-native:authorization:RoleAssignment", 3},
		{"prod", "azure-native:cdn:AFDCustomDomain", 1},
		{"prod", "azure-native:cdn:Secret", 1},
		{"prod", "azure-native:web:WebAppAuthSettingsV2", 1},
		{"prod", "azure-native:authorization:RoleAssignment", 4},
		{"prod", "azure-native:network:PrivateEndpoint", 2},
		{"prod", "azure-native:cdn:Rule", 3}, // two header rules and the https redirect
	} {
		t.Run(tc.stack+"/"+tc.typ, func(t *testing.T) {
			if got := len(ofType(planStack(t, tc.stack), tc.typ)); got != tc.want {
				t.Errorf("%d %s, want %d", got, tc.typ, tc.want)
			}
		})
	}
}

// TestPinnedProvider: the WAF comes from a versioned SDK package; every
// Azure token is azure-native.
func TestAzureTokens(t *testing.T) {
	p := planStack(t, "prod")
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "azure-native:") && !strings.HasPrefix(r.Type, "streamsec:components:") {
			t.Errorf("unexpected type %s", r.Type)
		}
	}
}

// TestSecretsNeverInPlan: the cookie secret's value never reaches the plan
// or its JSON, with a real value and with the offline placeholder.
func TestSecretsNeverInPlan(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-very-secret-cookie-value"
	for _, tc := range []struct {
		name  string
		set   []string
		never string
	}{
		{"plain value", []string{"cookieSecret=" + secret}, secret},
		{"placeholder", nil, "streamsec-offline-plan-placeholder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planStack(t, "prod", tc.set...)
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), tc.never) {
				t.Fatalf("plan JSON contains the secret value")
			}
			if !strings.Contains(string(b), `"value":"[secret]"`) {
				t.Errorf("plan JSON does not show the cookie secret as [secret]")
			}
		})
	}
}

// TestConcurrentAndRepeatable: plans are the same every time, also when
// run side by side.
func TestConcurrentAndRepeatable(t *testing.T) {
	s := loadStack(t, "prod")
	first, err := Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]*Plan, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = Run(context.Background(), s) })
	}
	wg.Wait()
	for i, p := range results {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		if !reflect.DeepEqual(p, first) {
			t.Fatalf("run %d differs from the first run", i)
		}
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	if _, err := Run(context.Background(), nil); err == nil {
		t.Error("nil spec: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, loadStack(t, "dev")); err == nil {
		t.Error("cancelled context: want an error")
	}
	bad := *loadStack(t, "dev")
	bad.AllowedOrigins = []string{"null"}
	if _, err := Run(context.Background(), &bad); err == nil || !strings.Contains(err.Error(), "allowedOrigins") {
		t.Errorf("invalid spec: want an allowedOrigins error, got %v", err)
	}
}

func BenchmarkPlanProd(b *testing.B) {
	s := loadStack(b, "prod")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestObserveTellsEveryRecord: Observe tells of every resource the plan
// holds, once, as the very record the plan holds (what lets
// rules.Evaluator take what it judged on the way), and plans what Run
// plans.
func TestObserveTellsEveryRecord(t *testing.T) {
	s := loadStack(t, "prod")
	var mu sync.Mutex
	told := map[string]inventory.Resource{}
	p, err := Observe(context.Background(), s, func(r inventory.Resource) {
		mu.Lock()
		defer mu.Unlock()
		if _, twice := told[r.URN]; twice {
			t.Errorf("%s told twice", r.URN)
		}
		told[r.URN] = r
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(told) != len(p.Resources) {
		t.Errorf("told of %d resources, the plan holds %d", len(told), len(p.Resources))
	}
	for _, r := range p.Resources {
		got, ok := told[r.URN]
		if !ok {
			t.Errorf("%s not told", r.URN)
			continue
		}
		if got.Type != r.Type || got.Parent != r.Parent || reflect.ValueOf(got.Inputs).UnsafePointer() != reflect.ValueOf(r.Inputs).UnsafePointer() {
			t.Errorf("%s: told %+v, not the plan's record", r.URN, got)
		}
	}
	want, err := Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Resources, want.Resources) {
		t.Error("Observe planned other resources than Run")
	}
}

// TestObserveStopsTellingOnReturn: a plan cut short by its context returns
// while the SDK's goroutines still register; none of them may call each
// after that (streamsec plan closes what each sends to).
func TestObserveStopsTellingOnReturn(t *testing.T) {
	s := loadStack(t, "prod")
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		var returned atomic.Bool
		var calls atomic.Int32
		_, err := Observe(ctx, s, func(inventory.Resource) {
			if returned.Load() {
				t.Error("each called after Observe returned")
			}
			if calls.Add(1) == 1 {
				cancel()
			}
		})
		returned.Store(true)
		cancel()
		if err == nil {
			// The program can finish before the cancellation is seen.
			continue
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	time.Sleep(50 * time.Millisecond) // let the abandoned runs register on
}
