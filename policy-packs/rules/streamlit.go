package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/streamlitopts"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// envName is Streamlit's environment-variable spelling of an option
// (server.enableXsrfProtection -> STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION),
// from the renderer so the names exist in one place.
func envName(option string) string { return streamlit.EnvName(option) }

// Streamlit options the rules read, as App Settings.
var (
	envEnableCORS   = envName("server.enableCORS")
	envXSRF         = envName("server.enableXsrfProtection")
	envCompression  = envName("server.enableWebsocketCompression")
	envMaxMessage   = envName("server.maxMessageSize")
	envMaxUpload    = envName("server.maxUploadSize")
	envDevMode      = envName("global.developmentMode")
	envCookieSecret = envName("server.cookieSecret")
	envUsageStats   = envName("browser.gatherUsageStats")
	envStatic       = envName("server.enableStaticServing")
	envErrorDetails = envName("client.showErrorDetails")
	envCORSOrigins  = envName("server.corsAllowedOrigins")
	envHosts        = envName("server.allowedHosts")
	envSameSite     = envName("server.xsrfCookieSameSite")
	envWidgetState  = envName("server.maxWidgetStateSize")
	envAgentAPI     = envName("server.enableAgentApi")
)

// releaseHas reports whether the stack's Streamlit release has option; a
// version that cannot be read is a finding, never a pass.
func releaseHas(cfg Config, option string) (bool, []Finding) {
	v, err := streamlitopts.Parse(cfg.StreamlitVersion)
	if err != nil {
		return false, []Finding{{Property: appSettingsPath, Message: "cannot tell whether " + option + " applies: streamlitVersion " + err.Error()}}
	}
	_, ok := streamlitopts.Lookup(option, v)
	return ok, nil
}

// onlyFrom runs check only on releases that have option; older releases
// do not know the setting, so there is nothing to judge.
func onlyFrom(option string, check func(inventory.Resource, Config) []Finding) func(inventory.Resource, Config) []Finding {
	return func(r inventory.Resource, cfg Config) []Finding {
		has, f := releaseHas(cfg, option)
		if f != nil || !has {
			return f
		}
		return check(r, cfg)
	}
}

const appSettingsPath = "siteConfig.appSettings"

// appSetting finds one App Setting by name. st is stMissing when the
// setting is absent, stUnknown when the list or the value is computed.
func appSetting(r inventory.Resource, name string) (string, string, state) {
	v, st := prop(r, appSettingsPath)
	switch st {
	case stMissing:
		return "", appSettingsPath, stMissing
	case stUnknown, stSecret:
		return "", appSettingsPath, st
	}
	for i, e := range list(v) {
		p := fmt.Sprintf("%s.%d", appSettingsPath, i)
		if inventory.IsUnknown(e) {
			return "", p, stUnknown
		}
		entry := obj(e)
		n, nst := propOf(entry, "name")
		if nst == stUnknown {
			return "", p + ".name", stUnknown
		}
		if !strings.EqualFold(text(n), name) {
			continue
		}
		val, vst := propOf(entry, "value")
		p += ".value"
		if vst == stKnown {
			return text(val), p, stKnown
		}
		return "", p, vst
	}
	return "", appSettingsPath + "[" + name + "]", stMissing
}

// unresolvedSetting is the fail-closed finding for an App Setting whose
// value is computed (st stUnknown) or secret-masked (st stSecret).
func unresolvedSetting(name, p string, st state) []Finding {
	if st == stSecret {
		return []Finding{{Property: p, Message: name + ": " + secretMsg(p)}}
	}
	return []Finding{{Property: p, Message: name + ": " + unknownMsg(p)}}
}

// settingNot fails when the setting has the forbidden value (absence is the
// secure default).
func settingNot(name, forbidden, want string) func(inventory.Resource, Config) []Finding {
	return func(r inventory.Resource, _ Config) []Finding {
		v, p, st := appSetting(r, name)
		switch st {
		case stMissing:
			return nil
		case stUnknown, stSecret:
			return unresolvedSetting(name, p, st)
		}
		if strings.EqualFold(strings.TrimSpace(v), forbidden) {
			return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is %q; want %s", name, v, want)}}
		}
		return nil
	}
}

