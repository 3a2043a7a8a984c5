package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Policy config keys a rule accepts besides enforcementLevel. They are the
// pack's config schema (PulumiPolicy) and `streamsec check --policy-config`
// reads the same file format as `pulumi preview --policy-pack-config`.
const (
	KeyAllowedOrigins = "allowedOrigins" // waf-origin-allowlist
	KeyMaxMB          = "maxMb"          // streamlit-max-message-size, streamlit-max-upload-size, streamlit-max-widget-state-size
	KeyInstanceCount  = "instanceCount"  // appservice-arr-affinity
	KeyBlockedPaths   = "blockedPaths"   // waf-internal-paths-blocked
	KeyMinMaxAge      = "minMaxAge"      // frontdoor-hsts
)

// ConfigKeys lists the extra keys each configurable rule accepts.
func ConfigKeys(id string) []string {
	switch id {
	case "waf-origin-allowlist":
		return []string{KeyAllowedOrigins}
	case "streamlit-max-message-size", "streamlit-max-upload-size", "streamlit-max-widget-state-size":
		return []string{KeyMaxMB}
	case "appservice-arr-affinity":
		return []string{KeyInstanceCount}
	case "waf-internal-paths-blocked":
		return []string{KeyBlockedPaths}
	case "frontdoor-hsts":
		return []string{KeyMinMaxAge}
	}
	return nil
}

// ApplyRuleConfig sets one rule's configuration values (not its level).
func (c *Config) ApplyRuleConfig(id string, props map[string]any) error {
	allowed := map[string]bool{"enforcementLevel": true}
	for _, k := range ConfigKeys(id) {
		allowed[k] = true
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var problems []error
	for _, k := range keys {
		v := props[k]
		if !allowed[k] {
			problems = append(problems, fmt.Errorf("%s.%s: unknown key (allowed: %s)", id, k, strings.Join(sortedKeys(allowed), ", ")))
			continue
		}
		var err error
		switch k {
		case KeyAllowedOrigins:
			c.AllowedOrigins, err = stringList(v)
		case KeyBlockedPaths:
			c.BlockedPaths, err = stringList(v)
		case KeyMaxMB, KeyInstanceCount, KeyMinMaxAge:
			var n int
			n, err = positiveInt(v)
			switch {
			case err != nil:
			case k == KeyInstanceCount:
				c.InstanceCount = n
			case k == KeyMinMaxAge:
				c.MinHSTSMaxAge = n
			case id == "streamlit-max-message-size":
				c.MaxMessageSizeMB = n
			case id == "streamlit-max-widget-state-size":
				c.MaxWidgetStateSizeMB = n
			default:
				c.MaxUploadSizeMB = n
			}
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s.%s: %w", id, k, err))
		}
	}
	return errors.Join(problems...)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stringList(v any) ([]string, error) {
	l, ok := v.([]any)
	if !ok {
		if s, isStrings := v.([]string); isStrings {
			return s, nil
		}
		return nil, fmt.Errorf("want a list of strings, got %T", v)
	}
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("want a list of strings, got an element of type %T", e)
		}
		out = append(out, s)
	}
	return out, nil
}

func positiveInt(v any) (int, error) {
	n, ok := number(v)
	if !ok || n < 1 || n != float64(int(n)) || n > 1<<31 {
		return 0, fmt.Errorf("want a positive whole number, got %v", v)
	}
	return int(n), nil
}

// ParseEnforcement reads a Pulumi enforcement level name.
func ParseEnforcement(s string) (Enforcement, error) {
	e := Enforcement(strings.ToLower(strings.TrimSpace(s)))
	if !e.Valid() {
		return "", fmt.Errorf("%q is not an enforcement level (mandatory, advisory or disabled)", s)
	}
	return e, nil
}

// ParsePolicyConfig applies a `--policy-pack-config` style JSON file to
// base: {"all": "advisory", "rule-id": "disabled", "other-rule":
// {"enforcementLevel": "mandatory", "maxMb": 2}}. Every problem is reported.
func ParsePolicyConfig(data []byte, base Config) (Config, error) {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return base, fmt.Errorf("policy config is not a JSON object: %w", err)
	}
	cfg := base
	cfg.Enforcement = map[string]Enforcement{}
	for k, v := range base.Enforcement {
		cfg.Enforcement[k] = v
	}
	ids := make([]string, 0, len(raw))
	for id := range raw {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var problems []error
	setLevel := func(id string, v any) {
		s, ok := v.(string)
		if !ok {
			problems = append(problems, fmt.Errorf("%s.enforcementLevel: want a string, got %T", id, v))
			return
		}
		e, err := ParseEnforcement(s)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", id, err))
			return
		}
		if id == "all" {
			for _, r := range All() {
				cfg.Enforcement[r.ID] = e
			}
			return
		}
		cfg.Enforcement[id] = e
	}
	// "all" first, so a rule's own entry wins.
	sort.SliceStable(ids, func(i, j int) bool { return ids[i] == "all" && ids[j] != "all" })
	for _, id := range ids {
		if _, ok := ByID(id); !ok && id != "all" {
			problems = append(problems, fmt.Errorf("%s: unknown rule (see docs/rules.md)", id))
			continue
		}
		switch v := raw[id].(type) {
		case string:
			setLevel(id, v)
		case map[string]any:
			props := map[string]any{}
			for k, pv := range v {
				if n, ok := pv.(json.Number); ok {
					f, _ := n.Float64()
					pv = f
				}
				props[k] = pv
			}
			if lvl, ok := props["enforcementLevel"]; ok {
				setLevel(id, lvl)
			}
			if id != "all" {
				if err := cfg.ApplyRuleConfig(id, props); err != nil {
					problems = append(problems, err)
				}
			}
		default:
			problems = append(problems, fmt.Errorf("%s: want a level or an object, got %T", id, v))
		}
	}
	if len(problems) > 0 {
		return base, fmt.Errorf("policy config: %w", errors.Join(problems...))
	}
	return cfg, nil
}
