package streamlit

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// MaxConfigSize bounds what Audit reads. A Streamlit config is a few kB;
// the cap keeps pathological TOML (a key with 30 000 dotted parts makes the
// parser work quadratically) to milliseconds.
const MaxConfigSize = 64 << 10

// State is what Audit concluded about one option.
type State string

const (
	StateOK      State = "ok"
	StateWeak    State = "weak"    // set to a weaker value than the baseline
	StateMissing State = "missing" // not set: Streamlit's default applies
)

// Finding is the verdict on one option of an audited config.toml.
type Finding struct {
	Option    string   `json:"option"`
	Title     string   `json:"title,omitempty"`
	State     State    `json:"state"`
	Mandatory bool     `json:"mandatory"` // a weak mandatory setting fails the audit
	Controls  []string `json:"controls,omitempty"`
	// Found is the value as written (TOML), "" when missing; secrets are
	// never shown.
	Found string `json:"found,omitempty"`
	Line  int    `json:"line,omitempty"`
	// Want is the line to write instead, under its [section].
	Want    string `json:"want,omitempty"`
	Section string `json:"section"`
	Why     string `json:"why"`
}

// Failed reports whether the finding must make the audit fail.
func (f Finding) Failed() bool { return f.State != StateOK && f.Mandatory }

// SyntaxError is a config.toml that is not valid TOML.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not valid TOML at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Parse reads a config.toml into "section.option" -> value (go-toml types:
// bool, int64, float64, string, []any, ...) and the line of each key.
func Parse(data []byte) (values map[string]any, lines map[string]int, err error) {
	if len(data) > MaxConfigSize {
		return nil, nil, fmt.Errorf("%d bytes: larger than %d bytes, not a Streamlit config", len(data), MaxConfigSize)
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, nil, &SyntaxError{Line: line, Column: col, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return nil, nil, &SyntaxError{Line: 1, Column: 1, Msg: err.Error()}
	}
	values = map[string]any{}
	for section, v := range doc {
		opts, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for name, val := range opts {
			values[section+"."+name] = val
		}
	}
	return values, keyLines(data), nil
}

// keyLines finds the line of every two-level key ("server.enableCORS"),
// whether written under [server], as a dotted key or in an inline table.
// It is best effort: a key it cannot place has no line.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	p := unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
		case unstable.KeyValue:
			key := append(append([]string{}, table...), keyParts(e.Key())...)
			line := 0
			if it := e.Key(); it.Next() {
				line = p.Shape(it.Node().Raw).Start.Line
			}
			record(lines, key, line, e.Value(), &p)
		}
	}
	return lines
}

func record(lines map[string]int, key []string, line int, value *unstable.Node, p *unstable.Parser) {
	if len(key) == 2 {
		k := key[0] + "." + key[1]
		if _, seen := lines[k]; !seen {
			lines[k] = line
		}
		return
	}
	if len(key) == 1 && value != nil && value.Kind == unstable.InlineTable {
		it := value.Children()
		for it.Next() {
			kv := it.Node()
			inner := keyParts(kv.Key())
			l := line
			if k := kv.Key(); k.Next() {
				l = p.Shape(k.Node().Raw).Start.Line
			}
			record(lines, append(append([]string{}, key...), inner...), l, nil, p)
		}
	}
}

func keyParts(it unstable.Iterator) []string {
	var out []string
	for it.Next() {
		out = append(out, string(it.Node().Data))
	}
	return out
}

// Audit judges an existing config.toml against the baseline streamsec
// renders for the Spec: every option the baseline sets, plus a cookie
// secret written into the file. Findings are sorted by option. A file that
// is not TOML returns a *SyntaxError.
func Audit(data []byte, s *spec.Spec, rt Runtime) ([]Finding, error) {
	return audit(data, s, rt, false)
}

