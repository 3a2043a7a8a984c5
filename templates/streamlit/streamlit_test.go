package streamlit

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	burnt "github.com/BurntSushi/toml"

	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

const kvRef = "@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/cookie-secret/)"

func devSpec() *spec.Spec {
	s := spec.Defaults()
	s.Stack = "dev"
	s.AppName = "dashboard"
	s.NamePrefix = "acme"
	return &s
}

func prodSpec() *spec.Spec {
	s := devSpec()
	s.Stack = "prod"
	s.Domain = "dash.example.com"
	s.AllowedOrigins = []string{"https://admin.example.com:8443"}
	s.MaxMessageSizeMB = 2
	s.MaxUploadSizeMB = 5
	s.CookieSecret = spec.NewSecret(strings.Repeat("ab", 32))
	return s
}

// parseFlat reads TOML with BurntSushi/toml (not the library the audit
// uses, so the renderer is checked independently) into section.option.
func parseFlat(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if _, err := burnt.Decode(string(data), &doc); err != nil {
		t.Fatalf("rendered TOML does not parse: %v\n%s", err, data)
	}
	flat := map[string]any{}
	for section, v := range doc {
		opts, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("top-level key %q is not a table", section)
		}
		for k, val := range opts {
			flat[section+"."+k] = val
		}
	}
	return flat
}

// normal turns an Entry value into what a TOML parser returns.
func normal(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestConfigTOMLRoundTrip(t *testing.T) {
	versions := []string{"1.39.0", "1.40.2", "1.41.0", "1.45.1", "1.46.0", "1.48.1", "1.49.0", "1.50.0", "1.56.0", "1.57.0", "1.59.0", "1.60.0", "1.61.0", "1.66.1", "1.67.0", "1.70.0"}
	specs := map[string]*spec.Spec{"dev": devSpec(), "prod": prodSpec()}
	for name, base := range specs {
		for _, ver := range versions {
			t.Run(name+"@"+ver, func(t *testing.T) {
				s := *base
				s.StreamlitVersion = ver
				rt := Runtime{ExtraOrigins: []string{"https://dash-abc123.z01.azurefd.net"}}
				data, err := ConfigTOML(&s, rt)
				if err != nil {
					t.Fatal(err)
				}
				entries, err := Entries(&s, rt)
				if err != nil {
					t.Fatal(err)
				}
				got := parseFlat(t, data)
				want := map[string]any{}
				for _, e := range entries {
					want[e.Option] = normal(e.Value)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round trip differs\n got %v\nwant %v", got, want)
				}
				if secret := s.CookieSecret.Value(); secret != "" && strings.Contains(string(data), secret) {
					t.Error("config.toml contains the cookie secret")
				}
				if _, ok := got[CookieSecretOption]; ok {
					t.Error("config.toml sets server.cookieSecret")
				}
			})
		}
	}
}

func TestVersionForms(t *testing.T) {
	tests := []struct {
		version     string
		showErrors  any
		corsList    bool
		ping        bool
		serverAddrD string // browser.serverAddress for the prod spec
		serverAddr0 string // browser.serverAddress for dev with a deploy-time origin
	}{
		{"1.39.0", false, false, false, "dash.example.com", "dash-abc.z01.azurefd.net"},
		{"1.40.2", false, false, false, "dash.example.com", "dash-abc.z01.azurefd.net"},
		{"1.41.0", "none", false, false, "dash.example.com", "dash-abc.z01.azurefd.net"},
		{"1.46.0", "none", true, false, "dash.example.com", ""},
		{"1.49.0", "none", true, true, "dash.example.com", ""},
		{"1.50", "none", true, true, "dash.example.com", ""},
	}
	rt := Runtime{ExtraOrigins: []string{"https://dash-abc.z01.azurefd.net"}}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			s := prodSpec()
			s.StreamlitVersion = tt.version
			flat := parseFlat(t, must(ConfigTOML(s, rt)))
			if got := flat["client.showErrorDetails"]; got != tt.showErrors {
				t.Errorf("showErrorDetails = %#v, want %#v", got, tt.showErrors)
			}
			if _, ok := flat["server.corsAllowedOrigins"]; ok != tt.corsList {
				t.Errorf("corsAllowedOrigins present = %v, want %v", ok, tt.corsList)
			}
			if _, ok := flat["server.websocketPingInterval"]; ok != tt.ping {
				t.Errorf("websocketPingInterval present = %v, want %v", ok, tt.ping)
			}
			if got, _ := flat["browser.serverAddress"].(string); got != tt.serverAddrD {
				t.Errorf("browser.serverAddress = %q, want %q", got, tt.serverAddrD)
			}
			d := devSpec()
			d.StreamlitVersion = tt.version
			dflat := parseFlat(t, must(ConfigTOML(d, rt)))
			if got, _ := dflat["browser.serverAddress"].(string); got != tt.serverAddr0 {
				t.Errorf("dev browser.serverAddress = %q, want %q", got, tt.serverAddr0)
			}
		})
	}
}

