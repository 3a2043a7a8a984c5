package streamlitopts

import (
	"regexp"
	"strings"
	"testing"
)

func TestLookupForms(t *testing.T) {
	tests := []struct {
		option  string
		version string
		ok      bool
		kind    Kind
	}{
		{"server.enableCORS", "1.39.0", true, Bool},
		{"server.corsAllowedOrigins", "1.39.0", false, 0},
		{"server.corsAllowedOrigins", "1.45.1", false, 0},
		{"server.corsAllowedOrigins", "1.46.0", true, List},
		// Wheel boundaries (scripts/streamlit-options.sh): the last release
		// without the option and the first with it.
		{"server.websocketPingInterval", "1.47.1", false, 0},
		{"server.websocketPingInterval", "1.48.0", true, Int},
		{"server.useStarlette", "1.52.2", false, 0},
		{"server.useStarlette", "1.53.0", true, Bool},
		{"server.useStarlette", "1.56.0", true, Bool},
		{"server.useStarlette", "1.57.0", false, 0},
		{"server.xsrfCookieSameSite", "1.58.0", false, 0},
		{"server.xsrfCookieSameSite", "1.59.0", true, String},
		{"server.maxWidgetStateSize", "1.59.2", false, 0},
		{"server.maxWidgetStateSize", "1.60.0", true, Int},
		{"server.allowedHosts", "1.60.0", false, 0},
		{"server.allowedHosts", "1.61.0", true, List},
		{"server.enableAgentApi", "1.66.1", false, 0},
		{"server.enableAgentApi", "1.67.0", true, Bool},
		// Newer than the table: the newest known option set.
		{"server.enableAgentApi", "1.70.0", true, Bool},
		{"server.useStarlette", "1.70.0", false, 0},
		{"client.showErrorDetails", "1.39.0", true, Bool},
		{"client.showErrorDetails", "1.40.2", true, Bool},
		{"client.showErrorDetails", "1.41.0", true, String},
		{"client.showErrorDetails", "1.67.0", true, String},
		{"server.noSuchOption", "1.50.0", false, 0},
		{"server.enableCORS", "1.38.0", false, 0},
	}
	for _, tt := range tests {
		o, ok := Lookup(tt.option, MustParse(tt.version))
		if ok != tt.ok || (ok && o.Kind != tt.kind) {
			t.Errorf("Lookup(%s, %s) = %v %v, want %v %v", tt.option, tt.version, o.Kind, ok, tt.kind, tt.ok)
		}
	}
}

// TestTableConsistent: each row says where it was read, names a section,
// and rows for one option never overlap in releases.
func TestTableConsistent(t *testing.T) {
	rows := Options()
	for i, o := range rows {
		if o.Source == "" || o.Default == "" {
			t.Errorf("%s: missing source or default", o.Name)
		}
		if o.Section() == "" || o.Key() == "" || strings.Count(o.Name, ".") != 1 {
			t.Errorf("%s: not section.option", o.Name)
		}
		if o.Since.Less(MustParse(Minimum)) {
			t.Errorf("%s: since %s is below the supported minimum", o.Name, o.Since)
		}
		if o.Until != (Version{}) && !o.Since.Less(o.Until) {
			t.Errorf("%s: until %s is not after since %s", o.Name, o.Until, o.Since)
		}
		for _, p := range rows[:i] {
			if p.Name == o.Name && (p.Until == (Version{}) || o.Since.Less(p.Until)) {
				t.Errorf("%s: rows overlap (%s.. and %s..)", o.Name, p.Since, o.Since)
			}
		}
	}
	rows[0].Name = "changed"
	if Options()[0].Name == "changed" {
		t.Error("Options returns the shared table, not a copy")
	}
}

func TestEnvName(t *testing.T) {
	tests := map[string]string{
		"server.enableXsrfProtection":   "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION",
		"server.enableCORS":             "STREAMLIT_SERVER_ENABLE_CORS",
		"server.disconnectedSessionTTL": "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL",
		"server.baseUrlPath":            "STREAMLIT_SERVER_BASE_URL_PATH",
		"theme.primaryColor":            "STREAMLIT_THEME_PRIMARY_COLOR",
	}
	for option, want := range tests {
		if got := EnvName(option); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", option, got, want)
		}
	}
}

func TestSupported(t *testing.T) {
	for v, ok := range map[string]bool{"1.39.0": true, "1.50": true, "1.67.0": true, "1.38.9": false, "2.0.0": false, "1.50.0rc1": false, "": false} {
		if err := Supported(v); (err == nil) != ok {
			t.Errorf("Supported(%q) = %v, want ok=%v", v, err, ok)
		}
	}
}

