package edge

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// Resource type tokens the model reads (API versions are stripped first).
const (
	typeWAF            = "azure-native:network:Policy"
	typeProfile        = "azure-native:cdn:Profile"
	typeEndpoint       = "azure-native:cdn:AFDEndpoint"
	typeCustomDomain   = "azure-native:cdn:AFDCustomDomain"
	typeRoute          = "azure-native:cdn:Route"
	typeRule           = "azure-native:cdn:Rule"
	typeSecurityPolicy = "azure-native:cdn:SecurityPolicy"
	typeOrigin         = "azure-native:cdn:AFDOrigin"
	typeWebApp         = "azure-native:web:WebApp"
	typeAuth           = "azure-native:web:WebAppAuthSettingsV2"
)

// Types are the resource types the model reads; rules built on it apply to
// stacks that declare any of them.
func Types() []string {
	return []string{typeWAF, typeProfile, typeEndpoint, typeCustomDomain, typeRoute, typeRule, typeSecurityPolicy, typeOrigin, typeWebApp, typeAuth}
}

// ErrNoEdge is returned when the resources hold no Front Door to model.
var ErrNoEdge = errors.New("the input declares no Front Door endpoint or custom domain to model")

// oneStack refuses an input holding more than one stack's edge. The model
// is one stack's: one profile in front of one app. Two stacks' resources in
// one input (an export of a project with several dashboards) would be
// merged (rule sets matched by name across profiles, the last app behind
// every route), and could pass what neither stack does; refused, the edge
// rules fail closed. Checked before anything is modelled.
func oneStack(rs []inventory.Resource) error {
	var profiles, apps []string
	for _, r := range rs {
		switch inventory.BaseType(r.Type) {
		case typeProfile:
			profiles = append(profiles, str(r.Inputs["profileName"], r.Name))
		case typeWebApp:
			apps = append(apps, str(r.Inputs["name"], r.Name))
		}
	}
	var problems []error
	for _, many := range []struct {
		what  string
		names []string
	}{{"Front Door profiles", profiles}, {"web apps", apps}} {
		if len(many.names) > 1 {
			problems = append(problems, fmt.Errorf("the input holds %d %s (%s); the edge model judges one stack's edge at a time: give each stack's preview or export on its own", len(many.names), many.what, firstNames(many.names)))
		}
	}
	return errors.Join(problems...)
}

// firstNames lists up to three names, and how many more there are.
func firstNames(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}

// LoadOptions are what the resources do not say.
type LoadOptions struct {
	// StreamlitVersion is the app's release ("" when unknown: both eras
	// are evaluated).
	StreamlitVersion string
}