// TestSecurityOptions1_57: the options of the Starlette era appear exactly
// from the release whose wheel first has them, with the hardened values, in
// both config.toml and the App Settings; older renders carry none of them.
func TestSecurityOptions1_57(t *testing.T) {
	const app = "acme-dashboard-prod-app.azurewebsites.net"
	tests := []struct {
		version    string
		sameSite   any // nil = absent
		widgetMB   any
		hosts      any
		agentAPI   any
		unverified bool
	}{
		{"1.39.0", nil, nil, nil, nil, false},
		{"1.56.0", nil, nil, nil, nil, false},
		{"1.58.0", nil, nil, nil, nil, false},
		{"1.59.0", "strict", nil, nil, nil, false},
		{"1.60.0", "strict", int64(3), nil, nil, false},
		{"1.61.0", "strict", int64(3), []any{app}, nil, false},
		{"1.66.1", "strict", int64(3), []any{app}, nil, false},
		{"1.67.0", "strict", int64(3), []any{app}, false, false},
		{"1.70.0", "strict", int64(3), []any{app}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			s := prodSpec()
			s.MaxWidgetStateSizeMB = 3
			s.StreamlitVersion = tt.version
			rt := Runtime{CookieSecretRef: kvRef}
			data := must(ConfigTOML(s, rt))
			flat := parseFlat(t, data)
			settings, err := AppSettings(s, rt)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			for _, st := range settings {
				env[st.Name] = st.Value
			}
			for option, want := range map[string]any{
				"server.xsrfCookieSameSite": tt.sameSite, "server.maxWidgetStateSize": tt.widgetMB,
				"server.allowedHosts": tt.hosts, "server.enableAgentApi": tt.agentAPI,
			} {
				got, ok := flat[option]
				if want == nil {
					if ok {
						t.Errorf("%s = %v in config.toml; Streamlit %s does not have it", option, got, tt.version)
					}
					if v, ok := env[EnvName(option)]; ok {
						t.Errorf("App Setting %s=%s; Streamlit %s does not have the option", EnvName(option), v, tt.version)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", option, got, want)
				}
				if v, ok := env[EnvName(option)]; !ok || v != envOf(want) {
					t.Errorf("App Setting %s = %q (present %v), want %q", EnvName(option), v, ok, envOf(want))
				}
			}
			if _, ok := flat["server.useStarlette"]; ok {
				t.Error("server.useStarlette is rendered")
			}
			if got := strings.Contains(string(data), "# UNVERIFIED: "); got != tt.unverified {
				t.Errorf("UNVERIFIED note present = %v, want %v\n%s", got, tt.unverified, data)
			}
		})
	}
}

// TestOldRenderHasOnlyOldOptions: a 1.39.0 render emits only options the
// 1.39.0 wheel has, and every render only options its release has.
func TestOldRenderHasOnlyOldOptions(t *testing.T) {
	for _, ver := range []string{"1.39.0", "1.45.1", "1.56.0", "1.60.0", "1.67.0"} {
		s := prodSpec()
		s.StreamlitVersion = ver
		v := streamlitopts.MustParse(ver)
		for option := range parseFlat(t, must(ConfigTOML(s, Runtime{}))) {
			o, ok := streamlitopts.Lookup(option, v)
			if !ok || !o.Has(v) {
				t.Errorf("%s: rendered %s, which that release does not have", ver, option)
			}
			if ver == "1.39.0" && o.Since != streamlitopts.MustParse(streamlitopts.Minimum) {
				t.Errorf("1.39.0 render has %s (since %s)", option, o.Since)
			}
		}
	}
}

