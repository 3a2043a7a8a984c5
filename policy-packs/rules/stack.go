package rules

import (
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

func stackRules() []Rule {
	rules := headerRules()
	rules = append(rules,
		Rule{
			ID: "appservice-frontdoor-id", Title: "App Service admits only this stack's Front Door",
			Description: "The X-Azure-FDID value in the access restrictions must be the frontDoorId of a Front Door profile of the same stack; any other value admits someone else's Front Door. During a preview both sides are computed: an unknown header value is accepted when the stack declares a profile (the reference resolves at apply; `streamsec check` on the stack export proves equality), while a literal value is a violation as long as the profile's frontDoorId is computed (a literal cannot equal an id that does not exist yet).",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackWebSocket,
			Types:      []string{typeWebApp},
			CheckStack: checkFrontDoorID,
		},
		Rule{
			ID: "appservice-private-origin", Title: "App Service behind a Private Link origin refuses public traffic",
			Description: "When a Front Door origin reaches the app through Private Link (sharedPrivateLinkResource), publicNetworkAccess must be Disabled so the public *.azurewebsites.net endpoint is closed.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackWebSocket,
			Types:      []string{typeWebApp},
			CheckStack: checkPrivateOrigin,
		},
		Rule{
			ID: "appservice-auth-required", Title: "App Service authentication is configured when the stack requires sign-in",
			Description: "With authMode entraId the stack promises that unauthenticated handshakes never reach Streamlit: a web:WebAppAuthSettingsV2 must exist for the web app.",
			Controls:    []string{"WS-AUTH-01"},
			Enforcement: Mandatory, Pack: PackWebSocket,
			Types:      []string{typeWebApp},
			CheckStack: checkAuthRequired,
		},
		Rule{
			ID: "appservice-ftp-basic-auth-off", Title: "FTP basic publishing credentials are off",
			Description: "Basic (user/password) publishing credentials bypass Entra ID and are on unless a web:WebAppFtpAllowed with allow false exists for the web app.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeWebApp, typeFtpAllowed},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkBasicAuth(rs, typeFtpAllowed, "FTP")
			},
		},
		Rule{
			ID: "appservice-scm-basic-auth-off", Title: "SCM basic publishing credentials are off",
			Description: "Basic (user/password) publishing credentials on the SCM site bypass Entra ID and are on unless a web:WebAppScmAllowed with allow false exists for the web app.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeWebApp, typeScmAllowed},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkBasicAuth(rs, typeScmAllowed, "SCM")
			},
		},
		Rule{
			ID: "appservice-arr-affinity", Title: "App Service keeps sessions on one instance",
			Description: "With more than one instance a Streamlit session and its uploads must land on the same worker: clientAffinityEnabled true on the web app and sessionAffinityState Enabled on the Front Door origin group.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Pack: PackWebSocket,
			Types:      []string{typeWebApp, typeOriginGroup},
			CheckStack: checkAffinity,
		},
		Rule{
			ID: "frontdoor-waf-coverage", Title: "Every Front Door domain has a WAF security policy",
			Description: "An endpoint or custom domain not associated with a WebApplicationFirewall security policy serves the app without the Origin, rate-limit and path rules. References that are computed during preview are matched by count.",
			Controls:    []string{"WS-ORG-01", "WS-DOS-02"},
			Enforcement: Mandatory, Pack: PackWebSocket,
			Types:      []string{typeEndpoint, typeCustomDomain},
			CheckStack: checkWAFCoverage,
		},
		Rule{
			ID: "storage-private-endpoint", Title: "Storage has a private endpoint (blob)",
			Description: "With public access off, the app needs a network:PrivateEndpoint with group id blob targeting the account.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeStorage},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkPrivateEndpoint(rs, typeStorage, "accountName", "storageAccounts", "blob")
			},
		},
		Rule{
			ID: "keyvault-private-endpoint", Title: "Key Vault has a private endpoint (vault)",
			Description: "With public access off, the app resolves Key Vault references through a network:PrivateEndpoint with group id vault.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeVault},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkPrivateEndpoint(rs, typeVault, "vaultName", "vaults", "vault")
			},
		},
		Rule{
			ID: "diagnostics-frontdoor", Title: "Front Door sends access and WAF logs",
			Description: "A diagnostic setting on the Front Door profile sends FrontDoorAccessLog and FrontDoorWebApplicationFirewallLog (or the allLogs group) to a destination.",
			Controls:    []string{"WS-LOG-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeProfile},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkDiagnostics(rs, typeProfile, "profileName", "profiles", "FrontDoorAccessLog", "FrontDoorWebApplicationFirewallLog")
			},
		},
		Rule{
			ID: "diagnostics-webapp", Title: "App Service sends HTTP logs",
			Description: "A diagnostic setting on the web app sends AppServiceHTTPLogs (or the allLogs group) to a destination.",
			Controls:    []string{"WS-LOG-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeWebApp},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkDiagnostics(rs, typeWebApp, "name", "sites", "AppServiceHTTPLogs")
			},
		},
		Rule{
			ID: "diagnostics-keyvault", Title: "Key Vault sends audit logs",
			Description: "A diagnostic setting on the vault sends AuditEvent (or the audit or allLogs group): who read the certificate and the cookie secret.",
			Controls:    []string{"WS-LOG-01"},
			Enforcement: Mandatory, Pack: PackBaseline,
			Types: []string{typeVault},
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				return checkDiagnostics(rs, typeVault, "vaultName", "vaults", "AuditEvent")
			},
		},
	)
	return rules
}

