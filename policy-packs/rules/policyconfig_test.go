package rules

import (
	"strings"
	"testing"
)

func TestParsePolicyConfig(t *testing.T) {
	cfg, err := ParsePolicyConfig([]byte(`{
		"all": "advisory",
		"waf-enabled": "mandatory",
		"appservice-http2": {"enforcementLevel": "disabled"},
		"waf-origin-allowlist": {"allowedOrigins": ["https://a.example.com"]},
		"streamlit-max-message-size": {"maxMb": 3},
		"streamlit-max-upload-size": {"maxMb": 7},
		"appservice-arr-affinity": {"instanceCount": 2},
		"frontdoor-hsts": {"minMaxAge": 63072000},
		"waf-internal-paths-blocked": {"blockedPaths": ["/x"]}
	}`), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Enforcement["waf-enabled"] != Mandatory || cfg.Enforcement["appservice-http2"] != Disabled || cfg.Enforcement["keyvault-rbac"] != Advisory {
		t.Errorf("levels: %v", cfg.Enforcement)
	}
	if cfg.AllowedOrigins[0] != "https://a.example.com" || cfg.MaxMessageSizeMB != 3 || cfg.MaxUploadSizeMB != 7 ||
		cfg.InstanceCount != 2 || cfg.MinHSTSMaxAge != 63072000 || cfg.BlockedPaths[0] != "/x" {
		t.Errorf("settings: %+v", cfg)
	}
	_, err = ParsePolicyConfig([]byte(`{"nope": "advisory", "waf-enabled": "loud", "keyvault-rbac": 3, "streamlit-max-message-size": {"maxMb": -1, "other": 1}}`), DefaultConfig())
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"nope: unknown rule", "waf-enabled", "keyvault-rbac", "maxMb", "other: unknown key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	if _, err := ParsePolicyConfig([]byte(`[1]`), DefaultConfig()); err == nil {
		t.Error("non-object accepted")
	}
}

func FuzzParsePolicyConfig(f *testing.F) {
	f.Add([]byte(`{"all":"advisory","waf-origin-allowlist":{"allowedOrigins":["https://x"]}}`))
	f.Add([]byte(`{"streamlit-max-message-size":{"maxMb":1e308}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParsePolicyConfig(b, DefaultConfig())
		if err == nil {
			if vErr := cfg.Validate(); vErr != nil {
				t.Fatalf("parsed config does not validate: %v", vErr)
			}
		}
	})
}
