package edge

import (
	"fmt"
	"net/http"
	"strings"
)

// Domain is a host name Front Door answers: an endpoint's default domain or
// a custom domain.
type Domain struct {
	Kind string // "endpoint" or "customDomain"
	Name string // the resource's name (endpointName / customDomainName)
	Host string // "" when computed
}

// Route is a cdn:Route.
type Route struct {
	Name          string
	Endpoint      string   // endpoint name
	CustomDomains []string // custom domain names
	LinkDefault   bool     // linkToDefaultDomain Enabled
	Enabled       bool
	Patterns      []string
	Protocols     []string
	HTTPSRedirect bool
	Forwarding    string
	RuleSets      []string // rule set names, in order
	Caching       bool
	Unknown       string

	computedDomains, computedRuleSets int
	computedEndpoint                  bool
}

func (r *Route) serves(d Domain) bool {
	if d.Kind == "endpoint" {
		return r.LinkDefault && strings.EqualFold(r.Endpoint, d.Name)
	}
	for _, c := range r.CustomDomains {
		if strings.EqualFold(c, d.Name) {
			return true
		}
	}
	return false
}

func (r *Route) protocol(scheme string) bool {
	for _, p := range r.Protocols {
		if strings.EqualFold(p, scheme) {
			return true
		}
	}
	return false
}

// patternMatch is Front Door's path pattern: a trailing "*" matches any
// rest of the path, otherwise the whole path must be equal; paths compare
// case-insensitively.
func patternMatch(patterns []string, path string) bool {
	p := strings.ToLower(path)
	for _, pat := range patterns {
		pat = strings.ToLower(pat)
		if prefix, ok := strings.CutSuffix(pat, "*"); ok {
			if strings.HasPrefix(p, prefix) {
				return true
			}
		} else if p == pat {
			return true
		}
	}
	return false
}

// DeliveryRule is a cdn:Rule of a rule set.
type DeliveryRule struct {
	Name       string
	Order      int
	Conditions []DeliveryCondition
	Actions    []DeliveryAction
	Stop       bool // matchProcessingBehavior Stop
	Unknown    string
}

// DeliveryCondition is one rule-set match condition.
type DeliveryCondition struct {
	Name     string // RequestScheme, UrlPath, RequestHeader, RequestMethod, RequestUri, HostName
	Selector string
	Negate   bool
	op       operator
	tr       []transform
	Err      error
}

// DeliveryAction is one rule-set action.
type DeliveryAction struct {
	Name         string // ModifyResponseHeader, ModifyRequestHeader, UrlRedirect, ...
	HeaderAction string // Overwrite, Append, Delete
	HeaderName   string
	Value        string
	RedirectCode int
	DestProtocol string // MatchRequest, Http, Https
	DestHost     string
}

func (c *DeliveryCondition) eval(req Request) (bool, error) {
	if c.Err != nil {
		return false, c.Err
	}
	var vals []string
	present := true
	switch strings.ToLower(c.Name) {
	case "requestscheme":
		vals = []string{strings.ToUpper(req.Scheme)}
	case "urlpath":
		// Front Door's UrlPath has no leading slash.
		vals = []string{strings.TrimPrefix(req.Path(), "/")}
	case "requesturi":
		vals = []string{req.Scheme + "://" + req.Host + req.Target}
	case "requestmethod":
		vals = []string{req.Method}
	case "hostname":
		vals = []string{req.Host}
	case "requestheader":
		vals, present = req.Header[http.CanonicalHeaderKey(c.Selector)]
	default:
		return false, fmt.Errorf("rule-set condition %s is not modelled", c.Name)
	}
	matched := false
	if present {
		for _, v := range vals {
			for _, t := range c.tr {
				v = t(v)
			}
			matched = matched || c.op.match(v)
		}
	}
	return matched != c.Negate, nil
}

// SecurityPolicy links a WAF policy to domains and path patterns.
type SecurityPolicy struct {
	Name         string
	WAF          string // WAF policy name ("" when computed)
	WAFUnknown   bool
	Associations []Association
}

// Association is one domains + patterns pair of a security policy.
type Association struct {
	Domains  []string // "endpoint/<name>" or "customDomain/<name>"
	Computed int      // references computed at preview
	Patterns []string
}

func (a Association) covers(d Domain, path string) (bool, bool) {
	if !patternMatch(a.Patterns, path) {
		return false, false
	}
	for _, n := range a.Domains {
		if strings.EqualFold(n, d.Kind+"/"+d.Name) {
			return true, false
		}
	}
	return false, a.Computed > 0
}
