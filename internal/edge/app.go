package edge

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// FrontDoorServiceTag is the App Service service tag of Front Door's
// back-end addresses.
const FrontDoorServiceTag = "AzureFrontDoor.Backend"

// Source is where a request to the app's own host comes from.
type Source struct {
	ServiceTag string // "AzureFrontDoor.Backend" for Front Door, "" for the internet
	IP         string
	FDID       string // X-Azure-FDID sent, "" for none
}

// Restriction is one App Service access restriction.
type Restriction struct {
	Name     string
	Priority int
	Allow    bool
	Tag      string // ServiceTag, Default (IP), XffProxy
	Address  string // service tag name or CIDR
	FDIDs    []string
	Unknown  string
}

// WebApp is the App Service app behind Front Door.
type WebApp struct {
	Name          string
	DirectHost    string // <name>.azurewebsites.net; "" when the name is computed
	PublicAccess  bool
	Restrictions  []Restriction // sorted by priority
	DefaultDeny   bool
	Unknown       string
	Auth          *Auth
	Streamlit     Streamlit
	PrivateOrigin bool // Front Door reaches it through Private Link
}

// Auth is App Service authentication (web:WebAppAuthSettingsV2).
type Auth struct {
	Required bool
	Action   string // RedirectToLoginPage, Return401, Return403, Return404, AllowAnonymous
	Excluded []string
}

// admits judges the access restrictions for a request from src.
func (w *WebApp) admits(src Source, private bool) (bool, string) {
	if w.Unknown != "" {
		return false, w.Unknown
	}
	if private && w.PrivateOrigin {
		return true, "reached through the Private Link origin"
	}
	if !w.PublicAccess {
		return false, "publicNetworkAccess Disabled: the public endpoint is closed"
	}
	for _, r := range w.Restrictions {
		if r.Unknown != "" {
			return false, r.Unknown
		}
		if !r.matches(src) {
			continue
		}
		if r.Allow {
			return true, "access restriction " + r.Name + " allows it"
		}
		return false, "access restriction " + r.Name + " denies it"
	}
	if w.DefaultDeny {
		return false, "no access restriction allows it and the default action is Deny"
	}
	if len(w.Restrictions) == 0 {
		return true, "the app has no access restrictions"
	}
	return true, "no access restriction matches and the default action is Allow"
}

func (r Restriction) matches(src Source) bool {
	switch {
	case strings.EqualFold(r.Tag, "ServiceTag"):
		if !strings.EqualFold(r.Address, src.ServiceTag) {
			return false
		}
	case r.Address != "" && !strings.EqualFold(r.Address, "Any"):
		op, err := newIPMatch([]string{r.Address})
		if err != nil || !op.match(src.IP) {
			return false
		}
	}
	if len(r.FDIDs) == 0 {
		return true
	}
	for _, id := range r.FDIDs {
		if strings.EqualFold(id, src.FDID) {
			return true
		}
	}
	return false
}

// Streamlit is the app's Streamlit server, from its version and settings.
type Streamlit struct {
	Version      streamlitopts.Version
	VersionKnown bool
	EnableCORS   bool
	CORSOrigins  []string
	ServerAddr   string
	Compression  bool
	AllowedHosts []string
	// AgentAPI: server.enableAgentApi is not false (unset reads as on, the
	// reading that favours the attacker).
	AgentAPI bool
	// MaxMessageMB is server.maxMessageSize (MB of 10^6 bytes; 200 unset).
	MaxMessageMB int
	// Settings names the App Settings read, for evidence.
	Unknown string
}

// starlette is the first release without Tornado (1.57.0).
func starlette() streamlitopts.Version { return streamlitopts.Version{Major: 1, Minor: 57} }

func (s *Streamlit) era(rd Reading) Era {
	if rd.Era != EraKnown {
		return rd.Era
	}
	if s.Version.AtLeast(starlette()) {
		return EraStarlette
	}
	return EraTornado
}

func (s *Streamlit) name(rd Reading) string {
	switch {
	case rd.Era == EraTornado:
		return "Streamlit (version unknown, Tornado era)"
	case rd.Era == EraStarlette:
		return "Streamlit (version unknown, Starlette era)"
	}
	return "Streamlit " + s.Version.String()
}

// has reports whether the option exists in the release (unknown version:
// the reading's era decides, taking the newest release of it).
func (s *Streamlit) has(option string, rd Reading) bool {
	v := s.Version
	switch rd.Era {
	case EraTornado:
		v = streamlitopts.Version{Major: 1, Minor: 56}
	case EraStarlette:
		v = streamlitopts.Version{Major: 1, Minor: 99}
	}
	_, ok := streamlitopts.Lookup(option, v)
	return ok
}

// atLeast reports whether the release is v or newer (unknown version: the
// newest release of the reading's era).
func (s *Streamlit) atLeast(v streamlitopts.Version, rd Reading) bool {
	switch rd.Era {
	case EraTornado:
		return streamlitopts.Version{Major: 1, Minor: 56}.AtLeast(v)
	case EraStarlette:
		return true
	}
	return s.Version.AtLeast(v)
}

// Body kinds the app answers with.
const (
	BodyIndex   = "index"   // the single-page app's index.html (fallback for unknown paths)
	BodyMetrics = "metrics" // OpenMetrics text
	BodyJSON    = "json"
	BodyText    = "text"
)