// Load builds the model from a stack's resources. Values computed at
// preview stay unknown and make the verdicts that need them unknown.
func Load(rs []inventory.Resource, opts LoadOptions) (*Stack, error) {
	s := &Stack{RuleSets: map[string][]DeliveryRule{}, WAFs: map[string]*WAFPolicy{}}
	var problems []error
	var app *WebApp
	var auth *Auth
	var fdids []string
	privateOrigin, originHostComputed := false, false
	if err := oneStack(rs); err != nil {
		return nil, err
	}
	for _, r := range rs {
		in := r.Inputs
		switch inventory.BaseType(r.Type) {
		case typeWAF:
			p := loadWAF(r)
			s.WAFs[strings.ToLower(p.Name)] = p
		case typeProfile:
			s.Profile = str(in["profileName"], r.Name)
			for _, src := range []map[string]any{r.Outputs, in} {
				if v, ok := src["frontDoorId"]; ok && !inventory.IsUnknown(v) && inventory.Scalar(v) != "" {
					s.FrontDoorID = inventory.Scalar(v)
				}
			}
		case typeEndpoint:
			d := Domain{Kind: "endpoint", Name: str(in["endpointName"], r.Name)}
			if v, ok := r.Outputs["hostName"]; ok && !inventory.IsUnknown(v) {
				d.Host = inventory.Scalar(v)
			}
			s.Domains = append(s.Domains, d)
		case typeCustomDomain:
			d := Domain{Kind: "customDomain", Name: str(in["customDomainName"], r.Name)}
			if v := in["hostName"]; !inventory.IsUnknown(v) {
				d.Host = inventory.Scalar(v)
			}
			s.Domains = append(s.Domains, d)
		case typeRoute:
			s.Routes = append(s.Routes, loadRoute(r))
		case typeRule:
			rule := loadDeliveryRule(r)
			set := strings.ToLower(str(in["ruleSetName"], ""))
			s.RuleSets[set] = append(s.RuleSets[set], rule)
		case typeSecurityPolicy:
			s.Policies = append(s.Policies, loadSecurityPolicy(r))
		case typeOrigin:
			if v := in["originHostHeader"]; !inventory.IsUnknown(v) {
				s.OriginHostHeader = inventory.Scalar(v)
			} else {
				originHostComputed = true
			}
			if s.OriginHostHeader == "" {
				if v := in["hostName"]; !inventory.IsUnknown(v) {
					s.OriginHostHeader = inventory.Scalar(v)
				}
			}
			privateOrigin = privateOrigin || mp(in["sharedPrivateLinkResource"]) != nil
		case typeWebApp:
			w, ids, err := loadWebApp(r, opts)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			app, fdids = w, ids
		case typeAuth:
			auth = loadAuth(r)
		}
	}
	for k := range s.RuleSets {
		sortDeliveryRules(s.RuleSets[k])
	}
	if app != nil {
		app.Auth = auth
		app.PrivateOrigin = privateOrigin
		s.App = app
		switch {
		case originHostComputed && app.DirectHost == "":
			s.OriginHostUnknown = "the origin host header and the web app's name are computed, so the Host the app sees is unknown"
		case originHostComputed:
			// A reference to the app's default host name, resolved at apply.
			s.OriginHostHeader = app.DirectHost
			s.Notes = append(s.Notes, "origin host header computed, taken as the web app's default host name "+app.DirectHost)
		}
	}
	if len(s.Domains) == 0 {
		return nil, ErrNoEdge
	}
	s.resolveComputedRefs()
	if s.FrontDoorID == "" && s.Profile != "" && len(fdids) == 1 {
		// The plan has no outputs: the app's X-Azure-FDID is taken as this
		// profile's (rule appservice-frontdoor-id judges that equality).
		s.FrontDoorID = fdids[0]
		s.Notes = append(s.Notes, "X-Azure-FDID taken as the profile's frontDoorId (the input has no outputs; rule appservice-frontdoor-id judges the equality)")
	}
	if s.FrontDoorID == "" && s.Profile != "" {
		s.FrontDoorID = thisProfile
	}
	s.fillEndpointHost()
	s.Notes = append(s.Notes, "managed rule sets are not modelled: no verdict relies on them")
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return s, nil
}

// thisProfile stands for the profile's frontDoorId when the input only has
// a computed reference to it.
const thisProfile = "(this stack's profile frontDoorId, computed)"

// resolveComputedRefs: references computed at preview resolve at apply to
// the stack's own resources; a route with computed custom-domain or rule-set
// references is taken to carry the stack's (the frontdoor-waf-coverage rule
// matches such references by count too).
func (s *Stack) resolveComputedRefs() {
	var custom []string
	for _, d := range s.Domains {
		if d.Kind == "customDomain" {
			custom = append(custom, d.Name)
		}
	}
	var sets []string
	for name := range s.RuleSets {
		sets = append(sets, name)
	}
	sort.Strings(sets)
	var endpoints []string
	for _, d := range s.Domains {
		if d.Kind == "endpoint" {
			endpoints = append(endpoints, d.Name)
		}
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		if r.computedEndpoint {
			if len(endpoints) != 1 {
				r.Unknown = "endpointName"
			} else {
				r.Endpoint = endpoints[0]
				s.Notes = append(s.Notes, "route "+r.Name+": endpoint reference computed, taken as the stack's only endpoint")
			}
		}
		if r.computedDomains > 0 {
			r.CustomDomains = append(r.CustomDomains, custom...)
			s.Notes = append(s.Notes, "route "+r.Name+": custom-domain references computed, taken as the stack's custom domains")
		}
		if r.computedRuleSets > 0 {
			r.RuleSets = append(r.RuleSets, sets...)
			s.Notes = append(s.Notes, "route "+r.Name+": rule-set references computed, taken as the stack's rule sets")
		}
	}
	for i := range s.Policies {
		sp := &s.Policies[i]
		if sp.WAFUnknown && len(s.WAFs) == 1 {
			for _, p := range s.WAFs {
				sp.WAF, sp.WAFUnknown = p.Name, false
			}
			s.Notes = append(s.Notes, "security policy "+sp.Name+": WAF policy reference computed, taken as the stack's only WAF policy")
		}
	}
}

