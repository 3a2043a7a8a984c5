// Package streamlit renders the Streamlit configuration that matches a
// stack: the app repo's .streamlit/config.toml, the same values as STREAMLIT_*
// App Settings for App Service (environment variables beat config.toml), and
// the App Service startup command. One list of option values (Entries) feeds
// every view, so the file and the App Settings cannot drift.
package streamlit

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"unicode/utf8"

	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// App Service facts (FACTS.md): the built-in Python images route to port
// 8000; the app must listen on every interface of the container.
const (
	Port    = 8000
	Address = "0.0.0.0"
)

// CookieSecretOption is Streamlit's option for the cookie signing secret. It
// is set only through an App Setting holding a Key Vault reference.
const CookieSecretOption = "server.cookieSecret"

//go:embed config.toml.tmpl
var configTemplate string

// parsedTemplate parses the embedded template once.
var parsedTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("config.toml").Parse(configTemplate)
})

// Runtime carries values known only at deploy time.
type Runtime struct {
	ExtraOrigins    []string // allowed origins known only at deploy time (https://<frontdoor endpoint host>)
	CookieSecretRef string   // value of the cookie-secret App Setting: a Key Vault reference "@Microsoft.KeyVault(SecretUri=...)"; "" = leave the setting out
	// AppHost is the Host header requests reach Streamlit with; it becomes
	// server.allowedHosts. "" = AppHostName(s), the web app's default host
	// name, which Front Door sends as the origin host header.
	AppHost string
}

// AppHostName is the default host name App Service gives the stack's web
// app: its explicit name under azurewebsites.net (components/appservice.go
// names the app s.ResourceName("app") and sets no regional unique host
// name). Front Door's origin uses it as host and origin host header
// (components/routing.go), so it is the only Host Streamlit sees.
func AppHostName(s *spec.Spec) string { return s.ResourceName("app") + ".azurewebsites.net" }

// Setting is one App Setting (environment variable) of the web app.
type Setting struct {
	Name, Value string
	Secret      bool // Secret => value masked when printed
}

// String prints the setting, masking secret values.
func (s Setting) String() string {
	if s.Secret {
		return s.Name + "=" + spec.Mask
	}
	return s.Name + "=" + s.Value
}

// Entry is one Streamlit option streamsec sets, its value and why.
type Entry struct {
	Option   string // section.option, e.g. server.enableCORS
	Title    string // what the setting ensures, a few words
	Value    any    // bool, int, string or []string, as Streamlit's type
	Why      string // one line for the config.toml comment
	Controls []string
}

// titles name what each emitted option ensures (report rule titles).
var titles = map[string]string{
	"global.developmentMode":            "development mode off",
	"server.headless":                   "headless server",
	"server.address":                    "listen address for App Service",
	"server.port":                       "port for App Service",
	"server.fileWatcherType":            "file watcher off",
	"server.runOnSave":                  "no rerun on save",
	"server.enableCORS":                 "WebSocket Origin check on",
	"server.corsAllowedOrigins":         "allowed origins",
	"browser.serverAddress":             "public host name",
	"server.enableXsrfProtection":       "XSRF protection on",
	"server.maxMessageSize":             "WebSocket message size limit",
	"server.maxUploadSize":              "upload size limit",
	"server.enableWebsocketCompression": "WebSocket compression off",
	"server.enableStaticServing":        "static file serving off",
	"server.websocketPingInterval":      "WebSocket heartbeat",
	"server.disconnectedSessionTTL":     "session lifetime after disconnect",
	"browser.gatherUsageStats":          "usage statistics off",
	"client.showErrorDetails":           "error details hidden",
	"client.toolbarMode":                "viewer toolbar",
	"server.xsrfCookieSameSite":         "XSRF cookie SameSite=Strict",
	"server.maxWidgetStateSize":         "client message and widget state limit",
	"server.allowedHosts":               "Host header allowlist",
	"server.enableAgentApi":             "agent API off",
}

// EnvName is the environment variable Streamlit reads for an option:
// "server.enableXsrfProtection" -> "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION".
func EnvName(option string) string { return streamlitopts.EnvName(option) }

