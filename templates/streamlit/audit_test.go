package streamlit

import (
	"errors"
	"strings"
	"testing"
)

func findingFor(t *testing.T, fs []Finding, option string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.Option == option {
			return f
		}
	}
	t.Fatalf("no finding for %s", option)
	return Finding{}
}

// TestAuditPassesRendered: the file render writes passes its own audit,
// with every option ok, for every supported form.
func TestAuditPassesRendered(t *testing.T) {
	for _, ver := range []string{"1.39.0", "1.41.0", "1.46.0", "1.50.0", "1.56.0", "1.57.0", "1.59.0", "1.60.0", "1.61.0", "1.67.0", "1.70.0"} {
		for name, s := range map[string]func() Runtime{"dev": func() Runtime { return Runtime{} }, "dev+fd": func() Runtime {
			return Runtime{ExtraOrigins: []string{"https://dash-abc.z01.azurefd.net"}}
		}} {
			s := s
			t.Run(name+"@"+ver, func(t *testing.T) {
				sp := prodSpec()
				sp.StreamlitVersion = ver
				rt := s()
				data := must(ConfigTOML(sp, rt))
				fs, err := Audit(data, sp, rt)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					if f.State != StateOK {
						t.Errorf("%s: %s (%s)", f.Option, f.State, f.Why)
					}
				}
			})
		}
	}
}

