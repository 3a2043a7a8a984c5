package plan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
)

// FuzzPlan feeds hostile values through the Spec into the program: a value
// the Spec accepts must plan without panic, and what reaches the WAF and the
// App Settings is exactly the Spec's (no value is altered or injected).
func FuzzPlan(f *testing.F) {
	f.Add("dash.example.com", "https://a.example.com", "/admin", "30", "2")
	f.Add("", "https://x.example.com:8443", "/st-metrics", "10", "1")
	f.Add("evil.com\n", "null", "/_stcore/stream", "5", "0")
	f.Add("a.b", "http://a.example.com", "/a\"b", "1000", "31")
	f.Add(strings.Repeat("a", 300)+".com", "https://*.example.com", "/#", "x", "-1")
	f.Fuzz(func(t *testing.T, domain, origin, blocked, rate, instances string) {
		values := map[string]any{
			"appName": "dashboard", "namePrefix": "acme", "domain": domain,
			"allowedOrigins": origin, "blockedPaths": blocked,
			"rateLimitPerMinute": rate, "instanceCount": instances,
			"cookieSecret": "fuzz-cookie-secret-0123456789abcdef0123456789",
		}
		s, err := spec.Decode("fuzz", func(k string) (any, bool) { v, ok := values[k]; return v, ok })
		if err != nil {
			return // refused with a message; nothing reaches the program
		}
		p, err := Run(context.Background(), s)
		if err != nil {
			t.Fatalf("valid spec did not plan: %v", err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "fuzz-cookie-secret") {
			t.Fatal("secret in plan")
		}
		for _, r := range p.Resources {
			if inventory.BaseType(r.Type) != "azure-native:network:Policy" {
				continue
			}
			// The Allow rule's Origin condition (components/waf.go).
			v, _ := r.Get("customRules.rules.3.matchConditions.2.matchValue")
			list, _ := v.([]any)
			if len(list) == 0 {
				t.Fatal("empty origin allowlist")
			}
			for _, o := range list {
				os, _ := o.(string)
				if !strings.HasPrefix(os, "https://") || strings.ContainsAny(os, " \n\"*") {
					t.Fatalf("origin %q reached the WAF", os)
				}
			}
		}
	})
}