// fillEndpointHost: the plan and a preview do not know the endpoint's
// *.azurefd.net name, but the stack writes it into the allowed origins.
func (s *Stack) fillEndpointHost() {
	var candidates []string
	if s.App != nil {
		candidates = append(candidates, s.App.Streamlit.CORSOrigins...)
	}
	for _, p := range s.WAFs {
		for _, r := range p.Rules {
			for _, c := range r.Conditions {
				if strings.EqualFold(c.Selector, "Origin") {
					candidates = append(candidates, c.Values...)
				}
			}
		}
	}
	for i := range s.Domains {
		d := &s.Domains[i]
		if d.Kind != "endpoint" || d.Host != "" {
			continue
		}
		for _, c := range candidates {
			u, err := url.Parse(strings.TrimSpace(c))
			if err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), ".azurefd.net") && strings.HasPrefix(strings.ToLower(u.Hostname()), strings.ToLower(d.Name)) {
				d.Host = strings.ToLower(u.Hostname())
				s.Notes = append(s.Notes, "endpoint "+d.Name+" host name read from the allowed origins: "+d.Host)
				break
			}
		}
	}
}

func loadWAF(r inventory.Resource) *WAFPolicy {
	in := r.Inputs
	p := &WAFPolicy{Name: str(in["policyName"], r.Name), Enabled: true, Prevention: false, BlockStatus: 403}
	ps := mp(in["policySettings"])
	if inventory.IsUnknown(in["policySettings"]) {
		p.Unknown = "policySettings is computed"
		return p
	}
	if v, ok := ps["enabledState"]; ok {
		if inventory.IsUnknown(v) {
			p.Unknown = "policySettings.enabledState is computed"
		}
		p.Enabled = !strings.EqualFold(inventory.Scalar(v), "Disabled")
	}
	// Azure's default mode is Detection when none is given? The API
	// requires it in practice; absent reads as Detection (only logs).
	if v, ok := ps["mode"]; ok {
		if inventory.IsUnknown(v) {
			p.Unknown = "policySettings.mode is computed"
		}
		p.Prevention = strings.EqualFold(inventory.Scalar(v), "Prevention")
	}
	if n, ok := num(ps["customBlockResponseStatusCode"]); ok && n > 0 {
		p.BlockStatus = n
	}
	p.RedirectURL = str(ps["redirectUrl"], "")
	for _, e := range lst(mp(in["managedRules"])["managedRuleSets"]) {
		m := mp(e)
		p.Managed = append(p.Managed, str(m["ruleSetType"], "?")+" "+str(m["ruleSetVersion"], ""))
	}
	cr := mp(in["customRules"])
	if inventory.IsUnknown(in["customRules"]) || inventory.IsUnknown(cr["rules"]) {
		p.Unknown = "customRules is computed"
		return p
	}
	for i, e := range lst(cr["rules"]) {
		p.Rules = append(p.Rules, loadCustomRule(e, i))
	}
	sortRules(p.Rules)
	return p
}

func loadCustomRule(e any, i int) CustomRule {
	path := fmt.Sprintf("customRules.rules.%d", i)
	m := mp(e)
	if m == nil {
		return CustomRule{Name: path, Unknown: path, Enabled: true}
	}
	r := CustomRule{
		Name:    str(m["name"], path),
		Enabled: !strings.EqualFold(str(m["enabledState"], ""), "Disabled"),
		Action:  str(m["action"], ""),
	}
	r.RateLimit = strings.EqualFold(str(m["ruleType"], ""), "RateLimitRule")
	if n, ok := num(m["priority"]); ok {
		r.Priority = n
	} else {
		r.Err = errors.New("priority is missing")
	}
	if n, ok := num(m["rateLimitThreshold"]); ok {
		r.Threshold = n
	} else if r.RateLimit {
		r.Err = errors.New("rateLimitThreshold is missing")
	}
	for _, k := range []string{"enabledState", "action", "ruleType", "priority", "rateLimitThreshold", "matchConditions"} {
		if inventory.IsUnknown(m[k]) {
			r.Unknown = path + "." + k
		}
	}
	if r.Action == "" && r.Err == nil {
		r.Err = errors.New("action is missing")
	}
	for j, ce := range lst(m["matchConditions"]) {
		cp := fmt.Sprintf("%s.matchConditions.%d", path, j)
		cm := mp(ce)
		if cm == nil {
			r.Unknown = cp
			continue
		}
		c := Condition{
			Variable: str(cm["matchVariable"], ""),
			Selector: str(cm["selector"], ""),
			Operator: str(cm["operator"], ""),
			Negate:   strings.EqualFold(inventory.Scalar(cm["negateCondition"]), "true"),
		}
		for _, k := range []string{"matchVariable", "selector", "operator", "negateCondition", "matchValue", "transforms"} {
			if inventory.IsUnknown(cm[k]) {
				c.Unknown = cp + "." + k
			}
		}
		for k, v := range lst(cm["matchValue"]) {
			if inventory.IsUnknown(v) {
				c.Unknown = fmt.Sprintf("%s.matchValue.%d", cp, k)
				continue
			}
			c.Values = append(c.Values, inventory.Scalar(v))
		}
		for _, t := range lst(cm["transforms"]) {
			c.Transforms = append(c.Transforms, inventory.Scalar(t))
		}
		if c.Unknown == "" {
			if err := c.compile(); err != nil && r.Err == nil {
				r.Err = fmt.Errorf("%s: %w", cp, err)
			}
		}
		r.Conditions = append(r.Conditions, c)
	}
	if len(r.Conditions) == 0 && r.Err == nil && r.Unknown == "" {
		r.Err = errors.New("no match conditions")
	}
	return r
}

