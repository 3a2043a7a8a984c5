package streamlit

import (
	"strings"
	"testing"
)

// The origin allowlist judged on its own and against a stack without a
// custom domain: never an empty list as advice.
func TestAllowlistAdvice(t *testing.T) {
	tests := []struct {
		name       string
		standalone bool
		toml       string
		state      State
		mandatory  bool
		want       string // the advised line
	}{
		{"alone: good origins", true, `corsAllowedOrigins = ["https://dash.example.com", "https://admin.example.com:8443"]`, StateOK, true, `["https://<your public host>"]`},
		{"alone: wildcard", true, `corsAllowedOrigins = ["*"]`, StateWeak, true, `["https://<your public host>"]`},
		{"alone: http", true, `corsAllowedOrigins = ["http://dash.example.com"]`, StateWeak, true, ""},
		{"alone: with a path", true, `corsAllowedOrigins = ["https://dash.example.com/app"]`, StateWeak, true, ""},
		{"alone: empty", true, `corsAllowedOrigins = []`, StateWeak, false, `["https://<your public host>"]`},
		{"alone: missing", true, `headless = true`, StateMissing, false, ""},
		{"alone: not a list", true, `corsAllowedOrigins = "https://dash.example.com"`, StateWeak, true, ""},
		{"dev stack: a foreign origin", false, `corsAllowedOrigins = ["https://dash.example.com"]`, StateWeak, true, `["https://<dev Front Door endpoint host>"]`},
		{"dev stack: empty list", false, `corsAllowedOrigins = []`, StateOK, true, `["https://<dev Front Door endpoint host>"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("[server]\n" + tt.toml + "\n")
			var fs []Finding
			var err error
			if tt.standalone {
				fs, err = AuditStandalone(data, "")
			} else {
				fs, err = Audit(data, devSpec(), Runtime{})
			}
			if err != nil {
				t.Fatal(err)
			}
			f := findingFor(t, fs, "server.corsAllowedOrigins")
			if f.State != tt.state || f.Mandatory != tt.mandatory {
				t.Errorf("state %s mandatory %v, want %s %v (%s)", f.State, f.Mandatory, tt.state, tt.mandatory, f.Why)
			}
			if strings.ReplaceAll(f.Want, " ", "") == "corsAllowedOrigins=[]" {
				t.Errorf("advises an empty allowlist: %q", f.Want)
			}
			if tt.want != "" && f.Want != "corsAllowedOrigins = "+tt.want {
				t.Errorf("advice %q, want %q", f.Want, tt.want)
			}
			if tt.standalone && strings.Contains(f.Why, "stack") {
				t.Errorf("judged on its own, yet the reason names a stack: %s", f.Why)
			}
		})
	}
}