func ofType(rs []inventory.Resource, typ string) []inventory.Resource {
	var out []inventory.Resource
	for _, r := range rs {
		if baseType(r.Type) == typ {
			out = append(out, r)
		}
	}
	return out
}

func checkFrontDoorID(rs []inventory.Resource, _ Config) []Finding {
	profiles := ofType(rs, typeProfile)
	known := map[string]bool{}
	computed := 0 // profiles whose frontDoorId is unknown until apply
	for _, p := range profiles {
		isComputed := false
		for _, src := range []map[string]any{p.Outputs, p.Inputs} {
			switch v, st := propOf(src, "frontDoorId"); {
			case st == stKnown && text(v) != "":
				known[strings.ToLower(text(v))] = true
			case st == stUnknown:
				isComputed = true
			}
		}
		if isComputed {
			computed++
		}
	}
	var out []Finding
	for _, w := range ofType(rs, typeWebApp) {
		for _, path := range []string{"siteConfig.ipSecurityRestrictions", "siteConfig.scmIpSecurityRestrictions"} {
			v, _ := prop(w, path)
			for i, e := range list(v) {
				vals, ok := fdidValues(obj(e))
				if !ok {
					continue
				}
				p := fmt.Sprintf("%s.%d.headers", path, i)
				if len(profiles) == 0 {
					out = append(out, Finding{URN: w.URN, Type: w.Type, Property: p, Message: "the web app admits a Front Door by X-Azure-FDID, but the stack declares no cdn:Profile: the id belongs to someone else's Front Door"})
					continue
				}
				for _, id := range vals {
					switch {
					case inventory.IsUnknown(id):
						continue // resolved at apply; see the rule description
					case known[strings.ToLower(text(id))]:
						continue
					case computed > 0:
						// A literal cannot equal an id Azure has not assigned yet.
						out = append(out, Finding{URN: w.URN, Type: w.Type, Property: p, Message: fmt.Sprintf("X-Azure-FDID %q is a literal, but this stack's Front Door profile does not exist yet (its frontDoorId is computed): the literal belongs to another Front Door; take the value from the profile's frontDoorId output", text(id))})
					case len(known) > 0:
						out = append(out, Finding{URN: w.URN, Type: w.Type, Property: p, Message: fmt.Sprintf("X-Azure-FDID %q is not the frontDoorId of this stack's Front Door profile", text(id))})
					}
				}
			}
		}
	}
	return out
}

func checkAffinity(rs []inventory.Resource, cfg Config) []Finding {
	instances := cfg.InstanceCount
	if instances == 0 {
		for _, p := range ofType(rs, typePlan) {
			if n, ok := number(obj(p.Inputs["sku"])["capacity"]); ok && int(n) > instances {
				instances = int(n)
			}
		}
	}
	if instances <= 1 {
		return nil
	}
	var out []Finding
	for _, w := range ofType(rs, typeWebApp) {
		for _, f := range expectBool(w, "clientAffinityEnabled", true) {
			f.URN, f.Type = w.URN, w.Type
			f.Message = fmt.Sprintf("%d instances: %s", instances, f.Message)
			out = append(out, f)
		}
	}
	for _, g := range ofType(rs, typeOriginGroup) {
		for _, f := range expectOneOf(g, "sessionAffinityState", "Enabled", "Enabled") {
			f.URN, f.Type = g.URN, g.Type
			f.Message = fmt.Sprintf("%d instances: %s", instances, f.Message)
			out = append(out, f)
		}
	}
	return out
}

// refIndex resolves Azure resource id references to resources of one kind.
type refIndex struct {
	segment string          // "storageAccounts", "vaults", "sites", ...
	names   map[string]bool // lower-cased names referenced under segment
	pending int             // references not resolvable yet (computed, or mock ids)
}

func newRefIndex(segment string) *refIndex {
	return &refIndex{segment: "/" + strings.ToLower(segment) + "/", names: map[string]bool{}}
}