// Entries derives every option value from the Spec, the runtime values and
// the option table of the Spec's Streamlit version. Options the version
// does not have are left out; a version streamsec does not know is an error.
func Entries(s *spec.Spec, rt Runtime) ([]Entry, error) {
	if s == nil {
		return nil, errors.New("no spec")
	}
	if err := streamlitopts.Supported(s.StreamlitVersion); err != nil {
		return nil, fmt.Errorf("streamlitVersion: %w", err)
	}
	v := streamlitopts.MustParse(s.StreamlitVersion)
	origins, err := allowedOrigins(s, rt)
	if err != nil {
		return nil, err
	}
	// The Spec validates ranges; the renderer still refuses values that
	// would make Streamlit misbehave if it is ever handed an unchecked Spec.
	for _, n := range []struct {
		key string
		v   int
	}{{"maxMessageSizeMb", s.MaxMessageSizeMB}, {"maxUploadSizeMb", s.MaxUploadSizeMB}, {"maxWidgetStateSizeMb", s.MaxWidgetStateSizeMB}, {"sessionTtlSeconds", s.SessionTTLSeconds}, {"pingIntervalSeconds", s.PingIntervalSeconds}} {
		if n.v < 1 {
			return nil, fmt.Errorf("%s = %d: must be a positive number", n.key, n.v)
		}
	}

	var out []Entry
	add := func(option string, value any, why string, controls ...string) {
		if _, ok := streamlitopts.Lookup(option, v); ok {
			out = append(out, Entry{Option: option, Title: titles[option], Value: value, Why: why, Controls: controls})
		}
	}
	add("global.developmentMode", false, "Development mode lets any client stop the server over the WebSocket and allows cross-origin requests.", "WS-EXP-01")

	add("server.headless", true, "No browser, no first-run email prompt on the server.")
	add("server.address", Address, "Listen on the container's interfaces; App Service routes to it.")
	add("server.port", Port, "App Service's built-in Python images forward to port 8000.")
	add("server.fileWatcherType", "none", "No file watcher in production (less CPU, no reload on changed files).")
	add("server.runOnSave", false, "Never rerun scripts because a file changed.")
	add("server.enableCORS", true, "Keep the Origin check on the WebSocket (cross-site WebSocket hijacking).", "WS-ORG-01", "WS-ORG-02")
	if _, ok := streamlitopts.Lookup("server.corsAllowedOrigins", v); ok {
		add("server.corsAllowedOrigins", origins, "The public origins browsers may open the WebSocket from.", "WS-ORG-01")
	}
	if host := serverAddress(s, origins, v); host != "" {
		add("browser.serverAddress", host, "The public host name: Streamlit allows WebSocket Origins with this host name.", "WS-ORG-01")
	}
	if _, ok := streamlitopts.Lookup("server.allowedHosts", v); ok {
		host, err := appHost(s, rt)
		if err != nil {
			return nil, err
		}
		add("server.allowedHosts", []string{host}, "Only the Host Front Door forwards (the app's own name): no DNS rebinding, no other names.", "WS-ORG-01")
	}
	add("server.enableXsrfProtection", true, "XSRF token on uploads and the session cookie.", "WS-ORG-03")
	add("server.xsrfCookieSameSite", "strict", "The XSRF cookie never travels on cross-site requests.", "WS-ORG-03")
	add("server.maxMessageSize", s.MaxMessageSizeMB, "Largest WebSocket message in MB (Streamlit's default 200 is far too high).", "WS-SIZE-01")
	add("server.maxUploadSize", s.MaxUploadSizeMB, "Largest file upload in MB (default 200).", "WS-SIZE-01")
	add("server.maxWidgetStateSize", s.MaxWidgetStateSizeMB, "Largest client-sent WebSocket message and widget state per rerun in MB (default 25).", "WS-SIZE-01")
	add("server.enableWebsocketCompression", false, "No permessage-deflate: compression leaks secrets (CRIME/BREACH).", "WS-CMP-01")
	add("server.enableStaticServing", false, "Do not serve the app's static/ folder.", "WS-EXP-01")
	add("server.enableAgentApi", false, "No agent API: clients without a browser cannot drive the app over /_stcore/agent/.", "WS-EXP-01")
	add("server.websocketPingInterval", s.PingIntervalSeconds, "Ping idle sockets in seconds, below Front Door's 5-minute idle timeout.", "WS-DOS-01")
	add("server.disconnectedSessionTTL", s.SessionTTLSeconds, "Seconds a session survives after its socket closed.", "WS-DOS-01")
	add("browser.gatherUsageStats", false, "No usage telemetry from the users' browsers.", "WS-EXP-01")
	if o, ok := streamlitopts.Lookup("client.showErrorDetails", v); ok {
		var off any = "none"
		if o.Kind == streamlitopts.Bool {
			off = false
		}
		add("client.showErrorDetails", off, "Tracebacks stay in the server log, not in the browser.", "WS-EXP-01")
	}
	add("client.toolbarMode", "viewer", "Viewers get no developer menu.", "WS-EXP-01")

	sort.SliceStable(out, func(i, j int) bool { return out[i].Option < out[j].Option })
	return out, nil
}

