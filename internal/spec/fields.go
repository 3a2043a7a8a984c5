package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Source looks up one Spec key (camelCase, without the namespace). Values
// are what the source holds: YAML types from a stack file, strings from the
// environment, flags or the Pulumi engine (lists and maps then as JSON).
type Source func(key string) (value any, ok bool)

// field binds a config key to the Spec member it fills.
type field struct {
	key  string
	kind kind
	set  func(s *Spec, v any)
}

type kind int

const (
	kindString kind = iota
	kindInt
	kindList
	kindMap
	kindSecret
)

func (k kind) String() string {
	switch k {
	case kindInt:
		return "a whole number"
	case kindList:
		return "a list of strings"
	case kindMap:
		return "a map of strings"
	case kindSecret:
		return "a secret string"
	default:
		return "a string"
	}
}

// fields lists every key a stack file may hold under `streamsec:`.
func fields() []field {
	str := func(key string, p func(*Spec) *string) field {
		return field{key, kindString, func(s *Spec, v any) { *p(s) = v.(string) }}
	}
	num := func(key string, p func(*Spec) *int) field {
		return field{key, kindInt, func(s *Spec, v any) { *p(s) = v.(int) }}
	}
	list := func(key string, p func(*Spec) *[]string) field {
		return field{key, kindList, func(s *Spec, v any) { *p(s) = v.([]string) }}
	}
	return []field{
		str("appName", func(s *Spec) *string { return &s.AppName }),
		str("location", func(s *Spec) *string { return &s.Location }),
		str("namePrefix", func(s *Spec) *string { return &s.NamePrefix }),
		{"tags", kindMap, func(s *Spec, v any) { s.Tags = v.(map[string]string) }},
		str("appServiceSku", func(s *Spec) *string { return &s.AppServiceSku }),
		num("instanceCount", func(s *Spec) *int { return &s.InstanceCount }),
		str("pythonVersion", func(s *Spec) *string { return &s.PythonVersion }),
		str("streamlitVersion", func(s *Spec) *string { return &s.StreamlitVersion }),
		str("appEntry", func(s *Spec) *string { return &s.AppEntry }),
		str("healthCheckPath", func(s *Spec) *string { return &s.HealthCheckPath }),
		str("domain", func(s *Spec) *string { return &s.Domain }),
		list("allowedOrigins", func(s *Spec) *[]string { return &s.AllowedOrigins }),
		str("frontDoorSku", func(s *Spec) *string { return &s.FrontDoorSku }),
		str("wafMode", func(s *Spec) *string { return &s.WAFMode }),
		num("rateLimitPerMinute", func(s *Spec) *int { return &s.RateLimitPerMinute }),
		list("blockedPaths", func(s *Spec) *[]string { return &s.BlockedPaths }),
		str("certificateSource", func(s *Spec) *string { return &s.CertificateSource }),
		str("certificateName", func(s *Spec) *string { return &s.CertificateName }),
		str("authMode", func(s *Spec) *string { return &s.AuthMode }),
		str("authTenantId", func(s *Spec) *string { return &s.AuthTenantID }),
		str("authClientId", func(s *Spec) *string { return &s.AuthClientID }),
		num("maxMessageSizeMb", func(s *Spec) *int { return &s.MaxMessageSizeMB }),
		num("maxUploadSizeMb", func(s *Spec) *int { return &s.MaxUploadSizeMB }),
		num("maxWidgetStateSizeMb", func(s *Spec) *int { return &s.MaxWidgetStateSizeMB }),
		num("sessionTtlSeconds", func(s *Spec) *int { return &s.SessionTTLSeconds }),
		num("pingIntervalSeconds", func(s *Spec) *int { return &s.PingIntervalSeconds }),
		str("vnetAddressSpace", func(s *Spec) *string { return &s.VNetAddressSpace }),
		str("appSubnet", func(s *Spec) *string { return &s.AppSubnet }),
		str("privateEndpointSubnet", func(s *Spec) *string { return &s.PrivateEndpointSubnet }),
		num("logRetentionDays", func(s *Spec) *int { return &s.LogRetentionDays }),
		{"cookieSecret", kindSecret, func(s *Spec, v any) { s.CookieSecret = v.(Secret) }},
	}
}

// Keys lists every Spec key, sorted, for help texts and error messages.
func Keys() []string {
	var keys []string
	for _, f := range fields() {
		keys = append(keys, f.key)
	}
	sort.Strings(keys)
	return keys
}

// EnvName is the environment variable that overrides a key:
// appName -> STREAMSEC_APP_NAME.
func EnvName(key string) string {
	var b strings.Builder
	b.WriteString("STREAMSEC_")
	for i, r := range key {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// convert turns a raw source value into the Go type a field holds.
func convert(k kind, raw any) (any, error) {
	switch k {
	case kindString:
		switch v := raw.(type) {
		case string:
			return v, nil
		case int, int64, uint64:
			return fmt.Sprint(v), nil
		case float64:
			// YAML reads 3.10 as the float 3.1: refuse rather than guess.
			return nil, fmt.Errorf("is the number %v; quote it so it stays text, for example \"%v\"", v, v)
		}
	case kindInt:
		switch v := raw.(type) {
		case int:
			return v, nil
		case int64:
			if v >= -1<<31 && v < 1<<31 {
				return int(v), nil
			}
		case uint64:
			if v < 1<<31 {
				return int(v), nil
			}
		case float64:
			if v == float64(int(v)) && v >= -1<<31 && v < 1<<31 {
				return int(v), nil
			}
		case string:
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil {
				return n, nil
			}
		}
	case kindList:
		switch v := raw.(type) {
		case []string:
			return v, nil
		case []any:
			out := make([]string, 0, len(v))
			for i, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("item %d is not a string", i)
				}
				out = append(out, s)
			}
			return out, nil
		case string:
			t := strings.TrimSpace(v)
			if t == "" {
				return []string{}, nil
			}
			if strings.HasPrefix(t, "[") {
				var out []string
				if err := json.Unmarshal([]byte(t), &out); err != nil {
					return nil, fmt.Errorf("is not a JSON list of strings: %v", err)
				}
				return out, nil
			}
			parts := strings.Split(t, ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			return parts, nil
		}
	case kindMap:
		switch v := raw.(type) {
		case map[string]string:
			return v, nil
		case map[string]any:
			out := make(map[string]string, len(v))
			for key, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("value of %q is not a string", key)
				}
				out[key] = s
			}
			return out, nil
		case string:
			out := map[string]string{}
			if strings.TrimSpace(v) == "" {
				return out, nil
			}
			if err := json.Unmarshal([]byte(v), &out); err != nil {
				return nil, fmt.Errorf("is not a JSON object of strings: %v", err)
			}
			return out, nil
		}
	case kindSecret:
		switch v := raw.(type) {
		case Secret:
			return v, nil
		case string:
			return NewSecret(v), nil
		case map[string]any:
			if s, ok := v["secure"].(string); ok && s != "" {
				return Secret{Encrypted: true}, nil
			}
		}
	}
	return nil, fmt.Errorf("must be %s", k)
}
