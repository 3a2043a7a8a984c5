package render

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// run executes `render args...` against the repo's stacks and returns
// stdout, stderr and the exit code the process would have.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Version:    "test",
		ProjectDir: filepath.Join("..", "..", ".."),
		Getenv:     func(string) string { return "" },
		Environ:    func() []string { return nil },
		Now:        func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) },
	}
	cmd := NewCmdRender(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

func loadSpec(t *testing.T, stack string) *spec.Spec {
	t.Helper()
	l, err := spec.Load(spec.LoadOptions{Stack: stack, Dir: filepath.Join("..", "..", "..", "stacks"), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return l.Spec
}

func TestRenderWritesAndPrints(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, "--stack", "prod", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	path := filepath.Join(dir, ".streamlit", "config.toml")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := streamlit.ConfigTOML(loadSpec(t, "prod"), streamlit.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("written file differs from ConfigTOML")
	}
	for _, s := range []string{"wrote " + path, "STREAMLIT_SERVER_ENABLE_CORS=true", "STREAMLIT_SERVER_MAX_MESSAGE_SIZE=2", "STREAMLIT_SERVER_COOKIE_SECRET=[secret]", "python -m streamlit run app.py --server.port 8000"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left files behind: %v", entries)
	}

	// Same content again: a no-op success.
	out, _, code = run(t, "--stack", "prod", "--out", dir)
	if code != 0 || !strings.Contains(out, "already up to date") {
		t.Errorf("rerun: exit %d, %s", code, out)
	}

	// A different file is kept unless --force.
	if err := os.WriteFile(path, []byte("[server]\nenableCORS = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = run(t, "--stack", "prod", "--out", dir)
	if code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("overwrite without --force: exit %d, %s", code, errOut)
	}
	if kept, _ := os.ReadFile(path); string(kept) != "[server]\nenableCORS = false\n" {
		t.Errorf("file changed without --force")
	}
	if _, _, code = run(t, "--stack", "prod", "--out", dir, "--force"); code != 0 {
		t.Errorf("--force: exit %d", code)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("--force did not replace the file")
	}
}

func TestRenderJSON(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, "--stack", "dev", "--out", dir, "--format", "json", "--origin", "https://dash-abc.z01.azurefd.net")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res writeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	found := false
	for _, s := range res.AppSettings {
		if s.Name == "STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS" && s.Value == "https://dash-abc.z01.azurefd.net" {
			found = true
		}
	}
	if !res.Written || !found || res.StartupCommand == "" {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestRenderSpecErrorWritesNothing(t *testing.T) {
	dir := t.TempDir()
	_, errOut, code := run(t, "--stack", "dev", "--out", dir, "--set", "maxMessageSizeMb=0", "--set", "streamlitVersion=1.20.0")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, s := range []string{"maxMessageSizeMb", "streamlitVersion"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("error lacks %s: %s", s, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".streamlit")); !os.IsNotExist(err) {
		t.Errorf("something was written: %v", err)
	}
}

func TestRenderNeverPrintsSecret(t *testing.T) {
	secret := strings.Repeat("c0ffee", 11)
	dir := t.TempDir()
	out, errOut, code := run(t, "--stack", "dev", "--out", dir, "--set", "cookieSecret="+secret)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ".streamlit", "config.toml"))
	if strings.Contains(out+errOut+string(data), secret) {
		t.Error("the cookie secret was printed or written")
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, "--stack", "prod", "--out", dir); code != 0 {
		t.Fatalf("render: %s", errOut)
	}
	rendered := filepath.Join(dir, ".streamlit", "config.toml")
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte(`[server]
enableCORS = false
enableXsrfProtection = false
enableWebsocketCompression = true
maxMessageSize = 200
cookieSecret = "do-not-echo-this-value-0123456789"

[global]
developmentMode = true
`), 0o644)
	notTOML := filepath.Join(dir, "broken.toml")
	os.WriteFile(notTOML, []byte("[server]\nenableCORS = \n"), 0o644)

	t.Run("rendered file passes", func(t *testing.T) {
		out, errOut, code := run(t, "--stack", "prod", "--check", rendered)
		if code != 0 || strings.Contains(out, "FAIL") {
			t.Errorf("exit %d: %s%s", code, out, errOut)
		}
	})
	t.Run("weak file fails with control ids", func(t *testing.T) {
		out, _, code := run(t, "--stack", "prod", "--check", bad)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, s := range []string{"server.enableCORS", "WS-ORG-02", "server.enableXsrfProtection", "WS-ORG-03", "server.enableWebsocketCompression", "WS-CMP-01", "server.maxMessageSize", "WS-SIZE-01", "global.developmentMode", "WS-EXP-01", "server.cookieSecret", "maxMessageSize = 2", "line: 5"} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q", s)
			}
		}
		if strings.Contains(out, "do-not-echo") {
			t.Error("cookie secret echoed")
		}
	})
	t.Run("json contract", func(t *testing.T) {
		out, _, code := run(t, "--stack", "prod", "--check", bad, "--format", "json")
		var res checkResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 {
			t.Fatalf("exit %d, %v", code, err)
		}
		if res.Passed || res.MandatoryFailures < 6 {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("every format", func(t *testing.T) {
		for _, format := range output.Formats() {
			out, errOut, code := run(t, "--stack", "prod", "--check", bad, "--format", format)
			if code != 1 || out == "" || strings.Contains(out, "do-not-echo") {
				t.Errorf("%s: exit %d, %s", format, code, errOut)
			}
		}
	})
	t.Run("not TOML", func(t *testing.T) {
		_, errOut, code := run(t, "--check", notTOML)
		if code != 2 || !strings.Contains(errOut, notTOML+":2:") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		for _, p := range []string{filepath.Join(dir, "missing.toml"), dir} {
			if _, _, code := run(t, "--check", p); code != 2 {
				t.Errorf("%s: exit %d, want 2", p, code)
			}
		}
	})
	t.Run("check with out", func(t *testing.T) {
		if _, _, code := run(t, "--check", rendered, "--out", dir); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
	t.Run("bad format", func(t *testing.T) {
		if _, _, code := run(t, "--check", rendered, "--format", "yaml"); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
}

func TestRunFIntercepts(t *testing.T) {
	f := &cli.Factory{IO: &cli.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	var got *RenderOptions
	cmd := NewCmdRender(f, func(o *RenderOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--stack", "prod", "--out", "x", "--force", "--origin", "https://a.example.com"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Stack.Stack != "prod" || got.OutDir != "x" || !got.Force || len(got.Origins) != 1 {
		t.Errorf("options %+v", got)
	}
}

// TestRenderVersions: the newest release gets the Starlette-era settings
// with the app's own host (or --app-host), an older one none of them, and
// a release newer than the table is rendered but marked unverified.
func TestRenderVersions(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want, not  []string
		unverified bool
	}{
		{"newest", nil, []string{"STREAMLIT_SERVER_ALLOWED_HOSTS=acme-dashboard-prod-app.azurewebsites.net", "STREAMLIT_SERVER_XSRF_COOKIE_SAME_SITE=strict", "STREAMLIT_SERVER_MAX_WIDGET_STATE_SIZE=1", "STREAMLIT_SERVER_ENABLE_AGENT_API=false"}, []string{"UNVERIFIED"}, false},
		{"app host", []string{"--app-host", "127.0.0.1"}, []string{"STREAMLIT_SERVER_ALLOWED_HOSTS=127.0.0.1"}, nil, false},
		{"1.39.0", []string{"--set", "streamlitVersion=1.39.0"}, []string{"STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=false"}, []string{"ALLOWED_HOSTS", "SAME_SITE", "WIDGET_STATE", "AGENT_API", "CORS_ALLOWED_ORIGINS", "PING_INTERVAL"}, false},
		{"newer than the table", []string{"--set", "streamlitVersion=1.70.0"}, []string{"UNVERIFIED: Streamlit 1.70.0 is newer than 1.67.0", "STREAMLIT_SERVER_ALLOWED_HOSTS="}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, errOut, code := run(t, append([]string{"--stack", "prod", "--out", dir}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
			file, _ := os.ReadFile(filepath.Join(dir, ".streamlit", "config.toml"))
			if got := strings.Contains(string(file), "# UNVERIFIED:"); got != tt.unverified {
				t.Errorf("config.toml UNVERIFIED note = %v, want %v", got, tt.unverified)
			}
			jsonOut, _, _ := run(t, append([]string{"--stack", "prod", "--out", t.TempDir(), "--format", "json"}, tt.args...)...)
			var res writeResult
			if err := json.Unmarshal([]byte(jsonOut), &res); err != nil || (res.Unverified != "") != tt.unverified {
				t.Errorf("JSON unverified = %q (%v), want set %v", res.Unverified, err, tt.unverified)
			}
		})
	}
	if _, errOut, code := run(t, "--stack", "prod", "--out", t.TempDir(), "--app-host", "*.azurewebsites.net"); code != 2 || !strings.Contains(errOut, "allowed host") {
		t.Errorf("wildcard --app-host: exit %d, %s", code, errOut)
	}
}
