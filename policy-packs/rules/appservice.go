package rules

import (
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Type tokens (default API version; versioned tokens match via BaseType).
const (
	typeWebApp        = "azure-native:web:WebApp"
	typePlan          = "azure-native:web:AppServicePlan"
	typeFtpAllowed    = "azure-native:web:WebAppFtpAllowed"
	typeScmAllowed    = "azure-native:web:WebAppScmAllowed"
	typeAuthV2        = "azure-native:web:WebAppAuthSettingsV2"
	typeOriginGroup   = "azure-native:cdn:AFDOriginGroup"
	typeProfile       = "azure-native:cdn:Profile"
	typeEndpoint      = "azure-native:cdn:AFDEndpoint"
	typeOrigin        = "azure-native:cdn:AFDOrigin"
	typeRoute         = "azure-native:cdn:Route"
	typeRule          = "azure-native:cdn:Rule"
	typeCustomDomain  = "azure-native:cdn:AFDCustomDomain"
	typeCdnSecret     = "azure-native:cdn:Secret"
	typeSecPolicy     = "azure-native:cdn:SecurityPolicy"
	typeWAF           = "azure-native:network:Policy"
	typeStorage       = "azure-native:storage:StorageAccount"
	typeVault         = "azure-native:keyvault:Vault"
	typePrivateEP     = "azure-native:network:PrivateEndpoint"
	typeDiagnostic    = "azure-native:insights:DiagnosticSetting"
	frontDoorSvcTag   = "AzureFrontDoor.Backend"
	frontDoorIDHeader = "x-azure-fdid"
)

// Azure Policy built-in ids (FACTS.md) for rules that judge the same property.
const (
	apHTTPSOnly      = "a4af4a39-4135-47fb-b175-47fbdf85311d"
	apLatestTLS      = "f0e6e85b-9b9f-4a4b-b67b-f730d42f1b0b"
	apFTPSOnly       = "4d24b6d4-5e53-4a4f-a7f4-618fa573ee4b"
	apRemoteDebug    = "cb510bfd-1cba-4d9f-a230-cb0976f4bb71"
	apCORS           = "5744710e-cc2f-4ee8-8809-3b11e89f4bc9"
	apWAFMode        = "425bea59-a659-4cbb-8d31-34499bd030b8"
	apWAFBodyCheck   = "4598f028-de1f-4694-8751-84dceb5f86b9"
	apWAFBot         = "27f7fb01-5fdb-44ad-954c-d582f8659533"
	apWAFRateLimit   = "e52e8487-4a97-48ac-b3e6-1c3cef45d298"
	apFrontDoorTLS   = "679da822-78a7-4eff-8fff-a899454a9970"
	apStoragePublic  = "b2982f36-99f2-4db5-8eff-283140c09693"
	apSecureTransfer = "404c3081-a854-4457-ae30-26a93ef643f9"
	apStorageTLS     = "fe83a0eb-a853-422d-aac2-1bffd182c5d0"
	apBlobPublic     = "4fa4b6c0-31ca-4c0d-b10d-24b96f62a751"
	apSharedKey      = "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54"
	apVaultPurge     = "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53"
	apVaultRBAC      = "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5"
	apVaultPublic    = "405c5871-3e91-4644-8a63-58e19d68ff5b"
	apVaultFirewall  = "55615ac9-af46-4a59-874e-391cc3dfb490"
)

func appServiceRules() []Rule {
	web := []string{typeWebApp}
	return []Rule{
		{
			ID: "appservice-https-only", Title: "App Service answers HTTPS only",
			Description: "httpsOnly redirects plain HTTP to HTTPS so the WebSocket is only ever opened as wss://.",
			Controls:    []string{"WS-TLS-01"}, AzurePolicyIDs: []string{apHTTPSOnly},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding { return expectBool(r, "httpsOnly", true) },
		},
		{
			ID: "appservice-min-tls", Title: "App Service requires TLS 1.2 or newer",
			Description: "siteConfig.minTlsVersion below 1.2 allows handshakes the hardening guide forbids.",
			Controls:    []string{"WS-TLS-02"}, AzurePolicyIDs: []string{apLatestTLS},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectTLS(r, "siteConfig.minTlsVersion", "1.2", "1.3")
			},
		},
		{
			ID: "appservice-scm-min-tls", Title: "App Service SCM site requires TLS 1.2 or newer",
			Description: "The deployment (Kudu/SCM) endpoint has its own TLS floor, siteConfig.scmMinTlsVersion.",
			Controls:    []string{"WS-TLS-02"}, AzurePolicyIDs: []string{apLatestTLS},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectTLS(r, "siteConfig.scmMinTlsVersion", "1.2", "1.3")
			},
		},
		{
			ID: "appservice-ftps-only", Title: "App Service never accepts plain FTP",
			Description: "siteConfig.ftpsState AllAllowed sends deployment credentials in clear text.",
			Controls:    []string{"WS-TLS-01"}, AzurePolicyIDs: []string{apFTPSOnly},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "siteConfig.ftpsState", "Disabled or FtpsOnly", "Disabled", "FtpsOnly")
			},
		},
		{
			ID: "appservice-ftp-disabled", Title: "App Service has FTP(S) deployment turned off",
			Description: "An unused FTPS endpoint is attack surface; ftpsState Disabled removes it.",
			Controls:    []string{"WS-NET-01"}, AzurePolicyIDs: []string{apFTPSOnly},
			Enforcement: Advisory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "siteConfig.ftpsState", "Disabled", "Disabled")
			},
		},
		{
			ID: "appservice-remote-debugging-off", Title: "App Service remote debugging is off",
			Description: "Remote debugging opens extra inbound ports to the worker.",
			Controls:    []string{"WS-EXP-01"}, AzurePolicyIDs: []string{apRemoteDebug},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectNotOneOf(r, "siteConfig.remoteDebuggingEnabled", "false", "true")
			},
		},
		{
			ID: "appservice-websockets-enabled", Title: "App Service passes WebSockets through",
			Description: "Streamlit keeps one WebSocket per session at /_stcore/stream; without webSocketsEnabled the front end does not upgrade.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "siteConfig.webSocketsEnabled", true)
			},
		},
		{
			ID: "appservice-http2", Title: "App Service serves HTTP/2",
			Description: "HTTP/2 between Front Door and the origin; recommended by the App Service baseline.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Advisory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "siteConfig.http20Enabled", true)
			},
		},
		{
			ID: "appservice-always-on", Title: "App Service keeps the app loaded (always on)",
			Description: "Without alwaysOn the worker idles out and drops every open WebSocket session.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Advisory, Types: web, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "siteConfig.alwaysOn", true)
			},
		},
		{
			ID: "appservice-cors-not-wildcard", Title: "App Service CORS does not allow every origin",
			Description: "A '*' CORS origin lets any site call the app with the user's cookies.",
			Controls:    []string{"WS-ORG-02"}, AzurePolicyIDs: []string{apCORS},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: checkCORS,
		},
		{
			ID: "appservice-http-logging", Title: "App Service keeps HTTP logs",
			Description: "siteConfig.httpLoggingEnabled records every request (handshakes included) on the platform, next to the diagnostic settings.",
			Controls:    []string{"WS-LOG-01"},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "siteConfig.httpLoggingEnabled", true)
			},
		},
		{
			ID: "appservice-managed-identity", Title: "App Service has a managed identity",
			Description: "Key Vault references (cookie secret, certificates) resolve with the app's managed identity instead of stored credentials.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: checkIdentity,
		},
		{
			ID: "appservice-frontdoor-only", Title: "App Service admits only Front Door",
			Description: "Access restrictions with default action Deny and allow entries only for service tag AzureFrontDoor.Backend with this profile's X-Azure-FDID header keep the *.azurewebsites.net origin from being reached around the WAF. They are required even behind a Private Link origin (defence in depth: one flipped setting must not open the app).",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return checkRestrictions(r, "siteConfig.ipSecurityRestrictions", "siteConfig.ipSecurityRestrictionsDefaultAction")
			},
		},
		{
			ID: "appservice-scm-restricted", Title: "App Service SCM site is not open to the internet",
			Description: "The SCM (Kudu) site needs the same default Deny, either through scmIpSecurityRestrictionsUseMain or its own restrictions.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: checkSCMRestrictions,
		},
		{
			ID: "appservice-auth-settings", Title: "App Service authentication refuses anonymous requests",
			Description: "When App Service authentication is configured it must run and require a signed-in user before the request (and the WebSocket upgrade) reaches Streamlit.",
			Controls:    []string{"WS-AUTH-01"},
			Enforcement: Mandatory, Types: []string{typeAuthV2}, Pack: PackWebSocket,
			Check: checkAuthSettings,
		},
	}
}

