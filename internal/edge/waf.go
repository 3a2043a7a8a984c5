package edge

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Condition is one WAF match condition, compiled.
type Condition struct {
	Variable   string // RequestUri, RequestHeader, ...
	Selector   string // header, cookie or post-argument name
	Operator   string
	Negate     bool
	Values     []string
	Transforms []string
	// Unknown names a computed part (preview), "" when known.
	Unknown string

	op operator
	tr []transform
}

// compile checks the condition against the documented names.
func (c *Condition) compile() error {
	if !slices.ContainsFunc(matchVariables(), func(v string) bool { return strings.EqualFold(v, c.Variable) }) {
		return fmt.Errorf("matchVariable %q is not a Front Door WAF match variable (allowed: %s)", c.Variable, strings.Join(matchVariables(), ", "))
	}
	if needsSelector(c.Variable) && c.Selector == "" {
		return fmt.Errorf("matchVariable %s needs a selector", c.Variable)
	}
	op, err := compileOperator(c.Operator, c.Values)
	if err != nil {
		return err
	}
	c.op = op
	c.tr = nil
	for _, name := range c.Transforms {
		t, err := lookupTransform(name)
		if err != nil {
			return err
		}
		c.tr = append(c.tr, t)
	}
	return nil
}

func matchVariables() []string {
	return []string{"RemoteAddr", "SocketAddr", "RequestMethod", "QueryString", "PostArgs", "RequestUri", "RequestHeader", "RequestBody", "Cookies"}
}

func needsSelector(v string) bool {
	return strings.EqualFold(v, "RequestHeader") || strings.EqualFold(v, "PostArgs")
}

// values extracts the match variable from req; present is false when the
// request does not have it (a header that was not sent).
func (c *Condition) values(req Request, rd Reading) (vals []string, present bool) {
	switch strings.ToLower(c.Variable) {
	case "requesturi":
		if rd.FullURI {
			return []string{req.Scheme + "://" + req.Host + req.Target}, true
		}
		return []string{req.Target}, true
	case "requestmethod":
		return []string{req.Method}, true
	case "querystring":
		return []string{req.Query()}, true
	case "requestheader":
		vs, ok := req.Header[http.CanonicalHeaderKey(c.Selector)]
		return vs, ok
	case "cookies":
		var out []string
		for _, ck := range (&http.Request{Header: http.Header{"Cookie": req.Header.Values("Cookie")}}).Cookies() {
			if c.Selector == "" || strings.EqualFold(ck.Name, c.Selector) {
				out = append(out, ck.Value)
			}
		}
		return out, len(out) > 0
	case "postargs":
		var out []string
		for _, kv := range strings.Split(req.Body, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if strings.EqualFold(urlDecode(k), c.Selector) {
				out = append(out, urlDecode(v))
			}
		}
		return out, len(out) > 0
	case "requestbody":
		return []string{req.Body}, req.Body != ""
	case "socketaddr":
		return []string{req.SocketIP}, req.SocketIP != ""
	case "remoteaddr":
		if req.ClientIP != "" {
			return []string{req.ClientIP}, true
		}
		return []string{req.SocketIP}, req.SocketIP != ""
	}
	return nil, false
}

// eval is the condition's result under rd, negation included.
func (c *Condition) eval(req Request, rd Reading) bool {
	vals, present := c.values(req, rd)
	if !present {
		switch rd.Absent {
		case AbsentNoMatch:
			return c.Negate
		case AbsentFalse:
			return false
		}
		vals = []string{""}
	}
	matched := false
	for _, v := range vals {
		for _, t := range c.tr {
			v = t(v)
		}
		if c.op.match(v) {
			matched = true
			break
		}
	}
	return matched != c.Negate
}

// CustomRule is one WAF custom rule.
type CustomRule struct {
	Name       string
	Priority   int
	Enabled    bool
	RateLimit  bool // RateLimitRule, else MatchRule
	Action     string
	Threshold  int
	Conditions []Condition
	// Unknown names the first computed part (preview), "" when known.
	Unknown string
	// Err is why the rule cannot be evaluated (Azure would refuse it).
	Err error
}