func loadRoute(r inventory.Resource) Route {
	in := r.Inputs
	rt := Route{
		Name:          str(in["routeName"], r.Name),
		Endpoint:      str(in["endpointName"], ""),
		LinkDefault:   !strings.EqualFold(str(in["linkToDefaultDomain"], "Enabled"), "Disabled"),
		Enabled:       !strings.EqualFold(str(in["enabledState"], "Enabled"), "Disabled"),
		HTTPSRedirect: strings.EqualFold(str(in["httpsRedirect"], "Disabled"), "Enabled"),
		Forwarding:    str(in["forwardingProtocol"], "MatchRequest"),
		Caching:       in["cacheConfiguration"] != nil,
	}
	rt.computedEndpoint = inventory.IsUnknown(in["endpointName"])
	for _, k := range []string{"linkToDefaultDomain", "enabledState", "httpsRedirect", "supportedProtocols", "patternsToMatch"} {
		if inventory.IsUnknown(in[k]) {
			rt.Unknown = k
		}
	}
	rt.Patterns = strs(in["patternsToMatch"])
	if len(rt.Patterns) == 0 {
		rt.Patterns = []string{"/*"}
	}
	rt.Protocols = strs(in["supportedProtocols"])
	if _, ok := in["supportedProtocols"]; !ok {
		rt.Protocols = []string{"Http", "Https"} // the API's default
	}
	for _, d := range lst(in["customDomains"]) {
		if n, ok := refName(d, "customDomains"); ok {
			rt.CustomDomains = append(rt.CustomDomains, n)
		} else {
			rt.computedDomains++
		}
	}
	if inventory.IsUnknown(in["customDomains"]) {
		rt.computedDomains++
	}
	for _, d := range lst(in["ruleSets"]) {
		if n, ok := refName(d, "ruleSets"); ok {
			rt.RuleSets = append(rt.RuleSets, n)
		} else {
			rt.computedRuleSets++
		}
	}
	if inventory.IsUnknown(in["ruleSets"]) {
		rt.computedRuleSets++
	}
	return rt
}

func loadDeliveryRule(r inventory.Resource) DeliveryRule {
	in := r.Inputs
	d := DeliveryRule{Name: str(in["ruleName"], r.Name), Stop: strings.EqualFold(str(in["matchProcessingBehavior"], "Continue"), "Stop")}
	if n, ok := num(in["order"]); ok {
		d.Order = n
	}
	for _, k := range []string{"order", "conditions", "actions", "matchProcessingBehavior"} {
		if inventory.IsUnknown(in[k]) {
			d.Unknown = k
		}
	}
	for _, ce := range lst(in["conditions"]) {
		m := mp(ce)
		p := mp(m["parameters"])
		c := DeliveryCondition{Name: str(m["name"], ""), Selector: str(p["selector"], ""), Negate: strings.EqualFold(inventory.Scalar(p["negateCondition"]), "true")}
		op, err := compileOperator(str(p["operator"], "Any"), strs(p["matchValues"]))
		c.op, c.Err = op, err
		for _, t := range strs(p["transforms"]) {
			tr, err := lookupTransform(t)
			if err != nil {
				c.Err = err
				continue
			}
			c.tr = append(c.tr, tr)
		}
		d.Conditions = append(d.Conditions, c)
	}
	for _, ae := range lst(in["actions"]) {
		m := mp(ae)
		p := mp(m["parameters"])
		a := DeliveryAction{Name: str(m["name"], ""), HeaderAction: str(p["headerAction"], "Overwrite"), HeaderName: str(p["headerName"], ""), Value: str(p["value"], ""), DestProtocol: str(p["destinationProtocol"], "MatchRequest"), DestHost: str(p["customHostname"], "")}
		switch str(p["redirectType"], "") {
		case "Moved":
			a.RedirectCode = 301
		case "Found":
			a.RedirectCode = 302
		case "TemporaryRedirect":
			a.RedirectCode = 307
		case "PermanentRedirect":
			a.RedirectCode = 308
		}
		d.Actions = append(d.Actions, a)
	}
	return d
}