func checkCORS(r inventory.Resource, _ Config) []Finding {
	const path = "siteConfig.cors.allowedOrigins"
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return nil
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	for i, o := range list(v) {
		if inventory.IsUnknown(o) {
			p := fmt.Sprintf("%s.%d", path, i)
			return []Finding{{Property: p, Message: unknownMsg(p)}}
		}
		if strings.TrimSpace(text(o)) == "*" {
			return []Finding{{Property: path, Message: path + " contains \"*\"; list the allowed origins instead"}}
		}
	}
	return nil
}

func checkIdentity(r inventory.Resource, _ Config) []Finding {
	const path = "identity.type"
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return []Finding{{Property: path, Message: "identity is not set; want a SystemAssigned or UserAssigned managed identity"}}
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	if t := text(v); containsFold(t, "SystemAssigned") || containsFold(t, "UserAssigned") {
		return nil
	}
	return []Finding{{Property: path, Message: fmt.Sprintf("identity.type is %q; want SystemAssigned or UserAssigned", text(v))}}
}

// privateOnly reports whether the site refuses public traffic altogether
// (a Private Link origin).
func privateOnly(r inventory.Resource) bool {
	v, st := prop(r, "publicNetworkAccess")
	return st == stKnown && strings.EqualFold(text(v), "Disabled")
}

