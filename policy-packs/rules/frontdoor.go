package rules

import (
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

func frontDoorRules() []Rule {
	route := []string{typeRoute}
	return []Rule{
		{
			ID: "frontdoor-route-https-redirect", Title: "Front Door redirects HTTP to HTTPS",
			Description: "httpsRedirect Enabled answers plain http:// with a redirect so ws:// is never upgraded.",
			Controls:    []string{"WS-TLS-01"},
			Enforcement: Mandatory, Types: route, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "httpsRedirect", "Enabled", "Enabled")
			},
		},
		{
			ID: "frontdoor-route-forward-https", Title: "Front Door forwards to the origin over HTTPS only",
			Description: "forwardingProtocol HttpsOnly keeps the hop from Front Door to App Service encrypted.",
			Controls:    []string{"WS-TLS-01"},
			Enforcement: Mandatory, Types: route, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "forwardingProtocol", "HttpsOnly", "HttpsOnly")
			},
		},
		{
			ID: "frontdoor-route-protocols", Title: "Front Door route serves HTTPS (HTTP only to redirect)",
			Description: "supportedProtocols must include Https; Http is accepted only together with httpsRedirect Enabled.",
			Controls:    []string{"WS-TLS-01"},
			Enforcement: Mandatory, Types: route, Pack: PackWebSocket,
			Check: checkRouteProtocols,
		},
		{
			ID: "frontdoor-route-no-cache", Title: "Front Door route does not cache",
			Description: "Caching on the route breaks the WebSocket upgrade and can serve one user's responses to another.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: route, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				v, st := prop(r, "cacheConfiguration")
				switch st {
				case stUnknown:
					return []Finding{{Property: "cacheConfiguration", Message: unknownMsg("cacheConfiguration")}}
				case stKnown:
					if m := obj(v); m != nil && len(m) == 0 {
						return nil
					}
					return []Finding{{Property: "cacheConfiguration", Message: "cacheConfiguration is set: caching is on for the route; remove it"}}
				}
				return nil
			},
		},
		{
			ID: "frontdoor-custom-domain-tls12", Title: "Front Door custom domain requires TLS 1.2",
			Description: "tlsSettings.minimumTlsVersion TLS12 refuses TLS 1.0/1.1 handshakes at the edge.",
			Controls:    []string{"WS-TLS-02"}, AzurePolicyIDs: []string{apFrontDoorTLS},
			Enforcement: Mandatory, Types: []string{typeCustomDomain}, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectTLS(r, "tlsSettings.minimumTlsVersion", "TLS12", "TLS13")
			},
		},
		{
			ID: "frontdoor-origin-cert-check", Title: "Front Door checks the origin certificate name",
			Description: "enforceCertificateNameCheck true stops Front Door from talking TLS to an origin that is not the app.",
			Controls:    []string{"WS-TLS-03"},
			Enforcement: Mandatory, Types: []string{typeOrigin}, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "enforceCertificateNameCheck", true)
			},
		},
		{
			ID: "frontdoor-certificate-latest", Title: "Front Door uses the latest Key Vault certificate version",
			Description: "A customer certificate pinned to one version is not rotated; useLatestVersion true follows renewals.",
			Controls:    []string{"WS-TLS-03"},
			Enforcement: Mandatory, Types: []string{typeCdnSecret}, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				t, st := prop(r, "parameters.type")
				if st == stKnown && !strings.EqualFold(text(t), "CustomerCertificate") {
					return nil // managed certificates rotate by themselves
				}
				return expectBool(r, "parameters.useLatestVersion", true)
			},
		},
	}
}