// settingAtMost requires a numeric setting at or below a limit.
func settingAtMost(name string, limit func(Config) int) func(inventory.Resource, Config) []Finding {
	return settingAtMostOf(name, 200, limit)
}

// settingAtMostOf is settingAtMost for an option whose Streamlit default
// is def MB.
func settingAtMostOf(name string, def int, limit func(Config) int) func(inventory.Resource, Config) []Finding {
	return func(r inventory.Resource, cfg Config) []Finding {
		max := limit(cfg)
		v, p, st := appSetting(r, name)
		switch st {
		case stMissing:
			return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is not set, so Streamlit's default of %d MB applies; want at most %d", name, def, max)}}
		case stUnknown, stSecret:
			return unresolvedSetting(name, p, st)
		}
		n, ok := number(v)
		if !ok {
			return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is %q, not a number of MB", name, v)}}
		}
		if n <= 0 || n > float64(max) {
			return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is %s MB; want between 1 and %d", name, text(n), max)}}
		}
		return nil
	}
}

func checkCookieSecret(r inventory.Resource, _ Config) []Finding {
	v, p, st := appSetting(r, envCookieSecret)
	switch st {
	case stMissing:
		return []Finding{{Property: p, Message: "App Setting " + envCookieSecret + " is not set: every instance makes its own random cookie secret; want a Key Vault reference (@Microsoft.KeyVault(...))"}}
	case stUnknown:
		return []Finding{{Property: p, Message: envCookieSecret + ": " + unknownMsg(p)}}
	case stSecret:
		return []Finding{{Property: p, Message: "App Setting " + envCookieSecret + " holds a secret value: the cookie secret must reach the app as a Key Vault reference (@Microsoft.KeyVault(...)), which is not secret itself"}}
	}
	// The same test the renderer applies to what it emits, so a malformed
	// reference (which App Service would not resolve) fails here too.
	if !streamlit.IsKeyVaultReference(strings.TrimSpace(v)) {
		// The value is plain text here; never echo it.
		return []Finding{{Property: p, Message: "App Setting " + envCookieSecret + " is a plain value; want a Key Vault reference (@Microsoft.KeyVault(...)) so the secret stays out of state"}}
	}
	return nil
}