// checkRestrictions judges one access-restriction list: default Deny and
// every Allow entry is the Front Door service tag with an X-Azure-FDID header.
func checkRestrictions(r inventory.Resource, listPath, defaultPath string) []Finding {
	if f := expectOneOf(r, defaultPath, "Deny", "Deny"); f != nil {
		return f
	}
	v, st := prop(r, listPath)
	switch st {
	case stMissing:
		return []Finding{{Property: listPath, Message: listPath + " is not set; want an Allow entry for service tag " + frontDoorSvcTag + " with the X-Azure-FDID header"}}
	case stUnknown:
		return []Finding{{Property: listPath, Message: unknownMsg(listPath)}}
	case stSecret:
		return []Finding{{Property: listPath, Message: secretMsg(listPath)}}
	}
	var out []Finding
	frontDoor := 0
	for i, e := range list(v) {
		p := fmt.Sprintf("%s.%d", listPath, i)
		if inventory.IsUnknown(e) {
			out = append(out, Finding{Property: p, Message: unknownMsg(p)})
			continue
		}
		entry := obj(e)
		action, ast := propOf(entry, "action")
		if ast == stUnknown {
			out = append(out, Finding{Property: p + ".action", Message: unknownMsg(p + ".action")})
			continue
		}
		if ast == stKnown && !strings.EqualFold(text(action), "Allow") {
			continue // a Deny entry only narrows access
		}
		addr, _ := propOf(entry, "ipAddress")
		tag, _ := propOf(entry, "tag")
		if !strings.EqualFold(text(addr), frontDoorSvcTag) || !strings.EqualFold(text(tag), "ServiceTag") {
			out = append(out, Finding{Property: p, Message: fmt.Sprintf("%s allows %q, which is not Front Door (service tag %s); the origin can be reached around the WAF", p, text(addr), frontDoorSvcTag)})
			continue
		}
		if _, ok := fdidValues(entry); !ok {
			out = append(out, Finding{Property: p + ".headers", Message: p + " allows every Front Door (service tag only); add the X-Azure-FDID header with this profile's frontDoorId"})
			continue
		}
		frontDoor++
	}
	if len(out) == 0 && frontDoor == 0 {
		out = append(out, Finding{Property: listPath, Message: listPath + " has no Allow entry for service tag " + frontDoorSvcTag + " with the X-Azure-FDID header"})
	}
	return out
}