func TestVerified(t *testing.T) {
	for v, want := range map[string]bool{"1.39.0": true, "1.67.0": true, "1.67.1": false, "1.70.0": false} {
		ver := MustParse(v)
		if got := Verified(ver); got != want {
			t.Errorf("Verified(%s) = %v, want %v", v, got, want)
		}
		if note := UnverifiedNote(ver); (note == "") != want || (!want && !strings.Contains(note, Newest)) {
			t.Errorf("UnverifiedNote(%s) = %q", v, note)
		}
	}
}

func TestInRelease(t *testing.T) {
	tests := []struct {
		option, version string
		want            Presence
	}{
		{"server.port", "1.39.0", Present},
		{"server.useStarlette", "1.52.2", Absent},
		{"server.useStarlette", "1.53.0", Present},
		{"server.useStarlette", "1.57.0", Absent},
		{"server.useStarlette", "1.52.1", Absent},  // between 1.51.0 and 1.52.2, both without
		{"server.allowedHosts", "1.60.1", Unknown}, // a number between two samples that disagree
		{"server.allowedHosts", "1.70.0", Present}, // newer than the newest: the newest's set
		{"server.enableCors", "1.67.0", Absent},    // a typo is no option
		{"theme.primaryColor", "1.67.0", Unknown},  // theme options are not sampled
		{"server.port", "1.38.0", Unknown},         // older than every sample
	}
	for _, tt := range tests {
		if got := InRelease(tt.option, MustParse(tt.version)); got != tt.want {
			t.Errorf("InRelease(%s, %s) = %v, want %v", tt.option, tt.version, got, tt.want)
		}
	}
}

// TestTableMatchesWheels: every row of the hand-kept table agrees with the
// option sets generated from the wheels (releases_gen.go): the option is
// in the wheel of its first release and of the newest, and absent from
// the sampled release just before (and from its Until release).
func TestTableMatchesWheels(t *testing.T) {
	s := samples()
	before := func(v Version) (Version, bool) {
		for i := len(s.versions) - 1; i >= 0; i-- {
			if s.versions[i].Less(v) {
				return s.versions[i], true
			}
		}
		return Version{}, false
	}
	for _, o := range Options() {
		if got := InRelease(o.Name, o.Since); got != Present {
			t.Errorf("%s: table says since %s; the wheel says %v", o.Name, o.Since, got)
		}
		if prev, ok := before(o.Since); ok && o.Since != MustParse(Minimum) {
			if got := InRelease(o.Name, prev); got != Absent && !hasOtherForm(o, prev) {
				t.Errorf("%s: table says since %s; the %s wheel already has it (%v)", o.Name, o.Since, prev, got)
			}
		}
		if o.Until != (Version{}) {
			if got := InRelease(o.Name, o.Until); got != Absent && !hasOtherForm(o, o.Until) {
				t.Errorf("%s: table says gone in %s; the wheel says %v", o.Name, o.Until, got)
			}
		}
		newest := MustParse(Newest)
		if want := map[bool]Presence{true: Present, false: Absent}[o.Has(newest) || hasOtherForm(o, newest)]; InRelease(o.Name, newest) != want {
			t.Errorf("%s: %s wheel says %v, table %v", o.Name, Newest, InRelease(o.Name, newest), want)
		}
	}
	if got := s.versions[len(s.versions)-1]; got != MustParse(Newest) {
		t.Errorf("newest sampled release %s, Newest %s", got, Newest)
	}
}

// hasOtherForm: another row of the same option covers v (a type change).
func hasOtherForm(o Option, v Version) bool {
	for _, p := range Options() {
		if p.Name == o.Name && p.Since != o.Since && p.Has(v) {
			return true
		}
	}
	return false
}

// FuzzEnvName holds EnvName's scans to the two regular expressions
// Streamlit's config.py applies (ConfigOption.env_var, Streamlit 1.39-1.67:
// re.sub("(.)([A-Z][a-z]+)", r"\1_\2", ...) then
// re.sub("([a-z0-9])([A-Z])", r"\1_\2", ...)).
func FuzzEnvName(f *testing.F) {
	for _, s := range []string{"server.enableXsrfProtection", "server.enableCORS", "aBcDe", "ABCDef", "a1B2C", "\nAb", "é\nAbc", "x\xffAbc", "AbAb", "", "a", "HTTPServerName", "_Ab_Cd"} {
		f.Add(s)
	}
	word := regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	tail := regexp.MustCompile(`([a-z0-9])([A-Z])`)
	f.Fuzz(func(t *testing.T, option string) {
		name := strings.ReplaceAll(option, ".", "_")
		name = word.ReplaceAllString(name, "${1}_${2}")
		name = tail.ReplaceAllString(name, "${1}_${2}")
		want := "STREAMLIT_" + strings.ToUpper(name)
		if got := EnvName(option); got != want {
			t.Errorf("EnvName(%q) = %q, the regexps give %q", option, got, want)
		}
	})
}