func (r *CustomRule) label() string {
	kind := "MatchRule"
	if r.RateLimit {
		kind = fmt.Sprintf("RateLimitRule, %d per window", r.Threshold)
	}
	return fmt.Sprintf("WAF custom rule %s (priority %d, %s, %s)", r.Name, r.Priority, kind, r.Action)
}

// matches reports whether every condition holds (ANDed) and, for a rate
// limit, the request is over the threshold. A known condition that fails
// settles it; otherwise a computed condition leaves it unknown.
func (r *CustomRule) matches(req Request, rd Reading) (match bool, unknown string) {
	if r.RateLimit && req.Seq <= r.Threshold {
		return false, ""
	}
	for i := range r.Conditions {
		c := &r.Conditions[i]
		if c.Unknown != "" {
			unknown = c.Unknown
			continue
		}
		if !c.eval(req, rd) {
			return false, ""
		}
	}
	if unknown != "" {
		return false, unknown
	}
	return true, ""
}

// WAFPolicy is a Front Door WAF policy (azure-native:network:Policy).
type WAFPolicy struct {
	Name        string
	Enabled     bool
	Prevention  bool // mode Prevention; Detection only logs
	BlockStatus int
	RedirectURL string
	Rules       []CustomRule // sorted by priority
	Managed     []string     // managed rule set names (not modelled)
	Unknown     string       // a computed policy setting
}

// Decision is what the WAF did to one request.
type Decision struct {
	Action  string // Allow, Block, Redirect, or "" (no rule ended evaluation)
	Status  int
	By      string   // the rule or setting that decided
	Logged  []string // rules that only logged
	Unknown string   // the decision depends on a computed value
}

// Evaluate runs the custom rules in priority order. Evaluation stops on the
// first matching rule whose action is not Log (documented); an Allow also
// skips the managed rule sets.
func (p *WAFPolicy) Evaluate(req Request, rd Reading) Decision {
	d := Decision{}
	if p.Unknown != "" {
		d.Unknown = p.Unknown
		return d
	}
	if !p.Enabled {
		d.By = "WAF policy " + p.Name + " is Disabled (policySettings.enabledState): requests bypass it"
		return d
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.Enabled {
			continue
		}
		if r.Unknown != "" {
			d.Unknown = r.label() + ": " + r.Unknown + " is computed"
			return d
		}
		if r.Err != nil {
			d.Unknown = r.label() + ": " + r.Err.Error()
			return d
		}
		m, u := r.matches(req, rd)
		if u != "" {
			d.Unknown = r.label() + ": " + u + " is computed"
			return d
		}
		if !m {
			continue
		}
		action := r.Action
		switch {
		case strings.EqualFold(action, "Log"):
			d.Logged = append(d.Logged, r.Name)
			continue
		case !p.Prevention && !strings.EqualFold(action, "Allow"):
			// Detection mode: matches are logged, nothing is enforced.
			d.Logged = append(d.Logged, r.Name+" (Detection mode: "+action+" only logged)")
			continue
		}
		d.By = r.label()
		switch {
		case strings.EqualFold(action, "Allow"):
			d.Action = "Allow"
			d.By += ": Allow ends evaluation and skips the later custom rules and the managed rule sets"
		case strings.EqualFold(action, "Redirect"):
			d.Action, d.Status = "Redirect", http.StatusFound
		default:
			// Block, and the managed-rule-only AnomalyScoring, refuse.
			d.Action, d.Status = "Block", p.BlockStatus
		}
		return d
	}
	d.By = "no WAF custom rule of " + p.Name + " ended evaluation"
	if !p.Prevention {
		d.By = "WAF policy " + p.Name + " is in Detection mode: it only logs"
	}
	return d
}

// sortRules orders rules by priority (lower first), stable for ties, which
// Azure refuses anyway.
func sortRules(rs []CustomRule) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Priority < rs[j].Priority })
}