func TestAllowedHosts(t *testing.T) {
	tests := []struct {
		name    string
		rt      Runtime
		want    string
		wantErr bool
	}{
		{"from the app name", Runtime{}, "acme-dashboard-prod-app.azurewebsites.net", false},
		{"deploy-time host", Runtime{AppHost: "Acme-X.azurewebsites.net"}, "acme-x.azurewebsites.net", false},
		{"local proxy", Runtime{AppHost: "127.0.0.1"}, "127.0.0.1", false},
		{"shared-domain wildcard", Runtime{AppHost: "*.azurewebsites.net"}, "", true},
		{"any host", Runtime{AppHost: "*"}, "", true},
		{"port", Runtime{AppHost: "app.azurewebsites.net:443"}, "", true},
		{"scheme", Runtime{AppHost: "https://app.azurewebsites.net"}, "", true},
		{"injection", Runtime{AppHost: "a\"]\nenableCORS = false #"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := prodSpec()
			s.StreamlitVersion = "1.67.0"
			entries, err := Entries(s, tt.rt)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "allowed host") {
					t.Errorf("error does not name the setting: %v", err)
				}
				return
			}
			for _, e := range entries {
				if e.Option == "server.allowedHosts" && !reflect.DeepEqual(e.Value, []string{tt.want}) {
					t.Errorf("allowedHosts = %v, want [%s]", e.Value, tt.want)
				}
			}
		})
	}
}