func streamlitRules() []Rule {
	web := []string{typeWebApp}
	return []Rule{
		{
			ID: "streamlit-cors-enabled", Title: "Streamlit keeps its Origin check (enableCORS not false)",
			Description: "server.enableCORS=false makes Streamlit accept a WebSocket from any Origin (cross-site WebSocket hijacking); the fix behind a proxy is the allowlist, not turning the check off.",
			Controls:    []string{"WS-ORG-01", "WS-ORG-02"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envEnableCORS, "false", "true (or unset)"),
		},
		{
			ID: "streamlit-xsrf-protection", Title: "Streamlit XSRF protection stays on",
			Description: "server.enableXsrfProtection=false removes the XSRF token from uploads and the session.",
			Controls:    []string{"WS-ORG-03"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envXSRF, "false", "true (or unset)"),
		},
		{
			ID: "streamlit-compression-off", Title: "Streamlit WebSocket compression stays off",
			Description: "permessage-deflate exposes secrets to CRIME/BREACH-style attacks; the guide requires it off.",
			Controls:    []string{"WS-CMP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envCompression, "true", "false (or unset)"),
		},
		{
			ID: "streamlit-max-message-size", Title: "Streamlit message size is limited",
			Description: "server.maxMessageSize defaults to 200 MB; the guide asks for a small limit so oversized frames close the socket (1009).",
			Controls:    []string{"WS-SIZE-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingAtMost(envMaxMessage, func(c Config) int { return c.MaxMessageSizeMB }),
		},
		{
			ID: "streamlit-max-upload-size", Title: "Streamlit upload size is limited",
			Description: "server.maxUploadSize defaults to 200 MB; uploads travel over HTTP next to the socket and need the same bound.",
			Controls:    []string{"WS-SIZE-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingAtMost(envMaxUpload, func(c Config) int { return c.MaxUploadSizeMB }),
		},
		{
			ID: "streamlit-development-mode-off", Title: "Streamlit development mode is off",
			Description: "global.developmentMode serves development endpoints and assets that must not face the internet.",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envDevMode, "true", "false (or unset)"),
		},
		{
			ID: "streamlit-error-details-hidden", Title: "Streamlit hides error details",
			Description: "client.showErrorDetails defaults to showing tracebacks to every visitor; none (false on older versions) keeps code paths and secrets in logs only.",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: checkErrorDetails,
		},
		{
			ID: "streamlit-usage-stats-off", Title: "Streamlit does not send usage statistics",
			Description: "browser.gatherUsageStats defaults to true and makes browsers call a third party; the guide's exposure control turns it off.",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return settingIs(r, envUsageStats, "false")
			},
		},
		{
			ID: "streamlit-static-serving-off", Title: "Streamlit static file serving stays off",
			Description: "server.enableStaticServing publishes the app's static/ folder at /app/static without authentication; turn it on per stack only when needed (enforcement disabled).",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envStatic, "true", "false (or unset)"),
		},
		{
			ID: "streamlit-cors-allowlist", Title: "Streamlit's origin allowlist has no wildcard",
			Description: "server.corsAllowedOrigins is the allowlist Streamlit checks the WebSocket Origin against behind the proxy; a '*', null or http:// entry reopens cross-site WebSocket hijacking.",
			Controls:    []string{"WS-ORG-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: checkCORSOrigins,
		},
		{
			ID: "streamlit-allowed-hosts", Title: "Streamlit admits only the stack's host name (server.allowedHosts, 1.61+)",
			Description: "server.allowedHosts makes Streamlit refuse a WebSocket whose Host is not listed (DNS rebinding). It must name exactly the host Front Door forwards, the app's own *.azurewebsites.net name: a wildcard over a shared domain admits every other tenant's names, and '*' or an empty list turns the check off. Releases before 1.61 have no such option.",
			Controls:    []string{"WS-ORG-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: onlyFrom("server.allowedHosts", checkAllowedHosts),
		},
		{
			ID: "streamlit-xsrf-cookie-samesite", Title: "Streamlit's XSRF cookie is SameSite=Strict (1.59+)",
			Description: "server.xsrfCookieSameSite none sends the XSRF cookie on every cross-site request and lax on cross-site navigations; strict keeps it same-site. Releases before 1.59 have no such option.",
			Controls:    []string{"WS-ORG-03"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: onlyFrom("server.xsrfCookieSameSite", func(r inventory.Resource, _ Config) []Finding {
				return settingIs(r, envSameSite, "strict")
			}),
		},
		{
			ID: "streamlit-max-widget-state-size", Title: "Streamlit client message and widget state size is limited (1.60+)",
			Description: "server.maxWidgetStateSize (default 25 MB) bounds every client-sent WebSocket message and the widget state of one rerun; the Spec's maxWidgetStateSizeMb is the limit. Releases before 1.60 have no such option.",
			Controls:    []string{"WS-SIZE-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: onlyFrom("server.maxWidgetStateSize", settingAtMostOf(envWidgetState, 25, func(c Config) int { return c.MaxWidgetStateSizeMB })),
		},
		{
			ID: "streamlit-agent-api-off", Title: "Streamlit's agent API stays off",
			Description: "server.enableAgentApi (1.67+) lets clients without a browser drive the app over /_stcore/agent/interact and /_stcore/agent/mcp; a dashboard behind the stack's WAF needs neither.",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: settingNot(envAgentAPI, "true", "false (or unset)"),
		},
		{
			ID: "streamlit-cookie-secret-keyvault", Title: "Streamlit cookie secret is a Key Vault reference",
			Description: "All instances must share server.cookieSecret, and it must not sit in plain text in App Settings or state: a Key Vault reference does both.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: web, Pack: PackWebSocket,
			Check: checkCookieSecret,
		},
	}
}

// settingIs requires a setting to be present with one value.
func settingIs(r inventory.Resource, name, want string) []Finding {
	v, p, st := appSetting(r, name)
	switch st {
	case stMissing:
		return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is not set (Streamlit's default applies); want %s", name, want)}}
	case stUnknown, stSecret:
		return unresolvedSetting(name, p, st)
	}
	if !strings.EqualFold(strings.TrimSpace(v), want) {
		return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is %q; want %s", name, v, want)}}
	}
	return nil
}

func checkErrorDetails(r inventory.Resource, _ Config) []Finding {
	v, p, st := appSetting(r, envErrorDetails)
	switch st {
	case stMissing:
		return []Finding{{Property: p, Message: "App Setting " + envErrorDetails + " is not set: Streamlit shows tracebacks to visitors by default; want none (false before 1.40)"}}
	case stUnknown, stSecret:
		return unresolvedSetting(envErrorDetails, p, st)
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "none", "false":
		return nil
	}
	return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s is %q; want none (false before 1.40)", envErrorDetails, v)}}
}

// checkAllowedHosts: the setting must be present, list exact names only
// and, when the stack's host is known, only that one. Streamlit reads the
// variable like corsAllowedOrigins (a list, whitespace-separated).
func checkAllowedHosts(r inventory.Resource, cfg Config) []Finding {
	v, p, st := appSetting(r, envHosts)
	switch st {
	case stMissing:
		return []Finding{{Property: p, Message: "App Setting " + envHosts + " is not set: Streamlit accepts a WebSocket with any Host header; want the app's own host name"}}
	case stUnknown, stSecret:
		return unresolvedSetting(envHosts, p, st)
	}
	raw := strings.NewReplacer("[", " ", "]", " ", `"`, " ", "'", " ", ",", " ").Replace(v)
	hosts := strings.Fields(raw)
	if len(hosts) == 0 {
		return []Finding{{Property: p, Message: "App Setting " + envHosts + " is empty, which turns the Host check off; want the app's own host name"}}
	}
	var bad []string
	for _, h := range hosts {
		l := strings.TrimSuffix(strings.ToLower(h), ".")
		switch {
		case strings.Contains(l, "*"):
			bad = append(bad, h+" (wildcard)")
		case len(cfg.AllowedHosts) > 0 && !slices.ContainsFunc(cfg.AllowedHosts, func(w string) bool { return strings.EqualFold(w, l) }):
			bad = append(bad, h+" (not the stack's host)")
		}
	}
	if len(bad) > 0 {
		want := "exact host names only"
		if len(cfg.AllowedHosts) > 0 {
			want = strings.Join(cfg.AllowedHosts, " ")
		}
		return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s admits %s; want %s", envHosts, strings.Join(bad, ", "), want)}}
	}
	return nil
}

func checkCORSOrigins(r inventory.Resource, _ Config) []Finding {
	v, p, st := appSetting(r, envCORSOrigins)
	switch st {
	case stMissing:
		return nil
	case stUnknown, stSecret:
		return unresolvedSetting(envCORSOrigins, p, st)
	}
	// Streamlit reads a list from the environment as JSON or comma/space separated.
	raw := strings.NewReplacer("[", " ", "]", " ", `"`, " ", "'", " ", ",", " ").Replace(v)
	var bad []string
	for _, o := range strings.Fields(raw) {
		l := strings.ToLower(o)
		if strings.Contains(l, "*") || l == "null" || !strings.HasPrefix(l, "https://") {
			bad = append(bad, o)
		}
	}
	if len(bad) > 0 {
		return []Finding{{Property: p, Message: fmt.Sprintf("App Setting %s admits %s; want only https:// origins", envCORSOrigins, strings.Join(bad, ", "))}}
	}
	return nil
}
