package edge

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Stack is the modelled edge of one stack: Front Door, its WAF, and the app.
type Stack struct {
	Profile     string
	FrontDoorID string // the profile's X-Azure-FDID; "" when computed
	Domains     []Domain
	Routes      []Route
	RuleSets    map[string][]DeliveryRule // by lower-case rule set name, rules in order
	Policies    []SecurityPolicy
	WAFs        map[string]*WAFPolicy // by lower-case policy name
	// OriginHostHeader is the Host the app sees ("" forwards the request's,
	// unless OriginHostUnknown says why it cannot be known).
	OriginHostHeader  string
	OriginHostUnknown string
	App               *WebApp
	// Notes are facts every verdict carries (managed rule sets not modelled).
	Notes []string
}

// Response is what the client gets, and who decided it.
type Response struct {
	Status int
	Header http.Header
	Body   string
	// By names the rule or setting that decided the answer.
	By string
	// Trail lists what else the request met on the way.
	Trail []string
	// Unknown is set when the answer depends on a value that is computed
	// or not modelled; the verdict is then unknown.
	Unknown string
	// HeaderBy names, per response header, the rule-set rule that set or
	// deleted it.
	HeaderBy map[string]string
	// Undocumented is set when the answer depends on behaviour the
	// documentation does not state; the verdict cannot be a pass.
	Undocumented string
}

// readings are the interpretations a request is evaluated under.
func (s *Stack) readings() []Reading {
	if s.App != nil && s.App.Streamlit.VersionKnown {
		return readings([]Era{EraKnown})
	}
	return readings([]Era{EraTornado, EraStarlette})
}

// domain finds the Front Door domain for a Host header.
func (s *Stack) domain(host string) (Domain, bool) {
	h := strings.ToLower(host)
	for _, d := range s.Domains {
		if d.Host != "" && strings.ToLower(d.Host) == h {
			return d, true
		}
	}
	return Domain{}, false
}

// waf finds the WAF policy associated with the domain and path.
func (s *Stack) waf(d Domain, path string) (*WAFPolicy, string, string) {
	computed := ""
	for _, sp := range s.Policies {
		for _, a := range sp.Associations {
			ok, maybe := a.covers(d, path)
			if !ok && maybe && computed == "" {
				computed = sp.Name
			}
			if !ok {
				continue
			}
			if sp.WAFUnknown {
				return nil, "", "security policy " + sp.Name + ": wafPolicy is computed"
			}
			p := s.WAFs[strings.ToLower(sp.WAF)]
			if p == nil {
				return nil, "security policy " + sp.Name + " names WAF policy " + sp.WAF + ", which the stack does not declare", ""
			}
			return p, "security policy " + sp.Name, ""
		}
	}
	if computed != "" {
		// Preview: the references resolve at apply; matched by count the
		// way the frontdoor-waf-coverage rule does.
		for _, sp := range s.Policies {
			if sp.Name == computed && !sp.WAFUnknown {
				if p := s.WAFs[strings.ToLower(sp.WAF)]; p != nil {
					return p, "security policy " + sp.Name + " (domain references computed at preview, matched by count)", ""
				}
			}
		}
		return nil, "", "security policy " + computed + ": its domain and WAF references are computed"
	}
	return nil, "no security policy associates a WAF policy with " + d.Kind + " " + d.Name + " for " + path, ""
}

