package streamlit

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/spec"
)

// FuzzConfigTOML renders Specs built directly (no validation) from
// arbitrary strings: the renderer must not panic, and whatever it renders
// parses as TOML with exactly the options Entries lists, never carrying
// the cookie secret.
func FuzzConfigTOML(f *testing.F) {
	f.Add("prod", "dash.example.com", "https://a.example.com", "https://x.azurefd.net", "app.py", "secret-value-0123456789abcdef0123", "1.50.0", 5, 10)
	f.Add("\"\n[x]", "a\"]#", "https://\n", "https://a.b\"", "a b.py", "", "1.39.0", 0, -1)
	f.Add("", "", "", "", "", "", "1.41", 200, 1<<30)
	f.Fuzz(func(t *testing.T, stack, domain, origin, extra, entry, secret, version string, msg, upload int) {
		s := spec.Defaults()
		s.Stack, s.Domain, s.AppEntry, s.StreamlitVersion = stack, domain, entry, version
		s.AllowedOrigins = []string{origin}
		s.MaxMessageSizeMB, s.MaxUploadSizeMB = msg, upload
		s.CookieSecret = spec.NewSecret(secret)
		rt := Runtime{ExtraOrigins: []string{extra}}
		_ = StartupCommand(&s)
		data, err := ConfigTOML(&s, rt)
		if err != nil {
			return
		}
		entries, err := Entries(&s, rt)
		if err != nil {
			t.Fatalf("ConfigTOML worked but Entries failed: %v", err)
		}
		got := sortedKeys(parseFlat(t, data))
		var want []string
		for _, e := range entries {
			want = append(want, e.Option)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("keys %v, want %v", got, want)
		}
		if secret != "" && strings.Contains(string(data), secret) {
			t.Fatalf("cookie secret in config.toml")
		}
		if _, err := AppSettings(&s, rt); err != nil {
			t.Fatalf("AppSettings failed where ConfigTOML worked: %v", err)
		}
		// The rendered file passes its own audit.
		fs, err := Audit(data, &s, rt)
		if err != nil {
			t.Fatalf("audit of rendered file: %v", err)
		}
		for _, f := range fs {
			if f.State != StateOK && f.Mandatory {
				t.Fatalf("rendered file fails %s: %s", f.Option, f.Why)
			}
		}
	})
}

// FuzzCheck audits arbitrary bytes as a config.toml: never a panic; a
// failure is a SyntaxError or the size limit.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("[server]\nenableCORS = false\n"))
	f.Add([]byte("server = { enableCORS = false, corsAllowedOrigins = [\"*\"] }\n[client]\nshowErrorDetails = 1.5"))
	f.Add([]byte("[server]\ncookieSecret = \"x\"\nmaxMessageSize = 1e300\ndisconnectedSessionTTL = -9223372036854775808"))
	f.Add([]byte("[[server]]\na=1\n[browser.serverAddress]\n"))
	f.Add(must(ConfigTOML(prodSpec(), Runtime{})))
	f.Add([]byte("[server]\nallowedHosts = [1, \"*.\", {a = 1}]\nxsrfCookieSameSite = [\"none\"]\nmaxWidgetStateSize = \"25\"\nenableAgentApi = \"false\"\nuseStarlette = {}\nunsafeMetricsUserAttributes = \"email\"\nenableCors = 1"))
	s := prodSpec()
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := Audit(data, s, Runtime{})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && len(data) <= MaxConfigSize {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for _, f := range fs {
			if f.Option == "" || f.Want == "" || f.State == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
	})
}