// appHost is the one name server.allowedHosts admits. It must be an exact
// host name: a wildcard (above all one over a shared domain such as
// *.azurewebsites.net) would admit every other tenant's names.
func appHost(s *spec.Spec, rt Runtime) (string, error) {
	host := rt.AppHost
	if host == "" {
		host = AppHostName(s)
	}
	if !validHost(host) {
		return "", fmt.Errorf("allowed host %s: must be one exact host name such as app.azurewebsites.net (letters, digits, hyphens and dots; no wildcard, port or scheme)", strconv.Quote(short(host)))
	}
	return strings.ToLower(host), nil
}

// validHost accepts DNS names and IPv4 literals: labels of letters, digits
// and hyphens, at most 253 bytes, no wildcard.
func validHost(h string) bool {
	if h == "" || len(h) > 253 || strings.HasSuffix(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// allowedOrigins joins the Spec's origins and the deploy-time ones,
// refusing anything that is not a plain https origin.
func allowedOrigins(s *spec.Spec, rt Runtime) ([]string, error) {
	out := []string{}
	for _, o := range append(s.Origins(), rt.ExtraOrigins...) {
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// checkOrigin accepts https://host[:port] with nothing else. The Spec
// already refuses worse; deploy-time origins come from Front Door.
func checkOrigin(o string) error {
	bad := func(why string) error {
		return fmt.Errorf("allowed origin %s: must be https://host or https://host:port (%s)", strconv.Quote(short(o)), why)
	}
	if !utf8.ValidString(o) || strings.ContainsFunc(o, func(r rune) bool { return r < 0x21 || r == 0x7f || strings.ContainsRune("\"'#[]\\<>*", r) }) {
		return bad("no spaces, quotes, #, brackets, wildcards or control characters")
	}
	u, err := url.Parse(o)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" {
		return bad("scheme https, a host, no path, query or user")
	}
	return nil
}

// serverAddress picks browser.serverAddress: the host of the custom domain
// (Streamlit compares Origin host names against it), or, on releases without
// server.corsAllowedOrigins, the first allowed origin's host since it is the
// only allowlist entry those releases have. "" leaves it unset.
func serverAddress(s *spec.Spec, origins []string, v streamlitopts.Version) string {
	// Origins lists https://domain first when there is a domain.
	if _, hasCORSList := streamlitopts.Lookup("server.corsAllowedOrigins", v); !hasCORSList && len(origins) > 0 {
		return hostOf(origins[0])
	}
	if s.Domain != "" {
		return hostOf("https://" + s.Domain)
	}
	return ""
}

func hostOf(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// short cuts s to 64 bytes on a rune boundary.
func short(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ConfigTOML renders .streamlit/config.toml. Values are encoded as TOML
// literals by tomlValue, so no Spec string can add or change a key. It never
// contains the cookie secret.
func ConfigTOML(s *spec.Spec, rt Runtime) ([]byte, error) {
	entries, err := Entries(s, rt)
	if err != nil {
		return nil, err
	}
	type tomlEntry struct{ Key, Value, Why string }
	type section struct {
		Name    string
		Entries []tomlEntry
	}
	// Streamlit's own section order, so the file reads like its docs.
	order := []string{"global", "server", "browser", "client"}
	bySection := map[string]*section{}
	for _, name := range order {
		bySection[name] = &section{Name: name}
	}
	for _, e := range entries {
		o, _ := streamlitopts.Lookup(e.Option, streamlitopts.MustParse(s.StreamlitVersion))
		sec, ok := bySection[o.Section()]
		if !ok {
			return nil, fmt.Errorf("option %s: section %q is not rendered", e.Option, o.Section())
		}
		sec.Entries = append(sec.Entries, tomlEntry{Key: o.Key(), Value: tomlValue(e.Value), Why: comment(e.Why)})
	}
	data := struct {
		Stack, Version, Unverified string
		Sections                   []section
	}{Stack: short(comment(s.Stack)), Version: short(comment(s.StreamlitVersion)),
		Unverified: comment(streamlitopts.UnverifiedNote(streamlitopts.MustParse(s.StreamlitVersion)))}
	for _, name := range order {
		if len(bySection[name].Entries) > 0 {
			data.Sections = append(data.Sections, *bySection[name])
		}
	}
	tmpl, err := parsedTemplate()
	if err != nil {
		return nil, fmt.Errorf("parse config.toml template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render config.toml: %w", err)
	}
	buf.WriteByte('\n')
	out := buf.Bytes()
	if secret := s.CookieSecret.Value(); secret != "" && bytes.Contains(out, []byte(secret)) {
		return nil, errors.New("render config.toml: the cookie secret would appear in the file; refusing")
	}
	return out, nil
}

// AppSettings returns the STREAMLIT_* App Settings carrying the same values
// as ConfigTOML, plus WEBSITES_PORT and the cookie secret's Key Vault
// reference, sorted by name.
func AppSettings(s *spec.Spec, rt Runtime) ([]Setting, error) {
	entries, err := Entries(s, rt)
	if err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(entries)+2)
	for _, e := range entries {
		out = append(out, Setting{Name: EnvName(e.Option), Value: EnvValue(e.Value)})
	}
	// Tells App Service which port the container listens on; the startup
	// command passes the same port to Streamlit.
	out = append(out, Setting{Name: "WEBSITES_PORT", Value: strconv.Itoa(Port)})
	if rt.CookieSecretRef != "" {
		if !IsKeyVaultReference(rt.CookieSecretRef) {
			return nil, errors.New("cookie secret App Setting: must be a Key Vault reference @Microsoft.KeyVault(SecretUri=...) or @Microsoft.KeyVault(VaultName=...;SecretName=...), never the secret itself")
		}
		out = append(out, Setting{Name: EnvName(CookieSecretOption), Value: rt.CookieSecretRef, Secret: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// IsKeyVaultReference reports whether v is an App Service Key Vault
// reference, the only form the cookie secret may take in App Settings:
// @Microsoft.KeyVault(SecretUri=https://<vault>/secrets/<name>[/<version>])
// or @Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>[;SecretVersion=<v>]).
func IsKeyVaultReference(v string) bool {
	inner, ok := strings.CutPrefix(v, "@Microsoft.KeyVault(")
	if !ok {
		return false
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok || strings.ContainsFunc(inner, func(r rune) bool { return r <= 0x20 || r == 0x7f || r == '(' || r == ')' }) {
		return false
	}
	if uri, ok := strings.CutPrefix(inner, "SecretUri="); ok {
		u, err := url.Parse(uri)
		return err == nil && u.Scheme == "https" && u.Host != "" && strings.HasPrefix(u.Path, "/secrets/") && len(u.Path) > len("/secrets/") && u.RawQuery == "" && u.User == nil
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(inner, ";") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || val == "" {
			return false
		}
		fields[k] = val
	}
	_, vault := fields["VaultName"]
	_, name := fields["SecretName"]
	return vault && name
}

// StartupCommand is the App Service startup command (siteConfig.appCommandLine).
func StartupCommand(s *spec.Spec) string {
	entry := "app.py"
	if s != nil && s.AppEntry != "" {
		entry = s.AppEntry
	}
	return fmt.Sprintf("python -m streamlit run %s --server.port %d --server.address %s", shellQuote(entry), Port, Address)
}

// shellQuote leaves plain paths alone and single-quotes anything else, so a
// hostile entry cannot add shell commands (App Service runs it via a shell).
func shellQuote(s string) string {
	plain := s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./-", r))
	}) && !strings.HasPrefix(s, "-")
	if plain {
		return s
	}
	if strings.HasPrefix(s, "-") {
		s = "./" + s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// EnvValue prints a value the way Streamlit's command line (click) parses
// it from an environment variable: booleans true/false, lists separated by
// spaces (click splits multiple-value variables on whitespace; checked with
// click 8.4, an empty value sets nothing).
func EnvValue(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	case []string:
		return strings.Join(x, " ")
	}
	return fmt.Sprint(v)
}

// tomlValue encodes v as a TOML literal. Strings become basic strings with
// every quote, backslash and control character escaped, so the result is
// always exactly one value on one line.
func tomlValue(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case string:
		return tomlString(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = tomlString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return tomlString(fmt.Sprint(v))
}

func tomlString(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// comment makes text safe inside a TOML comment: one line, printable.
func comment(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
	return s
}