func loadSecurityPolicy(r inventory.Resource) SecurityPolicy {
	in := r.Inputs
	sp := SecurityPolicy{Name: str(in["securityPolicyName"], r.Name)}
	p := mp(in["parameters"])
	if n, ok := refName(p["wafPolicy"], "frontdoorWebApplicationFirewallPolicies"); ok {
		sp.WAF = n
	} else {
		sp.WAFUnknown = true
	}
	for _, ae := range lst(p["associations"]) {
		m := mp(ae)
		a := Association{Patterns: strs(m["patternsToMatch"])}
		for _, d := range lst(m["domains"]) {
			if n, ok := refName(d, "customDomains"); ok {
				a.Domains = append(a.Domains, "customDomain/"+n)
			} else if n, ok := refName(d, "afdEndpoints"); ok {
				a.Domains = append(a.Domains, "endpoint/"+n)
			} else {
				a.Computed++
			}
		}
		sp.Associations = append(sp.Associations, a)
	}
	return sp
}

func loadWebApp(r inventory.Resource, opts LoadOptions) (*WebApp, []string, error) {
	in := r.Inputs
	w := &WebApp{Name: str(in["name"], r.Name)}
	// A computed name (an ARM expression without its parameters) leaves
	// the default host name unknown too: the logical name is no host.
	if !inventory.IsUnknown(in["name"]) {
		w.DirectHost = strings.ToLower(w.Name) + ".azurewebsites.net"
	}
	w.PublicAccess = !strings.EqualFold(str(in["publicNetworkAccess"], "Enabled"), "Disabled")
	sc := mp(in["siteConfig"])
	if inventory.IsUnknown(in["siteConfig"]) {
		w.Unknown = "siteConfig is computed"
	}
	w.DefaultDeny = strings.EqualFold(str(sc["ipSecurityRestrictionsDefaultAction"], "Allow"), "Deny")
	var fdids []string
	for i, e := range lst(sc["ipSecurityRestrictions"]) {
		m := mp(e)
		rs := Restriction{Name: str(m["name"], strconv.Itoa(i)), Allow: !strings.EqualFold(str(m["action"], "Allow"), "Deny"), Tag: str(m["tag"], "Default"), Address: str(m["ipAddress"], "")}
		if n, ok := num(m["priority"]); ok {
			rs.Priority = n
		}
		for k, v := range mp(m["headers"]) {
			if strings.EqualFold(k, "x-azure-fdid") {
				for _, id := range lst(v) {
					if inventory.IsUnknown(id) {
						// A reference resolved at apply: the stack's own
						// profile (rule appservice-frontdoor-id judges it).
						id = thisProfile
					}
					rs.FDIDs = append(rs.FDIDs, inventory.Scalar(id))
					if !contains(fdids, inventory.Scalar(id)) {
						fdids = append(fdids, inventory.Scalar(id))
					}
				}
			}
		}
		if inventory.IsUnknown(e) {
			rs.Unknown = "access restriction " + strconv.Itoa(i) + " is computed"
		}
		w.Restrictions = append(w.Restrictions, rs)
	}
	sortRestrictions(w.Restrictions)
	st, err := loadStreamlit(sc, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("web app %s: %w", w.Name, err)
	}
	w.Streamlit = st
	return w, fdids, nil
}