func checkRouteProtocols(r inventory.Resource, _ Config) []Finding {
	const path = "supportedProtocols"
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return []Finding{{Property: path, Message: "supportedProtocols is not set (Azure defaults to Http and Https); want [Https] or [Http, Https] with httpsRedirect Enabled"}}
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	https, http := false, false
	for i, p := range list(v) {
		if inventory.IsUnknown(p) {
			pp := fmt.Sprintf("%s.%d", path, i)
			return []Finding{{Property: pp, Message: unknownMsg(pp)}}
		}
		switch strings.ToLower(text(p)) {
		case "https":
			https = true
		case "http":
			http = true
		default:
			return []Finding{{Property: path, Message: fmt.Sprintf("supportedProtocols has %q; allowed are Http and Https", text(p))}}
		}
	}
	if !https {
		return []Finding{{Property: path, Message: "supportedProtocols does not include Https"}}
	}
	if http {
		redirect, rst := prop(r, "httpsRedirect")
		if rst != stKnown || !strings.EqualFold(text(redirect), "Enabled") {
			return []Finding{{Property: path, Message: "supportedProtocols includes Http without httpsRedirect Enabled: plain HTTP (and ws://) is served"}}
		}
	}
	return nil
}

// responseHeaders collects the response header actions of every cdn:Rule in
// the stack. Headers can be spread over several rules of a rule set.
type headerAction struct {
	urn, action, name, value string
	unknown                  bool
}

func responseHeaders(rs []inventory.Resource) (actions []headerAction, rulesSeen int) {
	for _, r := range rs {
		if baseType(r.Type) != typeRule {
			continue
		}
		rulesSeen++
		v, st := prop(r, "actions")
		if st == stUnknown {
			actions = append(actions, headerAction{urn: r.URN, unknown: true})
			continue
		}
		for _, a := range list(v) {
			m := obj(a)
			if m == nil {
				if inventory.IsUnknown(a) {
					actions = append(actions, headerAction{urn: r.URN, unknown: true})
				}
				continue
			}
			if !strings.EqualFold(text(m["name"]), "ModifyResponseHeader") {
				continue
			}
			p := obj(m["parameters"])
			h := headerAction{urn: r.URN}
			for _, k := range []string{"headerAction", "headerName", "value"} {
				if inventory.IsUnknown(p[k]) {
					h.unknown = true
				}
			}
			h.action, h.name, h.value = text(p["headerAction"]), text(p["headerName"]), text(p["value"])
			actions = append(actions, h)
		}
	}
	return actions, rulesSeen
}

// frontDoorTypes are what the header rules judge: a stack with a Front
// Door profile, endpoint or route must set the headers at the edge.
func frontDoorTypes() []string { return []string{typeRoute, typeProfile, typeEndpoint} }

// headerRule builds a stack rule requiring a response header set by a
// Front Door rule set, judged by ok on its value.
func headerRule(id, title, desc, header string, controls []string, level Enforcement, ok func(value string, cfg Config) string) Rule {
	return Rule{
		ID: id, Title: title, Description: desc, Controls: controls,
		Enforcement: level, Pack: PackWebSocket, Types: frontDoorTypes(),
		CheckStack: func(rs []inventory.Resource, cfg Config) []Finding {
			actions, _ := responseHeaders(rs)
			var unknownURN, problem string
			for _, h := range actions {
				if h.unknown {
					unknownURN = h.urn
					continue
				}
				if !strings.EqualFold(h.name, header) || strings.EqualFold(h.action, "Delete") {
					continue
				}
				msg := ok(h.value, cfg)
				if msg == "" {
					return nil
				}
				problem = msg
			}
			urn := frontDoorURN(rs)
			switch {
			case problem != "":
				return []Finding{{URN: urn, Type: typeRule, Property: "actions", Message: problem}}
			case unknownURN != "":
				return []Finding{{URN: unknownURN, Type: typeRule, Property: "actions", Message: header + ": " + unknownMsg("actions")}}
			}
			return []Finding{{URN: urn, Type: typeRule, Property: "actions", Message: fmt.Sprintf("no Front Door rule set adds the %s response header (ModifyResponseHeader action)", header)}}
		},
	}
}

// frontDoorURN names the resource a stack-level header finding is about:
// the first rule set, else the profile.
func frontDoorURN(rs []inventory.Resource) string {
	var profile string
	for _, r := range rs {
		switch baseType(r.Type) {
		case "azure-native:cdn:RuleSet":
			return r.URN
		case typeProfile:
			if profile == "" {
				profile = r.URN
			}
		}
	}
	return profile
}