func TestAuditFlagsWeakSettings(t *testing.T) {
	tests := []struct {
		name      string
		version   string
		toml      string
		option    string
		state     State
		mandatory bool
		control   string
	}{
		{"cors off", "", "[server]\nenableCORS = false", "server.enableCORS", StateWeak, true, "WS-ORG-02"},
		{"cors as string", "", "[server]\nenableCORS = \"false\"", "server.enableCORS", StateWeak, true, "WS-ORG-01"},
		{"xsrf off", "", "[server]\nenableXsrfProtection = false", "server.enableXsrfProtection", StateWeak, true, "WS-ORG-03"},
		{"compression on", "", "[server]\nenableWebsocketCompression = true", "server.enableWebsocketCompression", StateWeak, true, "WS-CMP-01"},
		{"200 MB messages", "", "[server]\nmaxMessageSize = 200", "server.maxMessageSize", StateWeak, true, "WS-SIZE-01"},
		{"messages above spec", "", "[server]\nmaxMessageSize = 6", "server.maxMessageSize", StateWeak, true, "WS-SIZE-01"},
		{"message size missing", "", "[server]\nheadless = true", "server.maxMessageSize", StateMissing, true, "WS-SIZE-01"},
		{"message size zero", "", "[server]\nmaxMessageSize = 0", "server.maxMessageSize", StateWeak, true, "WS-SIZE-01"},
		{"upload 200 MB", "", "[server]\nmaxUploadSize = 200", "server.maxUploadSize", StateWeak, true, "WS-SIZE-01"},
		{"development mode", "", "[global]\ndevelopmentMode = true", "global.developmentMode", StateWeak, true, "WS-EXP-01"},
		{"development mode dotted", "", "global.developmentMode = true", "global.developmentMode", StateWeak, true, "WS-EXP-01"},
		{"error details full", "", "[client]\nshowErrorDetails = \"full\"", "client.showErrorDetails", StateWeak, true, "WS-EXP-01"},
		{"error details true", "", "[client]\nshowErrorDetails = true", "client.showErrorDetails", StateWeak, true, "WS-EXP-01"},
		{"error details missing", "", "", "client.showErrorDetails", StateMissing, true, "WS-EXP-01"},
		{"error details stacktrace", "", "[client]\nshowErrorDetails = \"stacktrace\"", "client.showErrorDetails", StateWeak, false, "WS-EXP-01"},
		{"error details none on 1.39", "1.39.0", "[client]\nshowErrorDetails = \"none\"", "client.showErrorDetails", StateWeak, true, "WS-EXP-01"},
		{"telemetry on", "", "[browser]\ngatherUsageStats = true", "browser.gatherUsageStats", StateWeak, false, "WS-EXP-01"},
		{"static serving", "", "[server]\nenableStaticServing = true", "server.enableStaticServing", StateWeak, false, "WS-EXP-01"},
		{"foreign origin", "", "[server]\ncorsAllowedOrigins = [\"https://evil.example\"]", "server.corsAllowedOrigins", StateWeak, true, "WS-ORG-01"},
		{"wildcard origin", "", "[server]\ncorsAllowedOrigins = [\"*\"]", "server.corsAllowedOrigins", StateWeak, true, "WS-ORG-01"},
		{"origins not a list", "", "[server]\ncorsAllowedOrigins = \"https://dash.example.com\"", "server.corsAllowedOrigins", StateWeak, true, "WS-ORG-01"},
		{"front door origin", "", "[server]\ncorsAllowedOrigins = [\"https://dash.example.com\", \"https://admin.example.com:8443\", \"https://x.z01.azurefd.net\"]", "server.corsAllowedOrigins", StateWeak, false, "WS-ORG-01"},
		{"origin missing", "", "[server]\ncorsAllowedOrigins = [\"https://dash.example.com\"]", "server.corsAllowedOrigins", StateWeak, false, "WS-ORG-01"},
		{"foreign server address", "", "[browser]\nserverAddress = \"evil.example\"", "browser.serverAddress", StateWeak, true, "WS-ORG-01"},
		{"ping too short", "", "[server]\nwebsocketPingInterval = 10", "server.websocketPingInterval", StateWeak, false, "WS-DOS-01"},
		{"session ttl long", "", "[server]\ndisconnectedSessionTTL = 86400", "server.disconnectedSessionTTL", StateWeak, false, "WS-DOS-01"},
		{"inline table", "", "server = { enableCORS = false }", "server.enableCORS", StateWeak, true, "WS-ORG-02"},
		// Starlette-era options, judged per release (prodSpec: 1.67.0).
		{"same-site none", "", "[server]\nxsrfCookieSameSite = \"none\"", "server.xsrfCookieSameSite", StateWeak, true, "WS-ORG-03"},
		{"same-site None", "1.59.0", "[server]\nxsrfCookieSameSite = \"None\"", "server.xsrfCookieSameSite", StateWeak, true, "WS-ORG-03"},
		{"same-site lax", "", "[server]\nxsrfCookieSameSite = \"lax\"", "server.xsrfCookieSameSite", StateWeak, false, "WS-ORG-03"},
		{"same-site invalid", "", "[server]\nxsrfCookieSameSite = true", "server.xsrfCookieSameSite", StateWeak, true, "WS-ORG-03"},
		{"same-site missing", "", "", "server.xsrfCookieSameSite", StateMissing, false, "WS-ORG-03"},
		{"allowed hosts missing 1.61", "1.61.0", "[server]\nheadless = true", "server.allowedHosts", StateMissing, true, "WS-ORG-01"},
		{"allowed hosts missing", "", "", "server.allowedHosts", StateMissing, true, "WS-ORG-01"},
		{"allowed hosts shared wildcard", "", "[server]\nallowedHosts = [\"*.azurewebsites.net\"]", "server.allowedHosts", StateWeak, true, "WS-ORG-01"},
		{"allowed hosts any", "", "[server]\nallowedHosts = [\"acme-dashboard-prod-app.azurewebsites.net\", \"*\"]", "server.allowedHosts", StateWeak, true, "WS-ORG-01"},
		{"allowed hosts empty", "", "[server]\nallowedHosts = []", "server.allowedHosts", StateWeak, true, "WS-ORG-01"},
		{"allowed hosts string", "", "[server]\nallowedHosts = \"acme-dashboard-prod-app.azurewebsites.net\"", "server.allowedHosts", StateWeak, true, "WS-ORG-01"},
		{"allowed hosts extra", "", "[server]\nallowedHosts = [\"acme-dashboard-prod-app.azurewebsites.net\", \"localhost\"]", "server.allowedHosts", StateWeak, false, "WS-ORG-01"},
		{"allowed hosts wrong app", "", "[server]\nallowedHosts = [\"other.azurewebsites.net\"]", "server.allowedHosts", StateWeak, false, "WS-ORG-01"},
		{"widget state missing", "1.60.0", "", "server.maxWidgetStateSize", StateMissing, true, "WS-SIZE-01"},
		{"widget state 25 MB", "", "[server]\nmaxWidgetStateSize = 25", "server.maxWidgetStateSize", StateWeak, true, "WS-SIZE-01"},
		{"agent api on", "", "[server]\nenableAgentApi = true", "server.enableAgentApi", StateWeak, true, "WS-EXP-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := prodSpec()
			if tt.version != "" {
				s.StreamlitVersion = tt.version
			}
			fs, err := Audit([]byte(tt.toml), s, Runtime{})
			if err != nil {
				t.Fatal(err)
			}
			f := findingFor(t, fs, tt.option)
			if f.State != tt.state || f.Mandatory != tt.mandatory {
				t.Errorf("state %s mandatory %v, want %s %v (%s)", f.State, f.Mandatory, tt.state, tt.mandatory, f.Why)
			}
			if !strings.Contains(strings.Join(f.Controls, ","), tt.control) {
				t.Errorf("controls %v lack %s", f.Controls, tt.control)
			}
			if f.Want == "" || !strings.HasPrefix(f.Want, strings.SplitN(tt.option, ".", 2)[1]+" = ") {
				t.Errorf("want line %q", f.Want)
			}
			if f.State == StateWeak && f.Line == 0 {
				t.Errorf("no line number for a weak setting")
			}
		})
	}
}