// Send evaluates one request end to end under one reading.
func (s *Stack) Send(req Request, rd Reading) Response {
	if req.Header == nil {
		req.Header = http.Header{}
	}
	d, ok := s.domain(req.Host)
	if !ok {
		return Response{Status: http.StatusNotFound, Header: http.Header{}, By: "Front Door has no domain " + req.Host, Unknown: s.hostUnknown()}
	}
	var trail []string
	// 1. WAF (documented order: WAF, route, rule sets, origin).
	p, how, unknown := s.waf(d, req.Path())
	if unknown != "" {
		return Response{Unknown: unknown, Header: http.Header{}}
	}
	if p == nil {
		trail = append(trail, how)
	} else {
		dec := p.Evaluate(req, rd)
		if dec.Unknown != "" {
			return Response{Unknown: dec.Unknown, Header: http.Header{}}
		}
		for _, l := range dec.Logged {
			trail = append(trail, "logged by "+l)
		}
		if dec.Action == "Block" || dec.Action == "Redirect" {
			return Response{Status: dec.Status, Header: http.Header{}, Body: BodyText, By: dec.By + " (" + how + ")", Trail: trail}
		}
		trail = append(trail, dec.By+" ("+how+")")
		if dec.Action != "Allow" && len(p.Managed) > 0 {
			trail = append(trail, "managed rule sets "+strings.Join(p.Managed, ", ")+" not modelled")
		}
	}
	// 2. Route.
	route := s.route(d, req)
	if route == nil {
		return Response{Status: http.StatusNotFound, Header: http.Header{}, By: fmt.Sprintf("no enabled route of %s %s serves %s %s", d.Kind, d.Name, strings.ToUpper(req.Scheme), req.Path()), Trail: trail}
	}
	if route.Unknown != "" {
		return Response{Unknown: "route " + route.Name + ": " + route.Unknown + " is computed", Header: http.Header{}}
	}
	// 3. Rule sets attached to the route, in order.
	// The response header actions to apply, named only when applied: a
	// copy of each action and its "rule set X rule Y" per request was most
	// of what modelling a large stack allocated (issue 16).
	type headerAction struct {
		a             *DeliveryAction
		ruleSet, rule string
	}
	respActions := make([]headerAction, 0, 16)
	stopped := false
	for _, rsName := range route.RuleSets {
		if stopped {
			break
		}
		for _, rule := range s.RuleSets[strings.ToLower(rsName)] {
			if rule.Unknown != "" {
				return Response{Unknown: "rule " + rule.Name + ": " + rule.Unknown + " is computed", Header: http.Header{}}
			}
			match := true
			for i := range rule.Conditions {
				ok, err := rule.Conditions[i].eval(req)
				if err != nil {
					// Not modelled: the rule may or may not run; the
					// response headers it adds are not counted on.
					trail = append(trail, "rule "+rule.Name+": "+err.Error()+", its actions are not counted on")
					match = false
					break
				}
				match = match && ok
			}
			if !match {
				continue
			}
			for i := range rule.Actions {
				a := &rule.Actions[i]
				switch a.Name {
				case "UrlRedirect":
					return s.redirect(req, *a, "rule set "+rsName+" rule "+rule.Name, trail)
				case "ModifyResponseHeader":
					respActions = append(respActions, headerAction{a, rsName, rule.Name})
				case "ModifyRequestHeader":
					applyHeader(req.Header, *a)
				}
			}
			if rule.Stop {
				stopped = true
				break
			}
		}
	}
	if strings.EqualFold(req.Scheme, "http") && route.HTTPSRedirect {
		return Response{Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {"https://" + req.Host + req.Target}}, By: "route " + route.Name + " httpsRedirect Enabled",
			Undocumented: "the status code of the route's own HTTPS redirect is not documented (a temporary one would not teach clients https)", Trail: trail}
	}
	// 4. The origin: App Service access restrictions, then sign-in, then Streamlit.
	if s.App == nil {
		return Response{Unknown: "the stack declares no web app behind the route", Header: http.Header{}}
	}
	ok, why := s.App.admits(Source{ServiceTag: FrontDoorServiceTag, FDID: s.FrontDoorID}, true)
	if !ok {
		if s.FrontDoorID == "" || strings.Contains(why, "computed") {
			return Response{Unknown: "the App Service access restrictions or the profile's frontDoorId are computed", Header: http.Header{}}
		}
		return Response{Status: http.StatusForbidden, Header: http.Header{}, Body: BodyText, By: "App Service refuses this Front Door: " + why, Trail: trail}
	}
	if r, done := s.App.signIn(req); done {
		r.Trail = trail
		return r
	}
	if s.OriginHostUnknown != "" {
		// Streamlit compares the Origin with this Host: no answer without it.
		return Response{Unknown: s.OriginHostUnknown, Header: http.Header{}}
	}
	host := s.OriginHostHeader
	if host == "" {
		host = req.Host
	}
	resp := s.App.Streamlit.serve(req, host, rd)
	resp.Trail = trail
	resp.HeaderBy = map[string]string{}
	for _, h := range respActions {
		applyHeader(resp.Header, *h.a)
		resp.HeaderBy[http.CanonicalHeaderKey(h.a.HeaderName)] = "rule set " + h.ruleSet + " rule " + h.rule
	}
	return resp
}

func (s *Stack) hostUnknown() string {
	for _, d := range s.Domains {
		if d.Host == "" {
			return d.Kind + " " + d.Name + ": host name is computed"
		}
	}
	return ""
}

// route picks the route for the request: enabled, serving the domain and
// the protocol, with a matching pattern; the longest pattern wins.
func (s *Stack) route(d Domain, req Request) *Route {
	var best *Route
	bestLen := -1
	for i := range s.Routes {
		r := &s.Routes[i]
		if !r.Enabled || !r.serves(d) || !r.protocol(req.Scheme) {
			continue
		}
		for _, p := range r.Patterns {
			if patternMatch([]string{p}, req.Path()) && len(p) > bestLen {
				best, bestLen = r, len(p)
			}
		}
	}
	return best
}

func (s *Stack) redirect(req Request, a DeliveryAction, by string, trail []string) Response {
	scheme := req.Scheme
	switch strings.ToLower(a.DestProtocol) {
	case "https":
		scheme = "https"
	case "http":
		scheme = "http"
	}
	host := req.Host
	if a.DestHost != "" {
		host = a.DestHost
	}
	return Response{Status: a.RedirectCode, Header: http.Header{"Location": {scheme + "://" + host + req.Target}}, By: fmt.Sprintf("%s: UrlRedirect %d to %s", by, a.RedirectCode, scheme), Trail: trail}
}

// signIn is App Service authentication in front of the app.
func (w *WebApp) signIn(req Request) (Response, bool) {
	a := w.Auth
	if a == nil || !a.Required || req.Session {
		return Response{}, false
	}
	for _, p := range a.Excluded {
		if strings.EqualFold(p, req.Path()) {
			return Response{}, false
		}
	}
	r := Response{Header: http.Header{}, Body: BodyText, By: "App Service authentication (requireAuthentication, " + a.Action + ")"}
	switch a.Action {
	case "Return401":
		r.Status = http.StatusUnauthorized
	case "Return403":
		r.Status = http.StatusForbidden
	case "Return404":
		r.Status = http.StatusNotFound
	case "AllowAnonymous":
		return Response{}, false
	default:
		r.Status = http.StatusFound
	}
	return r, true
}

func applyHeader(h http.Header, a DeliveryAction) {
	switch a.HeaderAction {
	case "Delete":
		h.Del(a.HeaderName)
	case "Append":
		h.Add(a.HeaderName, a.Value)
	default:
		h.Set(a.HeaderName, a.Value)
	}
}

// sortDeliveryRules orders a rule set's rules by their order field.
func sortDeliveryRules(rs []DeliveryRule) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Order < rs[j].Order })
}