func (x *refIndex) add(v any) {
	if v == nil {
		return
	}
	if inventory.IsUnknown(v) {
		x.pending++
		return
	}
	s := strings.ToLower(text(v))
	if !strings.Contains(s, "/providers/") {
		x.pending++ // not an Azure id (a mock or placeholder): resolvable only at apply
		return
	}
	i := strings.LastIndex(s, x.segment)
	if i < 0 {
		return
	}
	name, _, _ := strings.Cut(s[i+len(x.segment):], "/")
	x.names[name] = true
}

// covers reports whether a known reference names the resource: its Azure
// name input, or else its Pulumi name as the auto-name prefix.
func (x *refIndex) covers(r inventory.Resource, nameKey string) bool {
	if v, st := prop(r, nameKey); st == stKnown && text(v) != "" {
		return x.names[strings.ToLower(text(v))]
	}
	auto := strings.ToLower(r.Name)
	if auto == "" {
		return false
	}
	for n := range x.names {
		if strings.HasPrefix(n, auto) {
			return true
		}
	}
	return false
}

// uncovered returns the targets no reference covers, letting pending
// references cover the rest by count.
func (x *refIndex) uncovered(targets []inventory.Resource, nameKey string) []inventory.Resource {
	var left []inventory.Resource
	for _, t := range targets {
		if !x.covers(t, nameKey) {
			left = append(left, t)
		}
	}
	if len(left) <= x.pending {
		return nil
	}
	return left[x.pending:]
}

func checkWAFCoverage(rs []inventory.Resource, _ Config) []Finding {
	endpoints := newRefIndex("afdEndpoints")
	domains := newRefIndex("customDomains")
	for _, sp := range ofType(rs, typeSecPolicy) {
		params := obj(sp.Inputs["parameters"])
		if inventory.IsUnknown(sp.Inputs["parameters"]) {
			endpoints.pending++
			domains.pending++
			continue
		}
		if !strings.EqualFold(text(params["type"]), "WebApplicationFirewall") {
			continue
		}
		if w, st := propOf(params, "wafPolicy.id"); st == stMissing || (st == stKnown && text(w) == "") {
			continue
		}
		for _, a := range list(params["associations"]) {
			for _, d := range list(obj(a)["domains"]) {
				id := obj(d)["id"]
				if inventory.IsUnknown(d) {
					id = inventory.Unknown
				}
				s := strings.ToLower(text(id))
				switch {
				case inventory.IsUnknown(id) || !strings.Contains(s, "/providers/"):
					// An unresolved reference may be either kind.
					endpoints.pending++
					domains.pending++
				case strings.Contains(s, "/afdendpoints/"):
					endpoints.add(id)
				default:
					domains.add(id)
				}
			}
		}
	}
	var out []Finding
	for _, r := range endpoints.uncovered(ofType(rs, typeEndpoint), "endpointName") {
		out = append(out, Finding{URN: r.URN, Type: r.Type, Message: "the Front Door endpoint is not associated with a WebApplicationFirewall security policy"})
	}
	for _, r := range domains.uncovered(ofType(rs, typeCustomDomain), "customDomainName") {
		out = append(out, Finding{URN: r.URN, Type: r.Type, Message: "the Front Door custom domain is not associated with a WebApplicationFirewall security policy"})
	}
	return out
}

func checkPrivateEndpoint(rs []inventory.Resource, typ, nameKey, segment, groupID string) []Finding {
	idx := newRefIndex(segment)
	for _, pe := range ofType(rs, typePrivateEP) {
		conns := pe.Inputs["privateLinkServiceConnections"]
		if inventory.IsUnknown(conns) {
			idx.pending++
			continue
		}
		for _, c := range list(conns) {
			m := obj(c)
			groups := m["groupIds"]
			match := inventory.IsUnknown(groups)
			for _, g := range list(groups) {
				match = match || inventory.IsUnknown(g) || strings.EqualFold(text(g), groupID)
			}
			if match {
				idx.add(m["privateLinkServiceId"])
			}
		}
	}
	var out []Finding
	for _, r := range idx.uncovered(ofType(rs, typ), nameKey) {
		out = append(out, Finding{URN: r.URN, Type: r.Type, Message: fmt.Sprintf("no network:PrivateEndpoint with group id %q targets this resource", groupID)})
	}
	return out
}

func checkDiagnostics(rs []inventory.Resource, typ, nameKey, segment string, categories ...string) []Finding {
	idx := newRefIndex(segment)
	for _, d := range ofType(rs, typeDiagnostic) {
		if !diagnosticSends(d, categories) {
			continue
		}
		idx.add(d.Inputs["resourceUri"])
	}
	var out []Finding
	for _, r := range idx.uncovered(ofType(rs, typ), nameKey) {
		out = append(out, Finding{URN: r.URN, Type: r.Type, Message: fmt.Sprintf("no insights:DiagnosticSetting sends %s (or allLogs) from this resource to a destination", strings.Join(categories, " and "))})
	}
	return out
}

