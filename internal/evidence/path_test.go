package evidence

import (
	"testing"

	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/inventory"
)

func TestWalk(t *testing.T) {
	inputs := map[string]any{
		"customRules": map[string]any{"rules": []any{
			map[string]any{"ruleType": "MatchRule", "matchConditions": []any{map[string]any{"selector": "Origin", "matchValue": []any{"https://a"}}}},
			map[string]any{"ruleType": "RateLimitRule", "rateLimitThreshold": 20.0},
		}},
		"headers":  map[string]any{"x-azure-fdid": []any{"id"}},
		"computed": inventory.Unknown,
	}
	cases := []struct {
		path string
		want []string
	}{
		{"customRules.rules[ruleType=RateLimitRule].rateLimitThreshold", []string{"20"}},
		{"customRules.rules[ruleType=ratelimitrule].rateLimitThreshold", []string{"20"}},
		{"customRules.rules[].matchConditions[selector=Origin].matchValue.0", []string{"https://a"}},
		{"customRules.rules.1.ruleType", []string{"RateLimitRule"}},
		{"customRules.rules.7.ruleType", nil},
		{"headers.x-azure-fdid.0", []string{"id"}},
		{"computed.deeper[a=b]", []string{"(known after apply)"}},
		{"nothing", nil},
	}
	for _, tc := range cases {
		steps, err := parsePath(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var got []string
		for _, f := range walk(inputs, steps, "") {
			got = append(got, plain(f.value))
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%s = %v, want %v", tc.path, got, tc.want)
		}
	}
	for _, bad := range []string{"", "a[", "a[=b]", "a[b]"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) accepted", bad)
		}
	}
}

func TestJudge(t *testing.T) {
	age := 31536000.0
	cases := []struct {
		e    controls.Expect
		vals []any
		want string
	}{
		{controls.Expect{Equals: true}, []any{true}, "pass"},
		{controls.Expect{Equals: true}, []any{"True"}, "pass"},
		{controls.Expect{Equals: true}, []any{false}, "fail"},
		{controls.Expect{Equals: true}, nil, "fail"},
		{controls.Expect{Equals: true}, []any{inventory.Unknown}, "unknown"},
		{controls.Expect{In: []any{"1.2", "1.3"}}, []any{"1.0"}, "fail"},
		{controls.Expect{Absent: true}, nil, "pass"},
		{controls.Expect{Absent: true}, []any{map[string]any{}}, "fail"},
		{controls.Expect{NotContains: "*"}, []any{[]any{"https://a", "*"}}, "fail"},
		{controls.Expect{NotContains: "*"}, nil, "pass"},
		{controls.Expect{Contains: "/st-metrics"}, []any{[]any{"/_stcore/metrics", "/st-metrics"}}, "pass"},
		{controls.Expect{MaxAge: &age}, []any{"max-age=63072000; includeSubDomains"}, "pass"},
		{controls.Expect{MaxAge: &age}, []any{"max-age=300"}, "fail"},
		{controls.Expect{StartsWith: "@Microsoft.KeyVault("}, []any{"plain"}, "fail"},
		{controls.Expect{}, []any{"x"}, "info"},
	}
	for i, tc := range cases {
		if got := judge(tc.e, tc.vals, nil); got.status != tc.want {
			t.Errorf("case %d %s on %v: %s (%s), want %s", i, tc.e.String(), tc.vals, got.status, got.why, tc.want)
		}
	}
}

func FuzzPath(f *testing.F) {
	f.Add("customRules.rules[ruleType=RateLimitRule].rateLimitThreshold", "RateLimitRule")
	f.Add("a[]..b[c.d=e.f].0", "x")
	f.Fuzz(func(t *testing.T, path, value string) {
		steps, err := parsePath(path)
		if err != nil {
			return
		}
		inputs := map[string]any{"a": []any{map[string]any{"b": value, "c": map[string]any{"d": value}}}, "customRules": map[string]any{"rules": []any{value, nil, inventory.Unknown}}}
		for _, f := range walk(inputs, steps, "") {
			_ = plain(f.value)
			_ = judge(controls.Expect{Contains: value}, []any{f.value}, nil)
		}
	})
}