// TestAuditPerVersion: what a release does not have is reported (it is
// ignored by Streamlit, so it protects nothing), what it has is judged,
// and options a release lacks are not demanded.
func TestAuditPerVersion(t *testing.T) {
	tests := []struct {
		name      string
		version   string
		toml      string
		option    string
		state     State // "" = no finding for option
		mandatory bool
	}{
		{"useStarlette on 1.57", "1.57.0", "[server]\nuseStarlette = true", "server.useStarlette", StateWeak, false},
		{"useStarlette on 1.67", "1.67.0", "[server]\nuseStarlette = false", "server.useStarlette", StateWeak, false},
		{"useStarlette on 1.56", "1.56.0", "[server]\nuseStarlette = true", "server.useStarlette", "", false},
		{"allowedHosts on 1.60", "1.60.0", "[server]\nallowedHosts = [\"x.azurewebsites.net\"]", "server.allowedHosts", StateWeak, false},
		{"allowedHosts not demanded on 1.60", "1.60.0", "", "server.allowedHosts", "", false},
		{"sameSite on 1.58", "1.58.0", "[server]\nxsrfCookieSameSite = \"strict\"", "server.xsrfCookieSameSite", StateWeak, false},
		{"sameSite not demanded on 1.39", "1.39.0", "", "server.xsrfCookieSameSite", "", false},
		{"agent api on 1.66", "1.66.1", "[server]\nenableAgentApi = true", "server.enableAgentApi", StateWeak, false},
		{"agent api not demanded on 1.66", "1.66.1", "", "server.enableAgentApi", "", false},
		{"widget state on 1.59", "1.59.2", "[server]\nmaxWidgetStateSize = 1", "server.maxWidgetStateSize", StateWeak, false},
		{"metrics user attributes", "1.59.0", "[server]\nunsafeMetricsUserAttributes = [\"email\"]", "server.unsafeMetricsUserAttributes", StateWeak, true},
		{"metrics user attributes empty", "1.67.0", "[server]\nunsafeMetricsUserAttributes = []", "server.unsafeMetricsUserAttributes", "", false},
		{"metrics user attributes on 1.58", "1.58.0", "[server]\nunsafeMetricsUserAttributes = [\"email\"]", "server.unsafeMetricsUserAttributes", StateWeak, false},
		{"misspelt option", "1.67.0", "[server]\nenableCors = false", "server.enableCors", StateWeak, false},
		{"removed option", "1.61.0", "[server]\nenableArrowTruncation = true", "server.enableArrowTruncation", StateWeak, false},
		{"option of the release", "1.60.0", "[server]\nenableArrowTruncation = true", "server.enableArrowTruncation", "", false},
		{"theme not judged", "1.67.0", "[theme]\nprimaryColor = \"#f00\"", "theme.primaryColor", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := prodSpec()
			s.StreamlitVersion = tt.version
			fs, err := Audit([]byte(tt.toml), s, Runtime{})
			if err != nil {
				t.Fatal(err)
			}
			var got []Finding
			for _, f := range fs {
				if f.Option == tt.option {
					got = append(got, f)
				}
			}
			if tt.state == "" {
				if len(got) != 0 {
					t.Fatalf("want no finding, got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one finding, got %+v", got)
			}
			f := got[0]
			if f.State != tt.state || f.Mandatory != tt.mandatory {
				t.Errorf("state %s mandatory %v, want %s %v (%s)", f.State, f.Mandatory, tt.state, tt.mandatory, f.Why)
			}
			if f.Line == 0 || f.Why == "" || f.Section != "server" {
				t.Errorf("finding lacks line, why or section: %+v", f)
			}
			if !tt.mandatory && !strings.Contains(f.Why, tt.version) {
				t.Errorf("why does not name the release: %s", f.Why)
			}
		})
	}
}