func TestUnsupportedVersionRefused(t *testing.T) {
	for _, v := range []string{"1.38.0", "0.89.0", "2.0.0", "", "latest", "1.50.0rc1"} {
		s := devSpec()
		s.StreamlitVersion = v
		if _, err := ConfigTOML(s, Runtime{}); err == nil {
			t.Errorf("version %q: rendered, want an error", v)
		}
		if _, err := AppSettings(s, Runtime{}); err == nil {
			t.Errorf("version %q: App Settings rendered, want an error", v)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestAppSettingsMatchTOML compares the App Settings and config.toml
// option by option: same options, same values.
func TestAppSettingsMatchTOML(t *testing.T) {
	for _, ver := range []string{"1.39.0", "1.41.0", "1.46.0", "1.50.0", "1.57.0", "1.61.0", "1.67.0", "1.70.0"} {
		for name, s := range map[string]*spec.Spec{"dev": devSpec(), "prod": prodSpec()} {
			t.Run(name+"@"+ver, func(t *testing.T) {
				s.StreamlitVersion = ver
				rt := Runtime{ExtraOrigins: []string{"https://dash-abc.z01.azurefd.net"}, CookieSecretRef: kvRef}
				flat := parseFlat(t, must(ConfigTOML(s, rt)))
				settings, err := AppSettings(s, rt)
				if err != nil {
					t.Fatal(err)
				}
				byName := map[string]Setting{}
				for i, st := range settings {
					if i > 0 && settings[i-1].Name >= st.Name {
						t.Errorf("settings not sorted or duplicated at %s", st.Name)
					}
					byName[st.Name] = st
				}
				for option, v := range flat {
					st, ok := byName[EnvName(option)]
					if !ok {
						t.Errorf("%s is in config.toml but %s is not an App Setting", option, EnvName(option))
						continue
					}
					if want := envOf(v); st.Value != want {
						t.Errorf("%s: App Setting %q, config.toml %q", option, st.Value, want)
					}
					delete(byName, EnvName(option))
				}
				cookie := byName[EnvName(CookieSecretOption)]
				if cookie.Value != kvRef || !cookie.Secret {
					t.Errorf("cookie secret setting = %+v, want the Key Vault reference marked secret", cookie)
				}
				if cookie.String() != "STREAMLIT_SERVER_COOKIE_SECRET=[secret]" {
					t.Errorf("cookie setting prints %q", cookie.String())
				}
				delete(byName, EnvName(CookieSecretOption))
				if port := byName["WEBSITES_PORT"]; port.Value != strconv.Itoa(Port) {
					t.Errorf("WEBSITES_PORT = %q", port.Value)
				}
				delete(byName, "WEBSITES_PORT")
				if len(byName) > 0 {
					t.Errorf("App Settings not in config.toml: %v", sortedKeys(byName))
				}
			})
		}
	}
}

// envOf prints a parsed TOML value the way EnvValue prints Entry values.
func envOf(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

func TestCookieSecretRef(t *testing.T) {
	s := prodSpec()
	for _, ref := range []string{s.CookieSecret.Value(), "plain", "@Microsoft.KeyVault(SecretUri=x)\n", "@Microsoft.KeyVault(SecretUri=x"} {
		if _, err := AppSettings(s, Runtime{CookieSecretRef: ref}); err == nil {
			t.Errorf("cookie secret ref %q accepted", ref)
		}
	}
	settings, err := AppSettings(s, Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range settings {
		if st.Name == EnvName(CookieSecretOption) {
			t.Error("cookie secret setting present without a reference")
		}
		if strings.Contains(st.Value, s.CookieSecret.Value()) {
			t.Errorf("%s carries the cookie secret", st.Name)
		}
	}
}

func TestIsKeyVaultReference(t *testing.T) {
	tests := map[string]bool{
		kvRef: true,
		"@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/cookie/0123abcd)": true,
		"@Microsoft.KeyVault(VaultName=acme-kv;SecretName=cookie)":                               true,
		"@Microsoft.KeyVault(VaultName=acme-kv;SecretName=cookie;SecretVersion=1)":               true,
		"@Microsoft.KeyVault(0123456789abcdef0123456789abcdef)":                                  false,
		"@Microsoft.KeyVault(SecretUri=http://acme-kv.vault.azure.net/secrets/cookie)":           false,
		"@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/keys/cookie)":             false,
		"@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/)":                false,
		"@Microsoft.KeyVault(VaultName=acme-kv)":                                                 false,
		"@Microsoft.KeyVault(VaultName=a;SecretName=b) trailing":                                 false,
		"@Microsoft.KeyVault(SecretUri=https://a.vault.azure.net/secrets/c\n)":                   false,
		"@Microsoft.KeyVault(SecretUri=https://a.vault.azure.net/secrets/c\n)\n":                 false,
		"@Microsoft.KeyVault(SecretUri=https://a.vault.azure.net/secrets/c d)":                   false,
		"": false,
	}
	for v, want := range tests {
		if got := IsKeyVaultReference(v); got != want {
			t.Errorf("IsKeyVaultReference(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestEnvName(t *testing.T) {
	tests := map[string]string{
		"server.enableXsrfProtection":       "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION",
		"server.enableCORS":                 "STREAMLIT_SERVER_ENABLE_CORS",
		"server.corsAllowedOrigins":         "STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS",
		"server.disconnectedSessionTTL":     "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL",
		"server.cookieSecret":               "STREAMLIT_SERVER_COOKIE_SECRET",
		"server.maxMessageSize":             "STREAMLIT_SERVER_MAX_MESSAGE_SIZE",
		"server.enableWebsocketCompression": "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION",
		"server.websocketPingInterval":      "STREAMLIT_SERVER_WEBSOCKET_PING_INTERVAL",
		"browser.gatherUsageStats":          "STREAMLIT_BROWSER_GATHER_USAGE_STATS",
		"browser.serverAddress":             "STREAMLIT_BROWSER_SERVER_ADDRESS",
		"global.developmentMode":            "STREAMLIT_GLOBAL_DEVELOPMENT_MODE",
		"client.showErrorDetails":           "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS",
		"server.sslCertFile":                "STREAMLIT_SERVER_SSL_CERT_FILE",
	}
	for option, want := range tests {
		if got := EnvName(option); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", option, got, want)
		}
	}
}

func TestStartupCommand(t *testing.T) {
	tests := map[string]string{
		"app.py":             "python -m streamlit run app.py --server.port 8000 --server.address 0.0.0.0",
		"src/dashboard.py":   "python -m streamlit run src/dashboard.py --server.port 8000 --server.address 0.0.0.0",
		"a b;rm -rf /.py":    "python -m streamlit run 'a b;rm -rf /.py' --server.port 8000 --server.address 0.0.0.0",
		"it's.py":            `python -m streamlit run 'it'\''s.py' --server.port 8000 --server.address 0.0.0.0`,
		"--server.port=1.py": "python -m streamlit run './--server.port=1.py' --server.port 8000 --server.address 0.0.0.0",
		"":                   "python -m streamlit run app.py --server.port 8000 --server.address 0.0.0.0",
	}
	for entry, want := range tests {
		s := devSpec()
		s.AppEntry = entry
		if got := StartupCommand(s); got != want {
			t.Errorf("StartupCommand(%q) = %q, want %q", entry, got, want)
		}
	}
}

// hostileStrings are values a Spec built without validation might carry.
func hostileStrings() []string {
	return []string{
		`"`, `\`, `\"`, "\n", "\r\n", "a\nenableCORS = false", `"""`, `'''`, `]`, `[`, `[server]`, `#`,
		"x\" \nenableCORS = false\n[server]\ny = \"", "\x00\x01\x1f\x7f", "\u2028\u2029\u0085", "\xff\xfe",
		strings.Repeat("A", 10_000), strings.Repeat(`"\`+"\n", 3_000), "ok", "é漢字🙂",
	}
}

// TestTOMLValueHostile proves the encoder: every hostile string, alone or
// in a list, parses back as exactly one value equal to the input (invalid
// UTF-8 aside, which becomes U+FFFD) and adds no key.
func TestTOMLValueHostile(t *testing.T) {
	for i, h := range hostileStrings() {
		for _, v := range []any{h, []string{h, "b", h}} {
			doc := "[server]\nvalue = " + tomlValue(v) + "\nother = 1\n"
			var got map[string]map[string]any
			if _, err := burnt.Decode(doc, &got); err != nil {
				t.Fatalf("case %d: does not parse: %v", i, err)
			}
			if len(got) != 1 || len(got["server"]) != 2 {
				t.Fatalf("case %d: keys changed: %v", i, got)
			}
			want := strings.ToValidUTF8(h, "\uFFFD")
			switch x := got["server"]["value"].(type) {
			case string:
				if x != want {
					t.Errorf("case %d: value changed", i)
				}
			case []any:
				if len(x) != 3 || x[0] != want || x[2] != want {
					t.Errorf("case %d: list changed", i)
				}
			}
		}
	}
}

// TestConfigTOMLHostileSpec feeds hostile strings through every Spec field
// that reaches the renderer: either an error, or a file with exactly the
// baseline's keys.
func TestConfigTOMLHostileSpec(t *testing.T) {
	baseline := sortedKeys(parseFlat(t, must(ConfigTOML(prodSpec(), Runtime{}))))
	for i, h := range hostileStrings() {
		mutations := []func(*spec.Spec, *Runtime){
			func(s *spec.Spec, _ *Runtime) { s.Stack = h },
			func(s *spec.Spec, _ *Runtime) { s.Domain = h },
			func(s *spec.Spec, _ *Runtime) { s.Domain = "x.example.com" + h },
			func(s *spec.Spec, _ *Runtime) { s.AllowedOrigins = []string{"https://" + h} },
			func(s *spec.Spec, _ *Runtime) { s.AllowedOrigins = []string{"https://a.example.com/" + h} },
			func(_ *spec.Spec, rt *Runtime) { rt.ExtraOrigins = []string{"https://" + h + ".azurefd.net"} },
			func(s *spec.Spec, _ *Runtime) { s.AppEntry = h },
			func(s *spec.Spec, _ *Runtime) { s.CookieSecret = spec.NewSecret(h) },
		}
		for j, mutate := range mutations {
			s := prodSpec()
			var rt Runtime
			mutate(s, &rt)
			data, err := ConfigTOML(s, rt)
			if err != nil {
				continue // refusing is fine
			}
			got := sortedKeys(parseFlat(t, data))
			if !reflect.DeepEqual(got, baseline) {
				t.Errorf("case %d/%d: keys %v, want %v", i, j, got, baseline)
			}
		}
	}
}

func BenchmarkConfigTOML(b *testing.B) {
	s := prodSpec()
	rt := Runtime{ExtraOrigins: []string{"https://dash-abc.z01.azurefd.net"}}
	for b.Loop() {
		if _, err := ConfigTOML(s, rt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppSettings(b *testing.B) {
	s := prodSpec()
	rt := Runtime{CookieSecretRef: kvRef}
	for b.Loop() {
		if _, err := AppSettings(s, rt); err != nil {
			b.Fatal(err)
		}
	}
}