func sortRestrictions(rs []Restriction) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Priority < rs[j-1].Priority; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func loadStreamlit(sc map[string]any, opts LoadOptions) (Streamlit, error) {
	st := Streamlit{EnableCORS: true, AgentAPI: true}
	if opts.StreamlitVersion != "" {
		v, err := streamlitopts.Parse(opts.StreamlitVersion)
		if err != nil {
			return st, fmt.Errorf("streamlit version: %w", err)
		}
		st.Version, st.VersionKnown = v, true
	}
	settings := map[string]string{}
	for i, e := range lst(sc["appSettings"]) {
		m := mp(e)
		if inventory.IsUnknown(e) || inventory.IsUnknown(m["name"]) {
			st.Unknown = fmt.Sprintf("siteConfig.appSettings.%d is computed", i)
			continue
		}
		n := strings.ToUpper(inventory.Scalar(m["name"]))
		if inventory.IsUnknown(m["value"]) && strings.HasPrefix(n, "STREAMLIT_SERVER_") && n != streamlitopts.EnvName("server.cookieSecret") {
			st.Unknown = "App Setting " + n + " is computed"
		}
		settings[n] = inventory.Scalar(m["value"])
	}
	// Command-line flags beat the environment (Streamlit's precedence).
	flags := commandFlags(str(sc["appCommandLine"], ""))
	get := func(option string) (string, bool) {
		if v, ok := flags[option]; ok {
			return v, true
		}
		v, ok := settings[streamlitopts.EnvName(option)]
		return v, ok
	}
	if v, ok := get("server.enableCORS"); ok {
		st.EnableCORS = !strings.EqualFold(strings.TrimSpace(v), "false")
	}
	if v, ok := get("server.enableAgentApi"); ok {
		st.AgentAPI = !strings.EqualFold(strings.TrimSpace(v), "false")
	}
	if v, ok := get("server.enableWebsocketCompression"); ok {
		st.Compression = strings.EqualFold(strings.TrimSpace(v), "true")
	}
	if v, ok := get("server.corsAllowedOrigins"); ok {
		st.CORSOrigins = splitList(v)
	}
	if v, ok := get("server.allowedHosts"); ok {
		st.AllowedHosts = splitList(v)
	}
	st.MaxMessageMB = 200
	if v, ok := get("server.maxMessageSize"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			st.MaxMessageMB = n
		}
	}
	if v, ok := get("browser.serverAddress"); ok {
		st.ServerAddr = strings.TrimSpace(v)
	}
	return st, nil
}

// commandFlags reads --server.x value / --server.x=value pairs from the
// startup command.
func commandFlags(cmd string) map[string]string {
	out := map[string]string{}
	f := strings.Fields(cmd)
	for i := 0; i < len(f); i++ {
		name, ok := strings.CutPrefix(f[i], "--")
		if !ok || !strings.Contains(name, ".") {
			continue
		}
		if k, v, ok := strings.Cut(name, "="); ok {
			out[k] = strings.Trim(v, `'"`)
		} else if i+1 < len(f) {
			out[name] = strings.Trim(f[i+1], `'"`)
			i++
		}
	}
	return out
}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func loadAuth(r inventory.Resource) *Auth {
	g := mp(r.Inputs["globalValidation"])
	a := &Auth{Required: strings.EqualFold(inventory.Scalar(g["requireAuthentication"]), "true"), Action: str(g["unauthenticatedClientAction"], "RedirectToLoginPage"), Excluded: strs(g["excludedPaths"])}
	if p := mp(r.Inputs["platform"]); p != nil && strings.EqualFold(inventory.Scalar(p["enabled"]), "false") {
		a.Required = false
	}
	return a
}

// refName reads the name after /<segment>/ in a {"id": ...} reference.
func refName(v any, segment string) (string, bool) {
	m := mp(v)
	id := m["id"]
	if m == nil || inventory.IsUnknown(id) {
		return "", false
	}
	parts := strings.Split(inventory.Scalar(id), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], segment) && parts[i+1] != "" {
			return parts[i+1], true
		}
	}
	return "", false
}

func str(v any, def string) string {
	if v == nil || inventory.IsUnknown(v) {
		return def
	}
	if s := inventory.Scalar(v); s != "" {
		return s
	}
	return def
}

func num(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case int:
		return x, true
	case int64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

func lst(v any) []any {
	l, _ := v.([]any)
	return l
}

func mp(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func strs(v any) []string {
	var out []string
	for _, e := range lst(v) {
		if !inventory.IsUnknown(e) {
			out = append(out, inventory.Scalar(e))
		}
	}
	return out
}
