// Package plantest checks that the web app's App Settings in the offline
// plan carry the same values as the config.toml `streamsec render` writes.
// It lives apart from the renderer's own tests because it links the Pulumi
// program (azure-native SDK), which is slow to build.
package plantest

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	burnt "github.com/BurntSushi/toml"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

func TestPlanAppSettingsMatchConfigTOML(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			l, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: filepath.Join("..", "..", "..", "stacks"), Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			s := l.Spec
			p, err := plan.Run(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			settings, cmdLine := webApp(t, p.Resources)
			if want := streamlit.StartupCommand(s); cmdLine != want {
				t.Errorf("appCommandLine %q, want %q", cmdLine, want)
			}

			// Origins known only at deploy time must be this stack's Front
			// Door endpoint; the rest of the list must be the Spec's.
			var rt streamlit.Runtime
			for _, o := range strings.Fields(settings[streamlit.EnvName("server.corsAllowedOrigins")]) {
				if !contains(s.Origins(), o) {
					if !strings.HasSuffix(o, ".azurefd.net") {
						t.Errorf("plan allows origin %s, which is neither the Spec's nor a Front Door endpoint", o)
					}
					rt.ExtraOrigins = append(rt.ExtraOrigins, o)
				}
			}
			data, err := streamlit.ConfigTOML(s, rt)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]map[string]any
			if _, err := burnt.Decode(string(data), &doc); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for section, opts := range doc {
				for key, v := range opts {
					name := streamlit.EnvName(section + "." + key)
					seen[name] = true
					got, ok := settings[name]
					if !ok {
						t.Errorf("config.toml sets %s.%s; the plan has no %s", section, key, name)
						continue
					}
					if want := envValue(v); got != want {
						t.Errorf("%s: plan %q, config.toml %q", name, got, want)
					}
				}
			}
			// The Starlette-era settings (the stacks target 1.67.0), with
			// allowedHosts naming exactly the web app's own host.
			for name, want := range map[string]string{
				streamlit.EnvName("server.allowedHosts"):         appName(t, p.Resources) + ".azurewebsites.net",
				streamlit.EnvName("server.xsrfCookieSameSite"):   "strict",
				streamlit.EnvName("server.maxWidgetStateSize"):   strconv.Itoa(s.MaxWidgetStateSizeMB),
				streamlit.EnvName("server.enableAgentApi"):       "false",
				streamlit.EnvName("client.showErrorDetails"):     "none",
				streamlit.EnvName("server.enableXsrfProtection"): "true",
			} {
				if got, ok := settings[name]; !ok || got != want {
					t.Errorf("plan App Setting %s = %q (present %v), want %q", name, got, ok, want)
				}
			}
			if _, ok := settings[streamlit.EnvName("server.useStarlette")]; ok {
				t.Error("plan sets server.useStarlette, which 1.57+ does not have")
			}
			for name, v := range settings {
				switch {
				case name == streamlit.EnvName(streamlit.CookieSecretOption):
					if !streamlit.IsKeyVaultReference(v) {
						t.Errorf("cookie secret setting is not a Key Vault reference: %q", v)
					}
				case strings.HasPrefix(name, "STREAMLIT_") && !seen[name]:
					t.Errorf("plan sets %s, which config.toml lacks", name)
				}
			}
		})
	}
}

// appName is the plan's web app name (an input known at preview).
func appName(t *testing.T, rs []inventory.Resource) string {
	t.Helper()
	for _, r := range rs {
		if inventory.BaseType(r.Type) == "azure-native:web:WebApp" {
			v, _ := r.Get("name")
			if name, ok := v.(string); ok && name != "" {
				return name
			}
		}
	}
	t.Fatal("plan has no web app with a known name")
	return ""
}

// webApp returns the App Settings (name -> value) and startup command of
// the plan's one web app.
func webApp(t *testing.T, rs []inventory.Resource) (map[string]string, string) {
	t.Helper()
	var apps []inventory.Resource
	for _, r := range rs {
		if inventory.BaseType(r.Type) == "azure-native:web:WebApp" {
			apps = append(apps, r)
		}
	}
	if len(apps) != 1 {
		t.Fatalf("plan has %d web apps, want 1", len(apps))
	}
	v, _ := apps[0].Get("siteConfig.appSettings")
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("siteConfig.appSettings is %T (%v), want a list", v, v)
	}
	out := map[string]string{}
	for _, e := range list {
		m, _ := e.(map[string]any)
		name, _ := m["name"].(string)
		value, _ := m["value"].(string)
		if _, dup := out[name]; dup {
			t.Errorf("App Setting %s appears twice", name)
		}
		out[name] = value
	}
	cmd, _ := apps[0].Get("siteConfig.appCommandLine")
	line, _ := cmd.(string)
	return out, line
}

func envValue(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, p := range list {
			parts[i], _ = p.(string)
		}
		return strings.Join(parts, " ")
	}
	return streamlit.EnvValue(normal(v))
}

func normal(v any) any {
	if n, ok := v.(int64); ok {
		return int(n)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