// AuditStandalone judges a config.toml on its own, for a file with no
// stack to compare it with (render --check without --stack): value types,
// the mandatory settings at streamsec's defaults (spec.Defaults, the option
// table of version, or of the default Streamlit release when version is
// ""), and an origin allowlist of plain https origins without wildcards.
// It never asks for a stack's origins and never advises an empty list.
func AuditStandalone(data []byte, version string) ([]Finding, error) {
	s := spec.Defaults()
	s.Stack = ""
	if version != "" {
		s.StreamlitVersion = version
	}
	// No stack names the app's host: the file's own single exact host is
	// taken (a list, a wildcard or no entry is still judged), else a
	// placeholder, so the default Spec's empty app name is never used.
	rt := Runtime{AppHost: "app.azurewebsites.net"}
	if values, _, err := Parse(data); err == nil {
		if list, ok := values["server.allowedHosts"].([]any); ok && len(list) == 1 {
			if h, ok := list[0].(string); ok && h != "" && !strings.ContainsAny(h, "*:/ ") {
				rt.AppHost = h
			}
		}
	}
	return audit(data, &s, rt, true)
}

func audit(data []byte, s *spec.Spec, rt Runtime, standalone bool) ([]Finding, error) {
	if standalone {
		// A stand-in the renderer accepts; the finding names no host.
		rt.AppHost = "app.azurewebsites.net"
	}
	entries, err := Entries(s, rt)
	if err != nil {
		return nil, err
	}
	values, lines, err := Parse(data)
	if err != nil {
		return nil, err
	}
	v := streamlitopts.MustParse(s.StreamlitVersion)
	var out []Finding
	for _, e := range entries {
		o, _ := streamlitopts.Lookup(e.Option, v)
		f := Finding{
			Option:   e.Option,
			Title:    e.Title,
			Section:  o.Section(),
			Controls: e.Controls,
			Want:     o.Key() + " = " + tomlValue(e.Value),
			Why:      e.Why,
		}
		raw, present := values[e.Option]
		if present {
			f.Found = o.Key() + " = " + shown(raw)
			f.Line = lines[e.Option]
		}
		switch {
		case e.Option == "server.corsAllowedOrigins":
			judgeAllowlist(&f, e.Value.([]string), raw, present, s.Stack, standalone)
		case e.Option == "server.allowedHosts" && standalone:
			// No stack, so no host to compare with: exact names only.
			f.State, f.Mandatory = StateOK, true
			judgeHosts(&f, nil, raw, present)
			f.Want = f.Key() + ` = ["<your app>.azurewebsites.net"]`
		default:
			judge(&f, e, raw, present, o)
		}
		out = append(out, f)
	}
	out = append(out, versionFindings(values, lines, v)...)
	// Streamlit resolves "env:NAME" values from the environment, so such a
	// line names a variable instead of holding the secret.
	if raw, present := values[CookieSecretOption]; present && !isEnvIndirection(raw) {
		out = append(out, Finding{
			Option: CookieSecretOption, Title: "no cookie secret in the file", Section: "server", State: StateWeak, Mandatory: true,
			Controls: []string{"WS-NET-02"}, Found: "cookieSecret = " + spec.Mask, Line: lines[CookieSecretOption],
			Want: "(delete the line; rotate the secret, it is in the repository's history)",
			Why:  "The cookie signing secret is committed with the app; anyone with the repository can forge Streamlit cookies. streamsec passes it from Key Vault as STREAMLIT_SERVER_COOKIE_SECRET.",
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Option < out[j].Option })
	return out, nil
}

// versionFindings judges what the file sets beyond the baseline, per
// release: options this release does not have (it logs "is not a valid
// config option" and ignores them, config.py _update_config_with_toml, so
// a protection written there does nothing; a misspelt name is the same),
// and the audit-only options that weaken the app.
func versionFindings(values map[string]any, lines map[string]int, v streamlitopts.Version) []Finding {
	var out []Finding
	for name, raw := range values {
		if name == CookieSecretOption {
			continue
		}
		known := streamlitopts.Known(name)
		if !known && streamlitopts.InRelease(name, v) != streamlitopts.Absent {
			continue // an option of this release streamsec does not judge
		}
		section, key, _ := strings.Cut(name, ".")
		f := Finding{Option: name, Section: section, Found: key + " = " + shown(raw), Line: lines[name], Want: "(delete the line)"}
		o, has := streamlitopts.Lookup(name, v)
		switch {
		case !known:
			f.Title, f.State = "option this release does not have", StateWeak
			f.Why = fmt.Sprintf("Streamlit %s has no option %s (it is not in that release's config.py): Streamlit logs a warning and ignores the line. A misspelt option name does nothing.", v, name)
		case !has:
			f.Title, f.State = "option this release does not have", StateWeak
			f.Why = fmt.Sprintf("Streamlit %s has no option %s: it logs a warning and ignores the line, so whatever it should enforce is not enforced.", v, name)
			if since := firstRelease(name); since != "" {
				f.Why += " It exists in " + since + "."
			}
		case o.Name == "server.unsafeMetricsUserAttributes":
			if list, ok := raw.([]any); ok && len(list) == 0 {
				continue
			}
			f.Title, f.State, f.Mandatory, f.Controls = "no user attributes in metrics", StateWeak, true, []string{"WS-EXP-01"}
			f.Why = "Publishes the listed st.user attributes (e-mail addresses, names) in plain text on /_stcore/metrics, which has no authentication (config.py 1.59+)."
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// firstRelease names the releases that have option name, for advice.
func firstRelease(name string) string {
	var spans []string
	for _, o := range streamlitopts.Options() {
		if o.Name != name {
			continue
		}
		if o.Until == (streamlitopts.Version{}) {
			spans = append(spans, o.Since.String()+" and newer")
		} else {
			spans = append(spans, o.Since.String()+" up to before "+o.Until.String())
		}
	}
	return strings.Join(spans, ", ")
}

// judge sets State and Mandatory for one option.
func judge(f *Finding, e Entry, raw any, present bool, o streamlitopts.Option) {
	weak := func(mandatory bool, why string) {
		f.State, f.Mandatory = StateWeak, mandatory
		if why != "" {
			f.Why = why
		}
	}
	missing := func(mandatory bool, why string) {
		f.State, f.Mandatory = StateMissing, mandatory
		if why != "" {
			f.Why = why
		}
	}
	f.State = StateOK
	switch e.Option {
	case "server.enableCORS":
		f.Mandatory = true
		if present && !isBool(raw, true) {
			weak(true, "enableCORS = false accepts WebSocket handshakes from every Origin: any site a signed-in user visits can drive the app (cross-site WebSocket hijacking). Streamlit's start-up warning says XSRF protection turns it back on; it only logs (config.py _check_conflicts). Allow the public origin instead.")
		}
	case "server.enableXsrfProtection":
		f.Mandatory = true
		if present && !isBool(raw, true) {
			weak(true, "Without XSRF protection uploads and session requests can be forged from other sites.")
		}
	case "server.enableWebsocketCompression":
		f.Mandatory = true
		if present && !isBool(raw, false) {
			weak(true, "permessage-deflate lets an attacker who injects text learn secrets from compressed sizes (CRIME/BREACH); it also costs CPU per message.")
		}
	case "global.developmentMode":
		f.Mandatory = true
		if present && !isBool(raw, false) {
			weak(true, "In development mode any client can shut the server down with a debug_shutdown_runtime WebSocket message, HTTP endpoints allow cross-origin requests and the app's frontend is expected from a dev server (browser_websocket_handler.py, routes.py @1.39.0). Never in production.")
		} else if !present {
			missing(false, "Not pinned: Streamlit turns development mode on when it is not installed from site-packages. Pin it off.")
		}
	case "server.maxMessageSize", "server.maxUploadSize":
		f.Mandatory = true
		limit := e.Value.(int)
		n, ok := asInt(raw)
		switch {
		case !present:
			missing(true, fmt.Sprintf("Not set: Streamlit's default is 200 MB; the stack allows %d MB.", limit))
		case !ok || n < 1 || n > int64(limit):
			weak(true, fmt.Sprintf("Above the stack's limit of %d MB (Streamlit's default 200 MB lets one client push huge frames; the guide asks for about 1 MB).", limit))
		}
	case "client.showErrorDetails":
		f.Mandatory = true
		if !present {
			missing(true, "Not set: Streamlit shows full exception messages and tracebacks in the browser by default.")
			break
		}
		if o.Kind == streamlitopts.Bool {
			// 1.39/1.40 only know true/false; a string such as "none" is
			// truthy in Python and shows everything.
			if !isBool(raw, false) {
				weak(true, "This Streamlit release only knows true/false; anything but false shows full error details in the browser.")
			}
			break
		}
		str, isStr := raw.(string)
		switch {
		case isStr && str == "none":
		case isStr && (str == "stacktrace" || str == "type" || str == "false" || str == "False"), isBool(raw, false):
			weak(false, "Still shows exception types or tracebacks in the browser; \"none\" keeps them in the server log.")
		default:
			weak(true, "Shows exception messages and tracebacks (file paths, code, data) to every visitor.")
		}
	case "server.allowedHosts":
		f.Mandatory = true
		judgeHosts(f, e.Value.([]string), raw, present)
	case "server.xsrfCookieSameSite":
		str, isStr := raw.(string)
		switch {
		case !present:
			missing(false, "Not set: Streamlit's default SameSite=Lax still sends the XSRF cookie on cross-site top-level navigations; strict keeps it same-site.")
		case !isStr || !slices.Contains([]string{"lax", "strict", "none"}, strings.ToLower(str)):
			weak(true, "Streamlit accepts only lax, strict or none here and refuses to start otherwise (config.py _check_conflicts).")
		case strings.EqualFold(str, "none"):
			weak(true, "SameSite=None sends the XSRF cookie on every cross-site request, so only the token check stands between another site and the app's uploads; it is meant for cross-origin iframes, which the stack forbids (frame-ancestors 'none').")
		case strings.EqualFold(str, "lax"):
			weak(false, "Lax sends the XSRF cookie on cross-site top-level navigations; strict keeps it same-site.")
		}
	case "server.maxWidgetStateSize":
		f.Mandatory = true
		limit := e.Value.(int)
		n, ok := asInt(raw)
		switch {
		case !present:
			missing(true, fmt.Sprintf("Not set: Streamlit accepts client messages and widget state of 25 MB; the stack allows %d MB.", limit))
		case !ok || n < 1 || n > int64(limit):
			weak(true, fmt.Sprintf("Above the stack's limit of %d MB: every client-sent WebSocket message and the widget state of one rerun may be that large (Streamlit's default is 25 MB).", limit))
		}
	case "server.enableAgentApi":
		f.Mandatory = true
		if present && !isBool(raw, false) {
			weak(true, "The agent API lets any client that reaches the app drive it over HTTP (/_stcore/agent/interact) or MCP (/_stcore/agent/mcp) without a browser, outside the WebSocket's Origin check for non-browser callers; the stack's WAF blocks /_stcore/agent/ anyway.")
		}
	case "browser.serverAddress":
		want := e.Value.(string)
		str, ok := raw.(string)
		switch {
		case !present:
			missing(false, "Not set: Streamlit only allows localhost and the server's own addresses, so users behind Front Door are refused.")
		case !ok || serverHost(str) != want:
			weak(true, "Streamlit allows WebSocket Origins whose host is browser.serverAddress; this host is not one of the stack's public origins.")
		}
	case "server.websocketPingInterval":
		n, ok := asInt(raw)
		switch {
		case !present:
			missing(false, "Not set: the ping interval depends on the Tornado version; set it below Front Door's 5-minute idle timeout.")
		case !ok || n < 30 || n > 240:
			weak(false, "Under 30 s breaks connections on Tornado 6.5+; over 240 s lets Front Door's 5-minute idle timeout cut live sessions.")
		}
	case "server.disconnectedSessionTTL":
		n, ok := asInt(raw)
		switch {
		case !present:
			missing(false, "")
		case !ok || n < 1 || n > int64(e.Value.(int)):
			weak(false, fmt.Sprintf("Sessions outlive their socket longer than the stack's %d s.", e.Value.(int)))
		}
	case "server.enableStaticServing":
		if present && !isBool(raw, false) {
			weak(false, "Serves every file in the app's static/ folder to anyone; make sure nothing sensitive is there, or turn it off.")
		}
	case "browser.gatherUsageStats":
		if !present || !isBool(raw, false) {
			f.State, f.Mandatory = stateOf(present), false
			f.Why = "Browsers send usage statistics to Streamlit; turn it off for an internal dashboard."
		}
	default:
		// Operational options (address, port, headless, file watcher,
		// runOnSave, toolbarMode): App Service's settings win anyway, so a
		// difference is advisory.
		if !present || !sameValue(raw, e.Value) {
			f.State, f.Mandatory = stateOf(present), false
		}
	}
}

// judgeAllowlist judges server.corsAllowedOrigins against the stack's
// origins, or on its own. Its advice always names origins: behind Front
// Door an empty allowlist refuses every real user, which is what pushes
// people to enableCORS = false.
func judgeAllowlist(f *Finding, want []string, raw any, present bool, stack string, standalone bool) {
	f.State, f.Mandatory = StateOK, true
	if standalone {
		judgeOriginsAlone(f, raw, present)
		f.Want = f.Key() + ` = ["https://<your public host>"]`
		return
	}
	judgeOrigins(f, want, raw, present)
	if len(want) == 0 {
		// A stack without a custom domain: its one origin is the Front
		// Door endpoint, whose host exists only after deploy.
		f.Want = f.Key() + ` = ["https://<` + stack + ` Front Door endpoint host>"]`
		if f.State != StateOK {
			f.Why += " The " + stack + " stack has no custom domain: its origin is its Front Door endpoint, known after deploy (`streamsec outputs --stack " + stack + "` prints frontDoorEndpointHost); judge against it with --origin https://<that host>."
		}
	}
}

// Key is the option's name inside its [section].
func (f Finding) Key() string { return strings.TrimPrefix(f.Option, f.Section+".") }

// judgeOriginsAlone: with no stack to compare with, every entry must be a
// plain https origin (no wildcard, no http://); an empty or missing list
// only locks users out, so it is advisory.
func judgeOriginsAlone(f *Finding, raw any, present bool) {
	list, ok := raw.([]any)
	if !present || !ok {
		judgeOrigins(f, []string{"https://<your public host>"}, raw, present)
		return
	}
	var bad []string
	for _, item := range list {
		o, isString := item.(string)
		if !isString || checkOrigin(strings.TrimSpace(o)) != nil {
			bad = append(bad, shown(item))
		}
	}
	switch {
	case len(bad) > 0:
		f.State, f.Mandatory = StateWeak, true
		f.Why = "Allows WebSocket handshakes from entries that are not plain https origins: " + strings.Join(bad, ", ") + ". A wildcard, http:// or malformed entry admits origins nobody vetted (CSWSH); list https://host[:port] only."
	case len(list) == 0:
		f.State, f.Mandatory = StateWeak, false
		f.Why = "Lists no origin: behind Front Door every real user is refused, which tempts people to set enableCORS = false; list the public origin(s) browsers use."
	}
}

func stateOf(present bool) State {
	if present {
		return StateWeak
	}
	return StateMissing
}

// judgeOrigins: every listed origin must be one of the stack's origins
// (a Front Door endpoint host is allowed but flagged); missing public
// origins are advisory since they only lock real users out.
func judgeOrigins(f *Finding, want []string, raw any, present bool) {
	if !present {
		f.State, f.Mandatory = StateMissing, false
		f.Why = "Not set: only localhost and the server's own addresses are allowed, so users behind Front Door are refused and someone will be tempted to set enableCORS = false."
		if len(want) == 0 {
			f.State = StateOK
		}
		return
	}
	list, ok := raw.([]any)
	if !ok {
		f.State, f.Mandatory = StateWeak, true
		f.Why = "Must be a list of origins such as [\"https://dash.example.com\"]."
		return
	}
	var foreign, frontDoor []string
	got := map[string]bool{}
	for _, item := range list {
		o, _ := item.(string)
		o = strings.TrimSpace(o)
		got[o] = true
		if contains(want, o) {
			continue
		}
		host := hostOf(o)
		switch {
		case checkOrigin(o) == nil && strings.HasSuffix(host, ".azurefd.net"):
			frontDoor = append(frontDoor, o)
		default:
			foreign = append(foreign, strconv.Quote(short(o)))
		}
	}
	switch {
	case len(foreign) > 0:
		f.State, f.Mandatory = StateWeak, true
		f.Why = "Allows WebSocket handshakes from origins that are not the stack's: " + strings.Join(foreign, ", ") + ". Every allowed origin can open sockets with the user's session (CSWSH)."
	case len(frontDoor) > 0:
		f.State, f.Mandatory = StateWeak, false
		f.Why = "Allows Front Door endpoint origins (" + strings.Join(frontDoor, ", ") + "); fine only if they are this stack's endpoint, which streamsec adds itself at deploy time."
	default:
		for _, w := range want {
			if !got[w] {
				f.State, f.Mandatory = StateWeak, false
				f.Why = "Misses the stack's public origin " + w + ": users are refused."
				break
			}
		}
	}
}

// judgeHosts: server.allowedHosts must list only the stack's exact host
// names. A wildcard admits every name under it: on a shared domain such as
// *.azurewebsites.net that is every other tenant's app name, and "*" turns
// the check off. Streamlit ignores ports and compares names
// case-insensitively (starlette_websocket.py _is_host_allowed, 1.61.0).
func judgeHosts(f *Finding, want []string, raw any, present bool) {
	if !present {
		f.State = StateMissing
		f.Why = "Not set: Streamlit accepts a WebSocket with any Host header (DNS rebinding; any name pointed at the app works). List the host Front Door forwards, the app's own name."
		return
	}
	list, ok := raw.([]any)
	if !ok {
		f.State = StateWeak
		f.Why = "Must be a list of host names such as [\"app.azurewebsites.net\"]."
		return
	}
	if len(list) == 0 {
		f.State = StateWeak
		f.Why = "An empty list turns the Host check off: Streamlit accepts every Host header."
		return
	}
	var wild, extra []string
	got := map[string]bool{}
	for _, item := range list {
		h, _ := item.(string)
		h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
		got[h] = true
		switch {
		case h == "*" || strings.HasPrefix(h, "*."):
			wild = append(wild, strconv.Quote(short(h)))
		case len(want) > 0 && !contains(want, h):
			extra = append(extra, strconv.Quote(short(h)))
		}
	}
	switch {
	case len(wild) > 0:
		f.State = StateWeak
		f.Why = "Wildcards admit every host name under them (" + strings.Join(wild, ", ") + "); on a shared domain such as *.azurewebsites.net that is every other tenant's app, and \"*\" turns the check off. List exact names only."
	case len(extra) > 0:
		f.State, f.Mandatory = StateWeak, false
		f.Why = "Admits hosts the stack does not send (" + strings.Join(extra, ", ") + "); only the Host Front Door forwards should reach the app."
	default:
		for _, w := range want {
			if !got[w] {
				f.State, f.Mandatory = StateWeak, false
				f.Why = "Misses the host Front Door forwards, " + w + ": every handshake through Front Door is refused."
				break
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isBool reports whether v is the boolean want. Streamlit takes TOML
// values as they are, so the string "false" is not false (it is truthy).
func isBool(v any, want bool) bool {
	b, ok := v.(bool)
	return ok && b == want
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

func sameValue(raw, want any) bool {
	switch w := want.(type) {
	case bool:
		return isBool(raw, w)
	case int:
		n, ok := asInt(raw)
		return ok && n == int64(w)
	case string:
		s, ok := raw.(string)
		return ok && s == w
	}
	return false
}

// shown prints a found value in TOML form, shortened, so hostile files
// cannot flood or garble the report.
func shown(v any) string {
	var s string
	switch x := v.(type) {
	case bool:
		s = strconv.FormatBool(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		s = tomlString(short(x))
	case []any:
		parts := make([]string, 0, len(x))
		for i, item := range x {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("… (%d items)", len(x)))
				break
			}
			parts = append(parts, shown(item))
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		s = "{…}"
	default:
		s = tomlString(short(fmt.Sprint(x)))
	}
	return s
}

func isEnvIndirection(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "env:") && len(s) > len("env:") && !strings.ContainsAny(s, " \t\n")
}

// serverHost is the host name Streamlit takes from browser.serverAddress
// (a bare name, or a URL with scheme and path).
func serverHost(v string) string {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
