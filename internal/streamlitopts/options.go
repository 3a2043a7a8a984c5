package streamlitopts

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// Kind is the TOML/Python type an option takes.
type Kind int

const (
	Bool Kind = iota
	Int
	String
	List // list of strings
)

func (k Kind) String() string {
	switch k {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case List:
		return "list of strings"
	default:
		return "string"
	}
}

// Option is one Streamlit configuration option streamsec emits or audits,
// with the first release that has it and where that was read.
type Option struct {
	Name  string // section.option as in config.toml, e.g. server.enableCORS
	Kind  Kind
	Since Version // first release with the option
	// Until, when not zero, is the first release without this form
	// (removed or changed type; the next row carries the new form).
	Until Version
	// Default is Streamlit's own default, as a display string.
	Default string
	// Source names the file and release it was read in (streamlit/streamlit).
	Source string
}

// Has reports whether release v knows the option.
func (o Option) Has(v Version) bool {
	if v.Less(o.Since) {
		return false
	}
	return o.Until == (Version{}) || v.Less(o.Until)
}

// Section is the TOML table the option lives in ("server").
func (o Option) Section() string {
	s, _, _ := strings.Cut(o.Name, ".")
	return s
}

// Key is the option's name inside its table ("enableCORS").
func (o Option) Key() string {
	_, k, _ := strings.Cut(o.Name, ".")
	return k
}

// table lists every option streamsec emits or audits. Rows for one name
// never overlap in releases. Keep Source exact: it is the evidence that the
// option exists in that form. Every row was read in the wheels PyPI serves
// (`pip download --no-deps streamlit==X`, streamlit/config.py and the server
// modules named); scripts/streamlit-options.sh re-checks the option sets of
// any releases against their wheels. "first in X (absent in Y)" names the
// two adjacent releases whose wheels bound the change.
func table() []Option {
	const at139 = "streamlit-1.39.0 wheel: streamlit/config.py"
	first := func(v, before, note string) string {
		s := "first in the streamlit-" + v + " wheel (absent in " + before + "): streamlit/config.py"
		if note != "" {
			s += "; " + note
		}
		return s
	}
	base := MustParse(Minimum)
	return []Option{
		{Name: "global.developmentMode", Kind: Bool, Since: base, Default: "true unless installed in site-packages", Source: at139 + " (hidden option); unchanged through 1.67.0"},
		{Name: "server.headless", Kind: Bool, Since: base, Default: "true on Linux without DISPLAY", Source: at139},
		{Name: "server.address", Kind: String, Since: base, Default: "(all interfaces)", Source: at139},
		{Name: "server.port", Kind: Int, Since: base, Default: "8501", Source: at139},
		{Name: "server.fileWatcherType", Kind: String, Since: base, Default: "auto", Source: at139 + " (auto|watchdog|poll|none)"},
		{Name: "server.runOnSave", Kind: Bool, Since: base, Default: "false", Source: at139},
		{Name: "server.enableCORS", Kind: Bool, Since: base, Default: "true", Source: at139 + "; streamlit/web/server/browser_websocket_handler.py check_origin -> server_util.is_url_from_allowed_origins (false allows every Origin); 1.57.0+: streamlit/web/server/starlette/starlette_websocket.py _is_origin_allowed, same server_util check (read in 1.61.0 and 1.67.0)"},
		{Name: "server.corsAllowedOrigins", Kind: List, Since: MustParse("1.46.0"), Default: "[]", Source: first("1.46.0", "1.45.1", "streamlit/web/server/server_util.py is_url_from_allowed_origins compares host names only")},
		{Name: "server.enableXsrfProtection", Kind: Bool, Since: base, Default: "true", Source: at139},
		{Name: "server.cookieSecret", Kind: String, Since: base, Default: "random per process", Source: at139 + " (sensitive: read from STREAMLIT_SERVER_COOKIE_SECRET by _update_config_with_sensitive_env_var, refused as a CLI flag)"},
		{Name: "server.maxUploadSize", Kind: Int, Since: base, Default: "200", Source: at139 + " (MB)"},
		{Name: "server.maxMessageSize", Kind: Int, Since: base, Default: "200", Source: at139 + " (MB; 1.57.0+ passed to uvicorn as ws_max_size = MB * 10^6, streamlit/web/server/starlette/starlette_server.py in 1.61.0)"},
		{Name: "server.enableWebsocketCompression", Kind: Bool, Since: base, Default: "false", Source: at139 + " (1.57.0+ uvicorn ws_per_message_deflate, starlette_server.py in 1.61.0)"},
		{Name: "server.websocketPingInterval", Kind: Int, Since: MustParse("1.48.0"), Default: "unset (Streamlit picks 30 s on Tornado 6.5+)", Source: first("1.48.0", "1.47.1", "int seconds, default None") + " (the old note from release notes said 1.49.0; the wheels say 1.48.0)"},
		{Name: "server.enableStaticServing", Kind: Bool, Since: base, Default: "false", Source: at139},
		{Name: "server.disconnectedSessionTTL", Kind: Int, Since: base, Default: "120", Source: at139 + " (seconds)"},
		{Name: "server.useStarlette", Kind: Bool, Since: MustParse("1.53.0"), Until: MustParse("1.57.0"), Default: "false", Source: first("1.53.0", "1.52.2", "opt-in Starlette server") + "; gone in the streamlit-1.57.0 wheel (present in 1.56.0): Starlette is the only server. Audited, never emitted"},
		{Name: "server.unsafeMetricsUserAttributes", Kind: List, Since: MustParse("1.59.0"), Default: "[]", Source: first("1.59.0", "1.58.0", "hidden; listed st.user attributes are published in plain text on the unauthenticated /_stcore/metrics endpoint") + ". Audited, never emitted"},
		{Name: "server.xsrfCookieSameSite", Kind: String, Since: MustParse("1.59.0"), Default: "lax", Source: first("1.59.0", "1.58.0", "lax|strict|none, anything else refused at start-up; streamlit/web/server/starlette/starlette_routes.py (1.67.0) sets Secure only with server.sslCertFile or SameSite=None")},
		{Name: "server.maxWidgetStateSize", Kind: Int, Since: MustParse("1.60.0"), Default: "25", Source: first("1.60.0", "1.59.2", "hidden, MB (10^6 bytes, streamlit/runtime/runtime_util.py); bounds every client-sent WebSocket frame (starlette_websocket.py closes with 1009) and the widget state of one rerun")},
		{Name: "server.allowedHosts", Kind: List, Since: MustParse("1.61.0"), Default: "[] (no Host check)", Source: first("1.61.0", "1.60.0", "Host header allowlist for the WebSocket (and the agent API in 1.67.0): exact names or *.suffix, * for any, ports ignored, empty = every Host (starlette_websocket.py _is_host_allowed)")},
		{Name: "server.enableAgentApi", Kind: Bool, Since: MustParse("1.67.0"), Default: "false", Source: first("1.67.0", "1.66.1", "experimental: POST /_stcore/agent/interact and /_stcore/agent/mcp drive the app without a browser; streamlit/web/server/starlette/starlette_agent_routes.py registers the three /_stcore/agent/ routes always (openapi.json answers even when off)")},
		{Name: "browser.serverAddress", Kind: String, Since: base, Default: "localhost", Source: at139 + "; server_util._get_server_address_if_manually_set adds its host name to the Origin allowlist (same in 1.67.0)"},
		{Name: "browser.gatherUsageStats", Kind: Bool, Since: base, Default: "true", Source: at139},
		{Name: "client.showErrorDetails", Kind: Bool, Since: base, Until: MustParse("1.41.0"), Default: "true", Source: at139 + " (bool; false still shows the exception type and traceback); still bool in the streamlit-1.40.2 wheel"},
		{Name: "client.showErrorDetails", Kind: String, Since: MustParse("1.41.0"), Default: "full", Source: "a string from the streamlit-1.41.0 wheel (bool in 1.40.2): streamlit/config.py, full|stacktrace|type|none (true/false deprecated); unchanged through 1.67.0"},
		{Name: "client.toolbarMode", Kind: String, Since: base, Default: "auto", Source: at139 + " (auto|developer|viewer|minimal)"},
	}
}

