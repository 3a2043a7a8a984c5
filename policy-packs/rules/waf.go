package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

// streamPath is Streamlit's WebSocket endpoint.
const streamPath = "/_stcore/stream"

func wafRules() []Rule {
	waf := []string{typeWAF}
	return []Rule{
		{
			ID: "waf-enabled", Title: "WAF policy is enabled",
			Description: "policySettings.enabledState Disabled turns every rule off.",
			Controls:    []string{"WS-DOS-02"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "policySettings.enabledState", "Enabled", "Enabled")
			},
		},
		{
			ID: "waf-prevention-mode", Title: "WAF runs in Prevention mode",
			Description: "Detection mode only logs; the Origin, rate-limit and path rules must block.",
			Controls:    []string{"WS-DOS-02", "WS-ORG-01"}, AzurePolicyIDs: []string{apWAFMode},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "policySettings.mode", "Prevention", "Prevention")
			},
		},
		{
			ID: "waf-request-body-check", Title: "WAF inspects request bodies",
			Description: "requestBodyCheck Enabled lets the managed rules see upload and form bodies.",
			Controls:    []string{"WS-DOS-02"}, AzurePolicyIDs: []string{apWAFBodyCheck},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectOneOf(r, "policySettings.requestBodyCheck", "Enabled", "Enabled")
			},
		},
		{
			ID: "waf-default-rule-set", Title: "WAF runs the Default Rule Set 2.x (Premium)",
			Description: "On Front Door Premium the Microsoft Default Rule Set 2.x blocks common attacks on the handshake and the HTTP endpoints.",
			Controls:    []string{"WS-DOS-02"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return checkManagedSet(r, []string{"Microsoft_DefaultRuleSet", "DefaultRuleSet"}, 2)
			},
		},
		{
			ID: "waf-bot-manager", Title: "WAF runs the Bot Manager rule set (Premium)",
			Description: "On Front Door Premium the Bot Manager rule set blocks known bad bots before they open sockets.",
			Controls:    []string{"WS-DOS-02"}, AzurePolicyIDs: []string{apWAFBot},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return checkManagedSet(r, []string{"Microsoft_BotManagerRuleSet", "BotProtection"}, 1)
			},
		},
		{
			ID: "waf-origin-allowlist", Title: "WAF blocks WebSocket handshakes from foreign Origins",
			Description: "A custom rule blocks /_stcore/stream when the Origin header is not one of the allowed https origins: Streamlit's own check cannot work behind Front Door, so the edge does it (CSWSH).",
			Controls:    []string{"WS-ORG-01"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: checkOriginRule,
		},
		{
			ID: "waf-origin-required", Title: "WAF blocks WebSocket handshakes without an Origin",
			Description: "A negated Equal match does not fire when the header is missing; a second rule (RequestHeader Origin, operator Any, negated) blocks handshakes that send no Origin at all.",
			Controls:    []string{"WS-ORG-01"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: checkOriginRequired,
		},
		{
			ID: "waf-rate-limit", Title: "WAF rate-limits WebSocket handshakes",
			Description: "A RateLimitRule on /_stcore/stream bounds new connections per client IP.",
			Controls:    []string{"WS-RATE-01"}, AzurePolicyIDs: []string{apWAFRateLimit},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: checkRateLimit,
		},
		{
			ID: "waf-websocket-version", Title: "WAF refuses WebSocket handshakes other than version 13",
			Description: "A custom rule blocks " + streamPath + " when Sec-WebSocket-Version is present and not 13 (RequestHeader Sec-WebSocket-Version, negated Equal [\"13\"]): Tornado under Streamlit up to 1.56 upgrades the pre-RFC versions 7 and 8, so RFC 6455-only is met at the edge, whatever server the app runs.",
			Controls:    []string{"WS-PROTO-01"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: checkVersionRule,
		},
		{
			ID: "waf-internal-paths-blocked", Title: "WAF blocks Streamlit's internal endpoints",
			Description: "/_stcore/metrics and /st-metrics answer without authentication, and Streamlit 1.67+ serves its agent API under /_stcore/agent/ (off by default, its schema route always answers); the edge must block them.",
			Controls:    []string{"WS-EXP-01"},
			Enforcement: Mandatory, Types: waf, Pack: PackWebSocket,
			Check: checkBlockedPaths,
		},
	}
}

func premium(r inventory.Resource) (bool, []Finding) {
	v, st := prop(r, "sku.name")
	switch st {
	case stUnknown:
		return false, []Finding{{Property: "sku.name", Message: unknownMsg("sku.name")}}
	case stKnown:
		return strings.EqualFold(text(v), "Premium_AzureFrontDoor"), nil
	}
	return false, nil
}

func checkManagedSet(r inventory.Resource, types []string, minMajor int) []Finding {
	isPremium, f := premium(r)
	if f != nil {
		return f
	}
	if !isPremium {
		return nil // managed rule sets run on Premium only
	}
	const path = "managedRules.managedRuleSets"
	v, st := prop(r, path)
	switch st {
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	for i, e := range list(v) {
		p := fmt.Sprintf("%s.%d", path, i)
		if inventory.IsUnknown(e) {
			return []Finding{{Property: p, Message: unknownMsg(p)}}
		}
		m := obj(e)
		t := text(m["ruleSetType"])
		match := false
		for _, want := range types {
			match = match || strings.EqualFold(t, want)
		}
		if !match {
			continue
		}
		if inventory.IsUnknown(m["ruleSetVersion"]) {
			return []Finding{{Property: p + ".ruleSetVersion", Message: unknownMsg(p + ".ruleSetVersion")}}
		}
		ver := text(m["ruleSetVersion"])
		major, _, _ := strings.Cut(ver, ".")
		n, ok := number(major)
		if !ok || int(n) < minMajor {
			return []Finding{{Property: p + ".ruleSetVersion", Message: fmt.Sprintf("%s version %q; want %d.x or newer", t, ver, minMajor)}}
		}
		if a := text(m["ruleSetAction"]); strings.EqualFold(a, "Log") {
			return []Finding{{Property: p + ".ruleSetAction", Message: fmt.Sprintf("%s only logs (ruleSetAction Log); want Block", t)}}
		}
		return nil
	}
	return []Finding{{Property: path, Message: fmt.Sprintf("no %s managed rule set on a Premium WAF policy", types[0])}}
}

// customRules returns the enabled custom rules, or a fail-closed finding.
func customRules(r inventory.Resource) ([]map[string]any, []string, []Finding) {
	const path = "customRules.rules"
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return nil, nil, nil
	case stUnknown:
		return nil, nil, []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return nil, nil, []Finding{{Property: path, Message: secretMsg(path)}}
	}
	var out []map[string]any
	var paths []string
	for i, e := range list(v) {
		p := fmt.Sprintf("%s.%d", path, i)
		if inventory.IsUnknown(e) {
			return nil, nil, []Finding{{Property: p, Message: unknownMsg(p)}}
		}
		m := obj(e)
		if m == nil || strings.EqualFold(text(m["enabledState"]), "Disabled") {
			continue
		}
		out = append(out, m)
		paths = append(paths, p)
	}
	return out, paths, nil
}

// condition is one WAF match condition, read leniently.
type condition struct {
	variable, selector, operator string
	negate                       bool
	values                       []string
	unknown                      bool
}

func conditions(rule map[string]any) []condition {
	var out []condition
	for _, c := range list(rule["matchConditions"]) {
		m := obj(c)
		if m == nil {
			out = append(out, condition{unknown: inventory.IsUnknown(c)})
			continue
		}
		cond := condition{
			variable: text(m["matchVariable"]),
			selector: text(m["selector"]),
			operator: text(m["operator"]),
			negate:   strings.EqualFold(text(m["negateCondition"]), "true"),
		}
		for _, k := range []string{"matchVariable", "selector", "operator", "negateCondition", "matchValue"} {
			if inventory.IsUnknown(m[k]) {
				cond.unknown = true
			}
		}
		for _, v := range list(m["matchValue"]) {
			if inventory.IsUnknown(v) {
				cond.unknown = true
				continue
			}
			cond.values = append(cond.values, text(v))
		}
		out = append(out, cond)
	}
	return out
}

// matchesPath reports whether a condition selects requests to path.
func (c condition) matchesPath(path string) bool {
	if c.negate || !strings.EqualFold(c.variable, "RequestUri") {
		return false
	}
	for _, v := range c.values {
		if containsFold(v, path) || (strings.EqualFold(c.operator, "RegEx") && containsFold(strings.ReplaceAll(v, `\`, ""), path)) {
			return true
		}
	}
	return false
}

// ruleUnknownPath names the first computed part of a custom rule, relative
// to the rule ("matchConditions.1.matchValue"), or "" when all is known.
func ruleUnknownPath(rule map[string]any) string {
	for _, k := range []string{"ruleType", "action", "matchConditions", "rateLimitThreshold"} {
		if inventory.IsUnknown(rule[k]) {
			return k
		}
	}
	for i, c := range list(rule["matchConditions"]) {
		if inventory.IsUnknown(c) {
			return fmt.Sprintf("matchConditions.%d", i)
		}
		m := obj(c)
		for _, k := range []string{"matchVariable", "selector", "operator", "negateCondition", "matchValue"} {
			if inventory.IsUnknown(m[k]) {
				return fmt.Sprintf("matchConditions.%d.%s", i, k)
			}
		}
		for j, v := range list(m["matchValue"]) {
			if inventory.IsUnknown(v) {
				return fmt.Sprintf("matchConditions.%d.matchValue.%d", i, j)
			}
		}
	}
	return ""
}

// blockRules calls match, in order, for each custom rule of ruleType with
// action Block whose parts are all known, until match returns true. found
// says whether one did; unknownAt is the path of the last rule seen with a
// computed part ("" when none), which a check reports when nothing matched.
func blockRules(rules []map[string]any, paths []string, ruleType string, match func(i int, rule map[string]any) bool) (found bool, unknownAt string) {
	for i, rule := range rules {
		if p := ruleUnknownPath(rule); p != "" {
			unknownAt = paths[i] + "." + p
			continue
		}
		if !strings.EqualFold(text(rule["ruleType"]), ruleType) || !strings.EqualFold(text(rule["action"]), "Block") {
			continue
		}
		if match(i, rule) {
			return true, unknownAt
		}
	}
	return false, unknownAt
}

// noBlockRule is the finding when no rule does the job: fail closed on a
// computed rule if there is one, else say what is missing.
func noBlockRule(unknownAt, missing string) []Finding {
	if unknownAt != "" {
		return []Finding{{Property: unknownAt, Message: unknownMsg(unknownAt)}}
	}
	return []Finding{{Property: "customRules.rules", Message: missing}}
}

func checkOriginRule(r inventory.Resource, cfg Config) []Finding {
	rules, paths, f := customRules(r)
	if f != nil {
		return f
	}
	var problems []Finding
	found, unknownAt := blockRules(rules, paths, "MatchRule", func(i int, rule map[string]any) bool {
		conds := conditions(rule)
		onStream := false
		var origin *condition
		for j := range conds {
			c := conds[j]
			if c.matchesPath(streamPath) {
				onStream = true
			}
			// The allowlist is a negated Equal; a negated Any is the
			// missing-Origin rule (waf-origin-required).
			if strings.EqualFold(c.variable, "RequestHeader") && strings.EqualFold(c.selector, "Origin") && c.negate && strings.EqualFold(c.operator, "Equal") {
				origin = &conds[j]
			}
		}
		if !onStream || origin == nil {
			return false
		}
		msgs := allowlistProblems(origin.values, cfg.AllowedOrigins)
		if len(msgs) == 0 {
			return true
		}
		problems = append(problems, Finding{Property: paths[i] + ".matchConditions", Message: "Origin allowlist: " + strings.Join(msgs, "; ")})
		return false
	})
	if found {
		return nil
	}
	if origin, at, ok := allowThenBlock(rules, paths); ok {
		msgs := allowlistProblems(origin.values, cfg.AllowedOrigins)
		if len(msgs) == 0 {
			return nil
		}
		problems = append(problems, Finding{Property: at + ".matchConditions", Message: "Origin allowlist: " + strings.Join(msgs, "; ")})
	}
	if len(problems) > 0 {
		return problems[:1]
	}
	return noBlockRule(unknownAt, "no enabled custom rule blocks "+streamPath+" when the Origin header is not in the allowlist (MatchRule, action Block, RequestUri contains "+streamPath+", RequestHeader Origin negated Equal <allowed origins>)")
}

// allowlistProblems judges the WAF's Origin allowlist.
func allowlistProblems(values, want []string) []string {
	var msgs []string
	if len(values) == 0 {
		msgs = append(msgs, "the list is empty")
	}
	for _, v := range values {
		l := strings.ToLower(strings.TrimSpace(v))
		switch {
		case strings.Contains(l, "*"):
			msgs = append(msgs, fmt.Sprintf("%q is a wildcard", v))
		case l == "null" || l == "":
			msgs = append(msgs, fmt.Sprintf("%q admits sandboxed and file:// pages", v))
		case !strings.HasPrefix(l, "https://"):
			msgs = append(msgs, fmt.Sprintf("%q is not an https origin", v))
		}
	}
	if len(want) > 0 {
		norm := func(list []string) []string {
			out := make([]string, 0, len(list))
			for _, s := range list {
				out = append(out, strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/"))
			}
			sort.Strings(out)
			return out
		}
		got, exp := norm(values), norm(want)
		if strings.Join(got, " ") != strings.Join(exp, " ") {
			msgs = append(msgs, fmt.Sprintf("the list is [%s]; the stack allows [%s]", strings.Join(got, ", "), strings.Join(exp, ", ")))
		}
	}
	return msgs
}

func checkRateLimit(r inventory.Resource, _ Config) []Finding {
	rules, paths, f := customRules(r)
	if f != nil {
		return f
	}
	found, unknownAt := blockRules(rules, paths, "RateLimitRule", func(_ int, rule map[string]any) bool {
		n, ok := number(rule["rateLimitThreshold"])
		if !ok || n <= 0 {
			return false
		}
		for _, c := range conditions(rule) {
			if c.matchesPath(streamPath) {
				return true
			}
		}
		return false
	})
	if found {
		return nil
	}
	return noBlockRule(unknownAt, "no enabled RateLimitRule with action Block and a positive rateLimitThreshold matches "+streamPath)
}

func checkBlockedPaths(r inventory.Resource, cfg Config) []Finding {
	rules, paths, f := customRules(r)
	if f != nil {
		return f
	}
	var missing []string
	var unknownAt string
	for _, want := range cfg.BlockedPaths {
		blocked, u := blockRules(rules, paths, "MatchRule", func(_ int, rule map[string]any) bool {
			conds := conditions(rule)
			// Conditions are ANDed: the rule must be about the path alone.
			onlyPath := len(conds) > 0
			hits := false
			for _, c := range conds {
				if c.matchesPath(want) {
					hits = true
				} else if !strings.EqualFold(c.variable, "RequestUri") || c.negate {
					onlyPath = false
				}
			}
			return hits && onlyPath
		})
		// Each pass may see another computed rule first; keep the last seen.
		if u != "" {
			unknownAt = u
		}
		if !blocked {
			missing = append(missing, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return noBlockRule(unknownAt, "no enabled MatchRule with action Block covers "+strings.Join(missing, ", "))
}

// checkVersionRule looks for a MatchRule whose conditions are exactly the
// stream path and a negated Equal on Sec-WebSocket-Version with only "13":
// any further condition would narrow the rule, any other value would let
// that version through.
func checkVersionRule(r inventory.Resource, _ Config) []Finding {
	rules, paths, f := customRules(r)
	if f != nil {
		return f
	}
	var problems []Finding
	found, unknownAt := blockRules(rules, paths, "MatchRule", func(i int, rule map[string]any) bool {
		onStream, version, other := false, (*condition)(nil), false
		conds := conditions(rule)
		for j, c := range conds {
			switch {
			case c.matchesPath(streamPath):
				onStream = true
			case strings.EqualFold(c.variable, "RequestHeader") && strings.EqualFold(c.selector, "Sec-WebSocket-Version"):
				version = &conds[j]
			default:
				other = true
			}
		}
		if !onStream || version == nil || other {
			return false
		}
		if !version.negate || !strings.EqualFold(version.operator, "Equal") || len(version.values) != 1 || strings.TrimSpace(version.values[0]) != "13" {
			problems = append(problems, Finding{Property: paths[i] + ".matchConditions", Message: fmt.Sprintf("the Sec-WebSocket-Version condition is %s%s %v; want negated Equal [\"13\"]", map[bool]string{true: "negated ", false: ""}[version.negate], version.operator, version.values)})
			return false
		}
		return true
	})
	if found {
		return nil
	}
	if len(problems) > 0 {
		return problems[:1]
	}
	return noBlockRule(unknownAt, "no enabled custom rule blocks "+streamPath+" when Sec-WebSocket-Version is not 13 (MatchRule, action Block, RequestUri contains "+streamPath+", RequestHeader Sec-WebSocket-Version negated Equal [\"13\"])")
}

func checkOriginRequired(r inventory.Resource, _ Config) []Finding {
	rules, paths, f := customRules(r)
	if f != nil {
		return f
	}
	found, unknownAt := blockRules(rules, paths, "MatchRule", func(_ int, rule map[string]any) bool {
		onStream, missing := false, false
		for _, c := range conditions(rule) {
			onStream = onStream || c.matchesPath(streamPath)
			if strings.EqualFold(c.variable, "RequestHeader") && strings.EqualFold(c.selector, "Origin") && c.negate && strings.EqualFold(c.operator, "Any") {
				missing = true
			}
		}
		return onStream && missing
	})
	if found {
		return nil
	}
	// An Allow that needs an Origin from the allowlist, then a block of the
	// whole stream path: a handshake without Origin can only meet the block.
	if _, _, ok := allowThenBlock(rules, paths); ok {
		return nil
	}
	return noBlockRule(unknownAt, "no enabled custom rule blocks "+streamPath+" when the Origin header is missing (an Allow on RequestHeader Origin Equal <allowed origins> followed by a Block of "+streamPath+", or a Block with RequestHeader Origin operator Any negated)")
}

// allowThenBlock finds the structure components/waf.go builds: an enabled
// Allow MatchRule on the stream path whose Origin condition is a plain
// (not negated) Equal, followed at a later priority by an enabled Block
// MatchRule on the stream path with no other condition. It returns the
// Allow's Origin condition and the Allow's property path.
func allowThenBlock(rules []map[string]any, paths []string) (condition, string, bool) {
	for i, rule := range rules {
		if ruleUnknownPath(rule) != "" || !strings.EqualFold(text(rule["ruleType"]), "MatchRule") || !strings.EqualFold(text(rule["action"]), "Allow") {
			continue
		}
		onStream := false
		var origin *condition
		conds := conditions(rule)
		for j := range conds {
			c := conds[j]
			onStream = onStream || c.matchesPath(streamPath)
			if strings.EqualFold(c.variable, "RequestHeader") && strings.EqualFold(c.selector, "Origin") && !c.negate && strings.EqualFold(c.operator, "Equal") {
				origin = &conds[j]
			}
		}
		prio, ok := number(rule["priority"])
		if !onStream || origin == nil || !ok {
			continue
		}
		for _, other := range rules {
			p, ok := number(other["priority"])
			if !ok || p <= prio || ruleUnknownPath(other) != "" || !strings.EqualFold(text(other["ruleType"]), "MatchRule") || !strings.EqualFold(text(other["action"]), "Block") {
				continue
			}
			cs := conditions(other)
			only := len(cs) > 0
			for _, c := range cs {
				only = only && c.matchesPath(streamPath)
			}
			if only {
				return *origin, paths[i], true
			}
		}
	}
	return condition{}, "", false
}