// serve is Streamlit's answer to a request that reached it, with the Host
// header the app sees.
func (s *Streamlit) serve(req Request, host string, rd Reading) Response {
	name := s.name(rd)
	resp := Response{Header: http.Header{}}
	if s.era(rd) == EraTornado {
		resp.Header.Set("Server", "TornadoServer/6.4")
	} else {
		resp.Header.Set("Server", "uvicorn")
	}
	path := strings.ToLower(req.Path())
	switch {
	case path == "/_stcore/stream":
		return s.handshake(req, host, rd, resp)
	case path == "/_stcore/metrics" || (path == "/st-metrics" && s.era(rd) == EraTornado):
		resp.Status, resp.Body = http.StatusOK, BodyMetrics
		resp.Header.Set("Content-Type", "application/openmetrics-text")
		resp.By = name + " serves its metrics at " + req.Path() + " without authentication"
	case strings.HasPrefix(path, "/_stcore/agent/") && s.AgentAPI && s.atLeast(streamlitopts.Version{Major: 1, Minor: 66}, rd):
		// FACTS.md: the agent API is in 2026 sources, its release status
		// unknown; the reading that favours the attacker is that it answers.
		resp.Status, resp.Body = http.StatusOK, BodyJSON
		resp.Header.Set("Content-Type", "application/json")
		resp.By = name + ": the agent API may answer at " + req.Path() + " (in 2026 sources; release status not known)"
	case path == "/_stcore/health" || path == "/healthz":
		resp.Status, resp.Body = http.StatusOK, BodyText
		resp.Header.Set("Content-Type", "text/plain")
		resp.By = name + " health endpoint"
	default:
		resp.Status, resp.Body = http.StatusOK, BodyIndex
		resp.Header.Set("Content-Type", "text/html")
		resp.By = name + " answers " + req.Path() + " with its index page (single-page fallback)"
	}
	return resp
}

func (s *Streamlit) handshake(req Request, host string, rd Reading, resp Response) Response {
	name := s.name(rd)
	if s.Unknown != "" {
		resp.Unknown = s.Unknown
		return resp
	}
	if !req.IsUpgrade() {
		resp.Status, resp.Body, resp.By = http.StatusBadRequest, BodyText, name+": not a WebSocket upgrade"
		return resp
	}
	ver, hasVer := req.Header["Sec-Websocket-Version"]
	v := ""
	if hasVer && len(ver) > 0 {
		v = strings.TrimSpace(ver[0])
	}
	accepted := []string{"13"}
	if s.era(rd) == EraTornado {
		// Seen with 1.39 / Tornado 6.2: versions 7, 8 and 13 upgrade.
		accepted = []string{"7", "8", "13"}
	}
	if !contains(accepted, v) {
		resp.Status, resp.By = http.StatusUpgradeRequired, name+" refuses Sec-WebSocket-Version "+quoteOrNone(v)+" (accepts "+strings.Join(accepted, ", ")+")"
		resp.Header.Set("Sec-WebSocket-Version", "13")
		return resp
	}
	// server.allowedHosts: 1.61.0 and newer (FACTS.md, #16147).
	if len(s.AllowedHosts) > 0 && s.atLeast(streamlitopts.Version{Major: 1, Minor: 61}, rd) && !hostAllowed(s.AllowedHosts, host) {
		resp.Status, resp.By = http.StatusForbidden, name+": server.allowedHosts does not list the Host "+host
		return resp
	}
	origin, hasOrigin := req.Header["Origin"]
	switch {
	case !s.EnableCORS:
		resp.By = name + ": server.enableCORS is false, so every Origin is accepted"
	case !hasOrigin || len(origin) == 0:
		resp.By = name + " accepts a handshake without Origin"
	default:
		ok, why := s.originAllowed(origin[0], host, rd)
		if !ok {
			resp.Status, resp.By = http.StatusForbidden, name+" refuses Origin "+origin[0]+": "+why
			return resp
		}
		resp.By = name + " accepts Origin " + origin[0] + ": " + why
	}
	resp.Status = http.StatusSwitchingProtocols
	resp.Header.Set("Upgrade", "websocket")
	if s.Compression && strings.Contains(strings.ToLower(req.Header.Get("Sec-WebSocket-Extensions")), "permessage-deflate") {
		resp.Header.Set("Sec-WebSocket-Extensions", "permessage-deflate")
		resp.By += "; server.enableWebsocketCompression is true, so permessage-deflate is negotiated"
	}
	return resp
}

// originAllowed is Streamlit's check (FACTS.md, both eras): the Origin's
// host:port equals Host, or its host name (scheme and port ignored) is in
// the allowlist.
func (s *Streamlit) originAllowed(origin, host string, rd Reading) (bool, string) {
	u, err := url.Parse(strings.TrimSpace(origin))
	hostname, netloc := "", ""
	if err == nil {
		hostname, netloc = strings.ToLower(u.Hostname()), strings.ToLower(u.Host)
	}
	if netloc != "" && netloc == strings.ToLower(host) {
		return true, "its host:port equals the Host header"
	}
	allow := []string{"localhost", "0.0.0.0", "127.0.0.1"}
	if s.ServerAddr != "" {
		allow = append(allow, strings.ToLower(s.ServerAddr))
	}
	if s.has("server.corsAllowedOrigins", rd) {
		for _, o := range s.CORSOrigins {
			if ou, err := url.Parse(o); err == nil && ou.Hostname() != "" {
				allow = append(allow, strings.ToLower(ou.Hostname()))
			}
		}
	}
	if hostname != "" && contains(allow, hostname) {
		return true, "its host name " + hostname + " is in the allowlist (scheme and port are not compared)"
	}
	return false, "its host name is not in the allowlist"
}

func hostAllowed(list []string, host string) bool {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	for _, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if sub, ok := strings.CutPrefix(e, "*."); ok {
			if strings.HasSuffix(h, "."+sub) {
				return true
			}
		} else if e == h {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func quoteOrNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}