// options is the table, built once; callers get copies.
var options = sync.OnceValue(table)

// Options returns the table, sorted by name then release.
func Options() []Option {
	t := slices.Clone(options())
	sort.SliceStable(t, func(i, j int) bool {
		if t[i].Name != t[j].Name {
			return t[i].Name < t[j].Name
		}
		return t[i].Since.Less(t[j].Since)
	})
	return t
}

// Lookup returns the form of option name that release v has; ok is false
// when v does not have the option or streamsec does not know it.
func Lookup(name string, v Version) (Option, bool) {
	for _, o := range options() {
		if o.Name == name && o.Has(v) {
			return o, true
		}
	}
	return Option{}, false
}

// Known reports whether streamsec knows option name in any release.
func Known(name string) bool {
	for _, o := range options() {
		if o.Name == name {
			return true
		}
	}
	return false
}

// EnvName is the environment variable Streamlit reads for an option, built
// the way Streamlit builds it (ConfigOption.env_var: "STREAMLIT_" + the key
// with "." -> "_", camelCase -> snake_case, upper-cased):
// server.enableXsrfProtection -> STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION.
//
// Streamlit does the camelCase step with two regular expressions,
// (.)([A-Z][a-z]+) and then ([a-z0-9])([A-Z]), each replaced by "\1_\2".
// They are written out here as two scans: a plan asks for some ninety names
// and the regexps were 1% of it (issue 16). FuzzEnvName holds the scans to
// the regexps.
func EnvName(option string) string {
	name := strings.ReplaceAll(option, ".", "_")
	name = snakeWords(name)
	name = snakeTail(name)
	return "STREAMLIT_" + strings.ToUpper(name)
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// snakeWords is (.)([A-Z][a-z]+) -> \1_\2: a "_" before each capitalised
// word that follows any character but a newline, matches not overlapping
// (the character before the word is consumed, so it cannot end a previous
// match).
func snakeWords(s string) string {
	var b strings.Builder
	pos := 0
	for j := 1; j+1 < len(s); j++ {
		if j <= pos || s[j-1] == '\n' || !isUpper(s[j]) || !isLower(s[j+1]) {
			continue
		}
		end := j + 1
		for end < len(s) && isLower(s[end]) {
			end++
		}
		b.WriteString(s[pos:j])
		b.WriteByte('_')
		b.WriteString(s[j:end])
		pos, j = end, end-1
	}
	if pos == 0 {
		return s
	}
	b.WriteString(s[pos:])
	return b.String()
}

// snakeTail is ([a-z0-9])([A-Z]) -> \1_\2: a "_" between a lower-case
// letter or digit and the capital after it. The capital a match consumes
// could not start the next one, so no position needs skipping.
func snakeTail(s string) string {
	var b strings.Builder
	pos := 0
	for j := 1; j < len(s); j++ {
		if c := s[j-1]; isUpper(s[j]) && (isLower(c) || '0' <= c && c <= '9') {
			b.WriteString(s[pos:j])
			b.WriteByte('_')
			pos = j
		}
	}
	if pos == 0 {
		return s
	}
	b.WriteString(s[pos:])
	return b.String()
}
