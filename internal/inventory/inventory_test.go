package inventory

import "testing"

func TestBaseType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"azure-native:network:Policy", "azure-native:network:Policy"},
		{"azure-native:network/v20240201:Policy", "azure-native:network:Policy"},
		{"azure-native:web/v20231201:WebApp", "azure-native:web:WebApp"},
		{"pulumi:pulumi:Stack", "pulumi:pulumi:Stack"},
		{"streamsec:components:AppService", "streamsec:components:AppService"},
		{"garbage", "garbage"},
	}
	for _, tt := range tests {
		if got := BaseType(tt.in); got != tt.want {
			t.Errorf("BaseType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	in := map[string]any{
		"siteConfig": map[string]any{"minTlsVersion": "1.2", "ipSecurityRestrictions": []any{map[string]any{"action": "Allow"}}},
		"later":      Unknown,
	}
	tests := []struct {
		path   string
		want   any
		wantOK bool
	}{
		{"siteConfig.minTlsVersion", "1.2", true},
		{"siteConfig.ipSecurityRestrictions.0.action", "Allow", true},
		{"siteConfig.ipSecurityRestrictions.1.action", nil, false},
		{"siteConfig.ipSecurityRestrictions.x", nil, false},
		{"siteConfig.missing", nil, false},
		{"later.deeper", Unknown, true},
		{"later", Unknown, true},
	}
	for _, tt := range tests {
		got, ok := Lookup(in, tt.path)
		if ok != tt.wantOK || got != tt.want {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestScalar(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{nil, ""}, {"x", "x"}, {true, "true"}, {float64(3), "3"}, {2.5, "2.5"},
		{int(7), "7"}, {int64(-9), "-9"}, {[]any{"a"}, "[a]"},
	} {
		if got := Scalar(tt.in); got != tt.want {
			t.Errorf("Scalar(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
