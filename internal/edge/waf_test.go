package edge

import (
	"net/http"
	"strings"
	"testing"
)

func cond(variable, selector, op string, negate bool, values []string, transforms ...string) Condition {
	return Condition{Variable: variable, Selector: selector, Operator: op, Negate: negate, Values: values, Transforms: transforms}
}

func wsReq(origin string) Request {
	h := http.Header{"Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}}
	if origin != "-" {
		h.Set("Origin", origin)
	}
	return Request{Scheme: "https", Host: "dash.example.com", Method: "GET", Target: "/_stcore/stream", Header: h, SocketIP: "203.0.113.7", Seq: 1}
}

func TestConditionNegationAndAbsence(t *testing.T) {
	stream := cond("RequestUri", "", "Contains", false, []string{"/_stcore/stream"})
	tests := []struct {
		name string
		c    Condition
		req  Request
		rd   Reading
		want bool
	}{
		{"uri contains", stream, wsReq("x"), Reading{}, true},
		{"uri contains, full URL", stream, wsReq("x"), Reading{FullURI: true}, true},
		{"uri negated", cond("RequestUri", "", "Contains", true, []string{"/_stcore/stream"}), wsReq("x"), Reading{}, false},
		{"begins-with on full URL reading", cond("RequestUri", "", "BeginsWith", false, []string{"/_stcore/"}), wsReq("x"), Reading{FullURI: true}, false},
		{"origin equal after lowercase", cond("RequestHeader", "Origin", "Equal", false, []string{"https://dash.example.com"}, "Lowercase"), wsReq("https://DASH.example.com"), Reading{}, true},
		{"origin equal, no lowercase", cond("RequestHeader", "Origin", "Equal", false, []string{"https://dash.example.com"}), wsReq("https://DASH.example.com"), Reading{}, false},
		{"origin negated equal, foreign", cond("RequestHeader", "Origin", "Equal", true, []string{"https://dash.example.com"}), wsReq("https://evil.example"), Reading{}, true},
		{"selector without case", cond("RequestHeader", "origin", "Equal", false, []string{"https://dash.example.com"}), wsReq("https://dash.example.com"), Reading{}, true},
		{"several values ORed", cond("RequestHeader", "Origin", "Equal", false, []string{"https://a", "https://dash.example.com"}), wsReq("https://dash.example.com"), Reading{}, true},
		// The undocumented case: a condition on a header that was not sent.
		{"negated Any, absent, no-match reading", cond("RequestHeader", "Origin", "Any", true, nil), wsReq("-"), Reading{Absent: AbsentNoMatch}, true},
		{"negated Any, absent, empty reading", cond("RequestHeader", "Origin", "Any", true, nil), wsReq("-"), Reading{Absent: AbsentEmpty}, false},
		{"negated Any, absent, false reading", cond("RequestHeader", "Origin", "Any", true, nil), wsReq("-"), Reading{Absent: AbsentFalse}, false},
		{"negated Any, present", cond("RequestHeader", "Origin", "Any", true, nil), wsReq("https://x"), Reading{}, false},
		{"equal, absent, every reading false", cond("RequestHeader", "Origin", "Equal", false, []string{"https://dash.example.com"}), wsReq("-"), Reading{Absent: AbsentEmpty}, false},
		{"socket IP match", cond("SocketAddr", "", "IPMatch", false, []string{"203.0.113.0/24"}), wsReq("x"), Reading{}, true},
		{"remote addr falls back to socket", cond("RemoteAddr", "", "IPMatch", true, []string{"10.0.0.0/8"}), wsReq("x"), Reading{}, true},
		{"method", cond("RequestMethod", "", "Equal", false, []string{"GET"}), wsReq("x"), Reading{}, true},
		{"query string", cond("QueryString", "", "Contains", false, []string{"token="}), Request{Target: "/a?token=1"}, Reading{}, true},
		{"cookie by name", cond("Cookies", "session", "Equal", false, []string{"abc"}), Request{Target: "/", Header: http.Header{"Cookie": {"a=1; session=abc"}}}, Reading{}, true},
		{"post arg", cond("PostArgs", "user", "Equal", false, []string{"admin"}), Request{Target: "/", Body: "x=1&user=admin"}, Reading{}, true},
		{"body", cond("RequestBody", "", "Contains", false, []string{"<script"}), Request{Target: "/", Body: "a<script>"}, Reading{}, true},
		{"transforms in order", cond("RequestUri", "", "Contains", false, []string{"/_stcore/stream"}, "UrlDecode", "Lowercase"), Request{Target: "/_STCORE/%53tream"}, Reading{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if err := c.compile(); err != nil {
				t.Fatal(err)
			}
			if got := c.eval(tc.req, tc.rd); got != tc.want {
				t.Errorf("eval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConditionCompileErrors(t *testing.T) {
	for _, c := range []Condition{
		cond("RequestUrl", "", "Contains", false, []string{"/x"}),
		cond("RequestHeader", "", "Equal", false, []string{"x"}),
		cond("RequestUri", "", "Contains", false, []string{"/x"}, "Reverse"),
	} {
		if err := c.compile(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func policy(prevention bool, rules ...CustomRule) *WAFPolicy {
	for i := range rules {
		for j := range rules[i].Conditions {
			if err := rules[i].Conditions[j].compile(); err != nil {
				panic(err)
			}
		}
		rules[i].Enabled = !strings.HasPrefix(rules[i].Name, "Off")
	}
	sortRules(rules)
	return &WAFPolicy{Name: "waf", Enabled: true, Prevention: prevention, BlockStatus: 403, Rules: rules}
}

func TestWAFActions(t *testing.T) {
	onStream := cond("RequestUri", "", "Contains", false, []string{"/_stcore/stream"})
	rule := func(name string, prio int, action string) CustomRule {
		return CustomRule{Name: name, Priority: prio, Action: action, Conditions: []Condition{onStream}}
	}
	tests := []struct {
		name       string
		p          *WAFPolicy
		req        Request
		wantAction string
		wantBy     string
	}{
		{"block", policy(true, rule("B", 10, "Block")), wsReq("x"), "Block", "B"},
		{"allow ends evaluation", policy(true, rule("A", 5, "Allow"), rule("B", 10, "Block")), wsReq("x"), "Allow", "A"},
		{"priority, not list order", policy(true, rule("B", 10, "Block"), rule("A", 20, "Allow")), wsReq("x"), "Block", "B"},
		{"log continues", policy(true, rule("L", 5, "Log"), rule("B", 10, "Block")), wsReq("x"), "Block", "B"},
		{"redirect ends evaluation", policy(true, rule("R", 5, "Redirect"), rule("B", 10, "Block")), wsReq("x"), "Redirect", "R"},
		{"detection only logs", policy(false, rule("B", 10, "Block")), wsReq("x"), "", "Detection"},
		{"disabled rule skipped", policy(true, rule("OffA", 5, "Allow"), rule("B", 10, "Block")), wsReq("x"), "Block", "B"},
		{"no match", policy(true, rule("B", 10, "Block")), Request{Target: "/", Header: http.Header{}}, "", "no WAF custom rule"},
		{"rate limit under threshold", policy(true, CustomRule{Name: "RL", Priority: 1, Action: "Block", RateLimit: true, Threshold: 20, Conditions: []Condition{onStream}}), wsReq("x"), "", "no WAF custom rule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.p.Evaluate(tc.req, Reading{})
			if d.Action != tc.wantAction || !strings.Contains(d.By, tc.wantBy) {
				t.Errorf("got %q by %q, want %q by ...%s...", d.Action, d.By, tc.wantAction, tc.wantBy)
			}
		})
	}
	over := wsReq("x")
	over.Seq = 21
	p := policy(true, CustomRule{Name: "RL", Priority: 1, Action: "Block", RateLimit: true, Threshold: 20, Conditions: []Condition{onStream}})
	if d := p.Evaluate(over, Reading{}); d.Action != "Block" || d.Status != 403 {
		t.Errorf("21st request of a burst over 20: %+v", d)
	}
	off := policy(true, rule("B", 10, "Block"))
	off.Enabled = false
	if d := off.Evaluate(wsReq("x"), Reading{}); d.Action != "" || !strings.Contains(d.By, "Disabled") {
		t.Errorf("disabled policy: %+v", d)
	}
}