func hstsMaxAge(value string) (int, bool) {
	for _, part := range strings.Split(value, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if found && strings.EqualFold(strings.TrimSpace(k), "max-age") {
			n, ok := number(strings.Trim(strings.TrimSpace(v), `"`))
			if ok {
				return int(n), true
			}
		}
	}
	return 0, false
}

func headerRules() []Rule {
	return []Rule{
		headerRule("frontdoor-hsts", "Front Door sends HSTS",
			"Streamlit sends no Strict-Transport-Security; the edge must add it (max-age at least one year) so browsers never try ws:// or http:// again.",
			"Strict-Transport-Security", []string{"WS-TLS-04"}, Mandatory,
			func(v string, cfg Config) string {
				age, ok := hstsMaxAge(v)
				if !ok {
					return fmt.Sprintf("Strict-Transport-Security %q has no max-age", v)
				}
				if age < cfg.MinHSTSMaxAge {
					return fmt.Sprintf("Strict-Transport-Security max-age is %d; want at least %d", age, cfg.MinHSTSMaxAge)
				}
				return ""
			}),
		headerRule("frontdoor-csp", "Front Door sends a Content-Security-Policy with frame-ancestors",
			"A CSP limits where the page connects (connect-src 'self' wss:) and who may frame it (frame-ancestors), against clickjacking and injected sockets.",
			"Content-Security-Policy", []string{"WS-HDR-01"}, Mandatory,
			func(v string, _ Config) string {
				if !containsFold(v, "frame-ancestors") {
					return "Content-Security-Policy has no frame-ancestors directive"
				}
				return ""
			}),
		headerRule("frontdoor-nosniff", "Front Door sends X-Content-Type-Options: nosniff",
			"Stops browsers from guessing content types of served files.",
			"X-Content-Type-Options", []string{"WS-HDR-01"}, Mandatory,
			func(v string, _ Config) string {
				if !strings.EqualFold(strings.TrimSpace(v), "nosniff") {
					return fmt.Sprintf("X-Content-Type-Options is %q; want nosniff", v)
				}
				return ""
			}),
		headerRule("frontdoor-referrer-policy", "Front Door sends a Referrer-Policy",
			"Keeps dashboard URLs (and anything in them) out of other sites' logs.",
			"Referrer-Policy", []string{"WS-HDR-01"}, Mandatory,
			func(v string, _ Config) string {
				if strings.EqualFold(strings.TrimSpace(v), "unsafe-url") || strings.TrimSpace(v) == "" {
					return fmt.Sprintf("Referrer-Policy is %q; want strict-origin-when-cross-origin or stricter", v)
				}
				return ""
			}),
		headerRule("frontdoor-permissions-policy", "Front Door sends a Permissions-Policy",
			"Turns off browser features (camera, microphone, geolocation) the dashboard does not use.",
			"Permissions-Policy", []string{"WS-HDR-01"}, Advisory,
			func(v string, _ Config) string {
				if strings.TrimSpace(v) == "" {
					return "Permissions-Policy is empty"
				}
				return ""
			}),
		{
			ID: "frontdoor-server-header-removed", Title: "Front Door removes the Server header",
			Description: "Streamlit answers with Server: TornadoServer/<version>, which tells attackers what to try; a Delete action on Server removes it.",
			Controls:    []string{"WS-HDR-01"},
			Enforcement: Mandatory, Pack: PackWebSocket, Types: frontDoorTypes(),
			CheckStack: func(rs []inventory.Resource, _ Config) []Finding {
				actions, _ := responseHeaders(rs)
				unknownURN := ""
				for _, h := range actions {
					if h.unknown {
						unknownURN = h.urn
						continue
					}
					if strings.EqualFold(h.name, "Server") && strings.EqualFold(h.action, "Delete") {
						return nil
					}
				}
				if unknownURN != "" {
					return []Finding{{URN: unknownURN, Type: typeRule, Property: "actions", Message: "Server header removal: " + unknownMsg("actions")}}
				}
				return []Finding{{URN: frontDoorURN(rs), Type: typeRule, Property: "actions", Message: "no Front Door rule set deletes the Server response header"}}
			},
		},
	}
}