// diagnosticSends reports whether a diagnostic setting has a destination
// and every wanted log category enabled, by name or through a category
// group that contains it (unknowns count as yes: they resolve at apply).
func diagnosticSends(d inventory.Resource, categories []string) bool {
	dest := false
	for _, k := range []string{"workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"} {
		if v, st := prop(d, k); st == stUnknown || (st == stKnown && text(v) != "") {
			dest = true
		}
	}
	if !dest {
		return false
	}
	logs := d.Inputs["logs"]
	if inventory.IsUnknown(logs) {
		return true
	}
	enabled := map[string]bool{}
	for _, l := range list(logs) {
		m := obj(l)
		if e := m["enabled"]; !(inventory.IsUnknown(e) || strings.EqualFold(text(e), "true")) {
			continue
		}
		if inventory.IsUnknown(m["category"]) || inventory.IsUnknown(m["categoryGroup"]) {
			return true
		}
		enabled[strings.ToLower(text(m["category"]))] = true
		enabled["group:"+strings.ToLower(text(m["categoryGroup"]))] = true
	}
	if enabled["group:alllogs"] {
		return true
	}
	for _, c := range categories {
		c = strings.ToLower(c)
		if !enabled[c] && !(c == "auditevent" && enabled["group:audit"]) {
			return false
		}
	}
	return true
}

func checkPrivateOrigin(rs []inventory.Resource, _ Config) []Finding {
	idx := newRefIndex("sites")
	for _, o := range ofType(rs, typeOrigin) {
		if v, st := propOf(o.Inputs, "sharedPrivateLinkResource.privateLink.id"); st == stKnown || st == stUnknown {
			if st == stUnknown {
				v = inventory.Unknown
			}
			idx.add(v)
		}
	}
	if len(idx.names) == 0 && idx.pending == 0 {
		return nil // no Private Link origin: access restrictions do the work
	}
	webApps := ofType(rs, typeWebApp)
	var linked []inventory.Resource
	for _, w := range webApps {
		if idx.covers(w, "name") || idx.pending > 0 {
			linked = append(linked, w)
		}
	}
	var out []Finding
	for _, w := range linked {
		for _, f := range expectOneOf(w, "publicNetworkAccess", "Disabled (Front Door reaches the app through Private Link)", "Disabled") {
			f.URN, f.Type = w.URN, w.Type
			out = append(out, f)
		}
	}
	return out
}

func checkAuthRequired(rs []inventory.Resource, cfg Config) []Finding {
	if !cfg.RequireAuthentication {
		return nil
	}
	settings := ofType(rs, typeAuthV2)
	names := map[string]bool{}
	pending := 0
	for _, a := range settings {
		if v, st := prop(a, "name"); st == stKnown {
			names[strings.ToLower(text(v))] = true
		} else {
			pending++
		}
	}
	var out []Finding
	for _, w := range ofType(rs, typeWebApp) {
		if v, st := prop(w, "name"); st == stKnown && names[strings.ToLower(text(v))] {
			continue
		}
		if pending > 0 {
			pending--
			continue
		}
		out = append(out, Finding{URN: w.URN, Type: w.Type, Message: "the stack requires sign-in before the WebSocket upgrade, but no web:WebAppAuthSettingsV2 configures App Service authentication for this web app"})
	}
	return out
}

// checkBasicAuth requires, for every web app, a publishing-credentials
// policy resource of typ with allow false (matched by site name, computed
// names by count).
func checkBasicAuth(rs []inventory.Resource, typ, what string) []Finding {
	var out []Finding
	names := map[string]bool{}
	pending := 0
	for _, p := range ofType(rs, typ) {
		if f := expectBool(p, "allow", false); f != nil {
			for _, x := range f {
				x.URN, x.Type = p.URN, p.Type
				out = append(out, x)
			}
			continue
		}
		if v, st := prop(p, "name"); st == stKnown {
			names[strings.ToLower(text(v))] = true
		} else {
			pending++
		}
	}
	for _, w := range ofType(rs, typeWebApp) {
		if v, st := prop(w, "name"); st == stKnown && names[strings.ToLower(text(v))] {
			continue
		}
		if pending > 0 {
			pending--
			continue
		}
		out = append(out, Finding{URN: w.URN, Type: w.Type, Message: fmt.Sprintf("no %s with allow false for this web app: %s basic-auth publishing credentials stay on (Azure's default)", typ, what)})
	}
	return out
}
