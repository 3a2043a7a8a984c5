package components

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// noMocks fails every call: the tests below must stop before registering.
type noMocks struct{ t *testing.T }

func (m noMocks) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.t.Errorf("unexpected resource %s %s", a.TypeToken, a.Name)
	return "", nil, nil
}

func (m noMocks) Call(a pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.t.Errorf("unexpected invoke %s", a.Token)
	return nil, nil
}

// A HardenedStack is never built from a missing or invalid Spec, even one
// that skipped spec.Load.
func TestHardenedStackRefusesBadSpec(t *testing.T) {
	valid := spec.Defaults()
	valid.Stack, valid.AppName, valid.NamePrefix = "dev", "dashboard", "acme"
	badOrigin := valid
	badOrigin.AllowedOrigins = []string{"https://evil.example.com\nX-Injected: 1"}
	badPath := valid
	badPath.BlockedPaths = []string{"/_stcore/stream"}
	for _, tc := range []struct {
		name string
		args *HardenedStackArgs
		want string
	}{
		{"nil args", nil, "no spec"},
		{"nil spec", &HardenedStackArgs{}, "no spec"},
		{"origin with a newline", &HardenedStackArgs{Spec: &badOrigin}, "allowedOrigins"},
		{"blocking the WebSocket", &HardenedStackArgs{Spec: &badPath}, "blockedPaths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				_, err := NewHardenedStack(ctx, "s", tc.args)
				return err
			}, pulumi.WithMocks("streamsec", "dev", noMocks{t}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error naming %q, got %v", tc.want, err)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	want := map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
	}
	seen := map[string]bool{}
	for _, h := range SecurityHeaders() {
		seen[h.Name] = true
		if w, ok := want[h.Name]; ok && h.Value != w {
			t.Errorf("%s = %q, want %q", h.Name, h.Value, w)
		}
		if h.Delete && h.Name != "Server" {
			t.Errorf("only Server is deleted, not %s", h.Name)
		}
	}
	for _, name := range []string{"Content-Security-Policy", "Referrer-Policy", "Permissions-Policy", "Server"} {
		if !seen[name] {
			t.Errorf("missing header action for %s", name)
		}
	}
	for _, directive := range []string{"connect-src 'self' wss:", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, directive) {
			t.Errorf("CSP lacks %q", directive)
		}
	}
}

// checkedHostName lets Front Door's origin use the app's host only when it
// is the name server.allowedHosts was rendered with (1.61+).
func TestCheckedHostName(t *testing.T) {
	s := spec.Defaults()
	s.Stack, s.AppName, s.NamePrefix = "dev", "dashboard", "acme"
	old := s
	old.StreamlitVersion = "1.60.0"
	for _, tc := range []struct {
		name, host string
		spec       *spec.Spec
		wantErr    bool
	}{
		{"same name", "acme-dashboard-dev-app.azurewebsites.net", &s, false},
		{"regional unique name", "acme-dashboard-dev-app-a1b2c3.westeurope-01.azurewebsites.net", &s, true},
		{"before allowedHosts", "acme-dashboard-dev-app-a1b2c3.westeurope-01.azurewebsites.net", &old, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				ctx.Export("host", checkedHostName(tc.spec, pulumi.String(tc.host).ToStringOutput()))
				return nil
			}, pulumi.WithMocks("streamsec", "dev", noMocks{t}))
			if (err != nil) != tc.wantErr || (err != nil && !strings.Contains(err.Error(), "allowedHosts")) {
				t.Errorf("err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
