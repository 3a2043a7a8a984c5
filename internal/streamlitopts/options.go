package streamlitopts

import (
	"regexp"
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
// option exists in that form.
func table() []Option {
	// Read in the streamlit/streamlit repository at tag 1.39.0 (the oldest
	// release streamsec supports): every option below exists there.
	const at139 = "lib/streamlit/config.py @1.39.0"
	// Read in a later lib/streamlit/config.py (after 1.49, with
	// websocketPingInterval and without server.allowedHosts).
	const later = "lib/streamlit/config.py after 1.49"
	base := MustParse(Minimum)
	return []Option{
		{Name: "global.developmentMode", Kind: Bool, Since: base, Default: "true unless installed in site-packages", Source: at139 + " (hidden option)"},
		{Name: "server.headless", Kind: Bool, Since: base, Default: "true on Linux without DISPLAY", Source: at139},
		{Name: "server.address", Kind: String, Since: base, Default: "(all interfaces)", Source: at139},
		{Name: "server.port", Kind: Int, Since: base, Default: "8501", Source: at139},
		{Name: "server.fileWatcherType", Kind: String, Since: base, Default: "auto", Source: at139 + " (auto|watchdog|poll|none)"},
		{Name: "server.runOnSave", Kind: Bool, Since: base, Default: "false", Source: at139},
		{Name: "server.enableCORS", Kind: Bool, Since: base, Default: "true", Source: at139 + "; lib/streamlit/web/server/browser_websocket_handler.py check_origin -> server_util.is_url_from_allowed_origins (false allows every Origin)"},
		{Name: "server.corsAllowedOrigins", Kind: List, Since: MustParse("1.46.0"), Default: "[]", Source: "absent @1.39.0; " + later + " and lib/streamlit/web/server/server_util.py (host names of the listed origins join the WebSocket Origin allowlist); added by streamlit PR #11377 (May 2025, after 1.45.1): first release 1.46.0 inferred from the merge date"},
		{Name: "server.enableXsrfProtection", Kind: Bool, Since: base, Default: "true", Source: at139},
		{Name: "server.cookieSecret", Kind: String, Since: base, Default: "random per process", Source: at139 + " (sensitive: read from STREAMLIT_SERVER_COOKIE_SECRET by _update_config_with_sensitive_env_var, refused as a CLI flag)"},
		{Name: "server.maxUploadSize", Kind: Int, Since: base, Default: "200", Source: at139 + " (MB)"},
		{Name: "server.maxMessageSize", Kind: Int, Since: base, Default: "200", Source: at139 + " (MB)"},
		{Name: "server.enableWebsocketCompression", Kind: Bool, Since: base, Default: "false", Source: at139},
		{Name: "server.websocketPingInterval", Kind: Int, Since: MustParse("1.49.0"), Default: "unset (Streamlit picks 30 s on Tornado 6.5+)", Source: "absent @1.39.0; " + later + " (int seconds, under 30 breaks on Tornado 6.5+); added by streamlit PR #12117, listed in the 1.49.0 release notes"},
		{Name: "server.enableStaticServing", Kind: Bool, Since: base, Default: "false", Source: at139},
		{Name: "server.disconnectedSessionTTL", Kind: Int, Since: base, Default: "120", Source: at139 + " (seconds)"},
		{Name: "browser.serverAddress", Kind: String, Since: base, Default: "localhost", Source: at139 + "; server_util._get_server_address_if_manually_set adds its host name to the Origin allowlist"},
		{Name: "browser.gatherUsageStats", Kind: Bool, Since: base, Default: "true", Source: at139},
		{Name: "client.showErrorDetails", Kind: Bool, Since: base, Until: MustParse("1.41.0"), Default: "true", Source: at139 + " (bool; false still shows the exception type and traceback)"},
		{Name: "client.showErrorDetails", Kind: String, Since: MustParse("1.41.0"), Default: "full", Source: later + " (full|stacktrace|type|none; true/false deprecated); changed by streamlit PR #9909, 1.41.0 release notes"},
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

var (
	reCamelWord = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	reCamelTail = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// EnvName is the environment variable Streamlit reads for an option, built
// the way Streamlit builds it (ConfigOption.env_var: "STREAMLIT_" + the key
// with "." -> "_", camelCase -> snake_case, upper-cased):
// server.enableXsrfProtection -> STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION.
func EnvName(option string) string {
	name := strings.ReplaceAll(option, ".", "_")
	name = reCamelWord.ReplaceAllString(name, "${1}_${2}")
	name = reCamelTail.ReplaceAllString(name, "${1}_${2}")
	return "STREAMLIT_" + strings.ToUpper(name)
}