// fdidValues returns the X-Azure-FDID header values of a restriction entry
// (header names are case-insensitive); ok is false when there are none.
func fdidValues(entry map[string]any) ([]any, bool) {
	headers := obj(entry["headers"])
	for k, v := range headers {
		if !strings.EqualFold(k, frontDoorIDHeader) {
			continue
		}
		if inventory.IsUnknown(v) {
			return []any{inventory.Unknown}, true
		}
		vals := list(v)
		if s, isString := v.(string); isString && s != "" {
			vals = []any{s}
		}
		var keep []any
		for _, x := range vals {
			if inventory.IsUnknown(x) || strings.TrimSpace(text(x)) != "" {
				keep = append(keep, x)
			}
		}
		return keep, len(keep) > 0
	}
	return nil, false
}

func checkSCMRestrictions(r inventory.Resource, _ Config) []Finding {
	const useMain = "siteConfig.scmIpSecurityRestrictionsUseMain"
	v, st := prop(r, useMain)
	if st == stUnknown {
		return []Finding{{Property: useMain, Message: unknownMsg(useMain)}}
	}
	if st == stKnown && strings.EqualFold(text(v), "true") {
		if f := checkRestrictions(r, "siteConfig.ipSecurityRestrictions", "siteConfig.ipSecurityRestrictionsDefaultAction"); f != nil {
			return []Finding{{Property: useMain, Message: "the SCM site uses the main restrictions, which do not hold: " + f[0].Message}}
		}
		return nil
	}
	const def = "siteConfig.scmIpSecurityRestrictionsDefaultAction"
	if f := expectOneOf(r, def, "Deny (or scmIpSecurityRestrictionsUseMain true)", "Deny"); f != nil {
		return f
	}
	const lp = "siteConfig.scmIpSecurityRestrictions"
	lv, lst := prop(r, lp)
	if lst == stUnknown {
		return []Finding{{Property: lp, Message: unknownMsg(lp)}}
	}
	for i, e := range list(lv) {
		entry := obj(e)
		addr, _ := propOf(entry, "ipAddress")
		action, _ := propOf(entry, "action")
		if strings.EqualFold(text(action), "Deny") {
			continue
		}
		switch strings.TrimSpace(strings.ToLower(text(addr))) {
		case "any", "*", "0.0.0.0/0", "::/0", "internet":
			p := fmt.Sprintf("%s.%d", lp, i)
			return []Finding{{Property: p, Message: fmt.Sprintf("%s allows %q: the SCM site is open to the internet", p, text(addr))}}
		}
	}
	return nil
}

func checkAuthSettings(r inventory.Resource, _ Config) []Finding {
	var out []Finding
	out = append(out, expectBool(r, "platform.enabled", true)...)
	out = append(out, expectBool(r, "globalValidation.requireAuthentication", true)...)
	out = append(out, expectNotOneOf(r, "globalValidation.unauthenticatedClientAction", "RedirectToLoginPage, Return401 or Return403", "AllowAnonymous")...)
	out = append(out, expectNotOneOf(r, "httpSettings.requireHttps", "true", "false")...)
	if v, st := prop(r, "identityProviders.azureActiveDirectory.enabled"); st == stUnknown {
		out = append(out, Finding{Property: "identityProviders.azureActiveDirectory.enabled", Message: unknownMsg("identityProviders.azureActiveDirectory.enabled")})
	} else if st == stKnown && strings.EqualFold(text(v), "false") {
		out = append(out, Finding{Property: "identityProviders.azureActiveDirectory.enabled", Message: "the Microsoft Entra ID provider is disabled: nobody can sign in, or another provider decides alone"})
	}
	return out
}
