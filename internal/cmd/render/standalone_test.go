package render

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// render --check without --stack judges the file on its own; with --stack
// against that stack, naming its origins. No advice is ever an empty
// allowlist (behind Front Door it refuses every real user).
func TestCheckStandaloneAndStackAdvice(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, "--stack", "prod", "--out", dir); code != 0 {
		t.Fatalf("render prod: %s", errOut)
	}
	prodFile := filepath.Join(dir, ".streamlit", "config.toml")
	prod, err := os.ReadFile(prodFile)
	if err != nil {
		t.Fatal(err)
	}
	// with replaces the corsAllowedOrigins line of the prod file.
	with := func(name, line string) string {
		var out []string
		for _, l := range strings.Split(string(prod), "\n") {
			if strings.HasPrefix(l, "corsAllowedOrigins = ") {
				l = line
			}
			out = append(out, l)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{name: "prod file on its own passes", args: []string{"--check", prodFile}, code: 0,
			want: []string{"(on its own: no --stack)"}, notWant: []string{"FAIL", "not the stack's"}},
		{name: "prod file against dev names dev's origin, not an empty list", args: []string{"--check", prodFile, "--stack", "dev"}, code: 1,
			want: []string{"not the stack's", `corsAllowedOrigins = ["https://<dev Front Door endpoint host>"]`, "streamsec outputs --stack dev"}},
		{name: "prod file against dev with its endpoint", args: []string{"--check", prodFile, "--stack", "dev", "--origin", "https://dash-abc.z01.azurefd.net"}, code: 1,
			want: []string{`corsAllowedOrigins = ["https://dash-abc.z01.azurefd.net"]`}},
		{name: "prod file against prod", args: []string{"--check", prodFile, "--stack", "prod"}, code: 0, notWant: []string{"FAIL"}},
		{name: "wildcard origin on its own", args: []string{"--check", with("wild.toml", `corsAllowedOrigins = ["https://dash.example.com", "*"]`)}, code: 1,
			want: []string{"server.corsAllowedOrigins", `"*"`, "not plain https origins"}},
		{name: "http origin on its own", args: []string{"--check", with("http.toml", `corsAllowedOrigins = ["http://dash.example.com"]`)}, code: 1,
			want: []string{`"http://dash.example.com"`}},
		{name: "origin of the wrong type on its own", args: []string{"--check", with("num.toml", `corsAllowedOrigins = [42]`)}, code: 1,
			want: []string{"not plain https origins: 42"}},
		{name: "empty allowlist on its own is advised against, not for", args: []string{"--check", with("empty.toml", `corsAllowedOrigins = []`)}, code: 0,
			want: []string{"Lists no origin", `corsAllowedOrigins = ["https://<your public host>"]`}},
		{name: "mandatory settings on their own", args: []string{"--check", write("weak.toml", "[server]\nenableCORS = false\nmaxMessageSize = \"5\"\n")}, code: 1,
			want: []string{"server.enableCORS", "server.maxMessageSize", "client.showErrorDetails"}},
		{name: "set needs a stack", args: []string{"--check", prodFile, "--set", "domain=x.example.com"}, code: 2,
			want: []string{"--set and --origin need --stack"}},
		{name: "origin needs a stack", args: []string{"--check", prodFile, "--origin", "https://x.example.com"}, code: 2,
			want: []string{"--set and --origin need --stack"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			all := out + errOut
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
			if code == 2 {
				return
			}
			js, _, _ := run(t, append(tt.args, "--format", "json")...)
			var res checkResult
			if err := json.Unmarshal([]byte(js), &res); err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Findings {
				if f.Option == "server.corsAllowedOrigins" && strings.ReplaceAll(f.Want, " ", "") == "corsAllowedOrigins=[]" {
					t.Errorf("advises an empty allowlist: %+v", f)
				}
			}
		})
	}
}

func TestCheckStandaloneJSON(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, "--stack", "prod", "--out", dir); code != 0 {
		t.Fatalf("render prod: %s", errOut)
	}
	file := filepath.Join(dir, ".streamlit", "config.toml")
	for _, tt := range []struct {
		args       []string
		stack      string
		standalone bool
	}{
		{[]string{"--check", file}, "", true},
		{[]string{"--check", file, "--stack", "prod"}, "prod", false},
	} {
		out, errOut, code := run(t, append(tt.args, "--format", "json")...)
		var res checkResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
			t.Fatalf("%v: exit %d, %v\n%s", tt.args, code, err, errOut)
		}
		if res.Stack != tt.stack || res.Standalone != tt.standalone || !res.Passed || res.StreamlitVersion == "" {
			t.Errorf("%v: %+v", tt.args, res)
		}
	}
}