func TestAuditCookieSecret(t *testing.T) {
	const secret = "5f4dcc3b5aa765d61d8327deb882cf99-very-secret"
	data := []byte("[server]\nenableCORS = true\ncookieSecret = \"" + secret + "\"\n")
	fs, err := Audit(data, prodSpec(), Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	f := findingFor(t, fs, CookieSecretOption)
	if !f.Failed() || f.Line != 3 {
		t.Errorf("cookie secret finding %+v", f)
	}
	for _, f := range fs {
		if strings.Contains(f.Found+f.Want+f.Why, secret) {
			t.Errorf("%s echoes the secret", f.Option)
		}
	}
}

func TestAuditCookieSecretFromEnv(t *testing.T) {
	fs, err := Audit([]byte("[server]\ncookieSecret = \"env:COOKIE_SECRET\"\n"), prodSpec(), Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Option == CookieSecretOption {
			t.Errorf("env: indirection flagged as a committed secret")
		}
	}
}

func TestAuditSyntaxError(t *testing.T) {
	tests := map[string]int{
		"[server\nx = 1":           1,
		"[server]\nenableCORS = ":  2,
		"[server]\n\n\na = \"x":    4,
		"[server]\na = 1\na = 2\n": 3,
	}
	for doc, line := range tests {
		_, err := Audit([]byte(doc), prodSpec(), Runtime{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a SyntaxError", doc, err)
			continue
		}
		if se.Line != line || se.Column < 1 {
			t.Errorf("%q: line %d column %d, want line %d", doc, se.Line, se.Column, line)
		}
	}
	if _, err := Audit(make([]byte, MaxConfigSize+1), prodSpec(), Runtime{}); err == nil {
		t.Error("oversized file accepted")
	}
}

func BenchmarkAudit(b *testing.B) {
	s := prodSpec()
	data := must(ConfigTOML(s, Runtime{}))
	for b.Loop() {
		if _, err := Audit(data, s, Runtime{}); err != nil {
			b.Fatal(err)
		}
	}
}
