package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/inventory"
)

const hardenedFile = "../../../policy-packs/rules/testdata/hardened.json"

func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut},
		Version:    "test",
		ProjectDir: "../../..",
		Getenv:     func(string) string { return "" },
		Environ:    func() []string { return nil },
		Now:        func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) },
	}
	cmd := NewCmdCheck(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

// hardenedPlan reads the hardened plan fixture.
func hardenedPlan(t *testing.T) (doc struct {
	Resources []inventory.Resource `json:"resources"`
}) {
	t.Helper()
	data, err := os.ReadFile(hardenedFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// mutate writes a copy of the hardened plan with one property changed.
func mutate(t *testing.T, name, path string, value any) string {
	t.Helper()
	doc := hardenedPlan(t)
	found := false
	for i, r := range doc.Resources {
		if r.Name != name {
			continue
		}
		steps := strings.Split(path, ".")
		node := any(r.Inputs)
		for _, s := range steps[:len(steps)-1] {
			switch n := node.(type) {
			case map[string]any:
				node = n[s]
			case []any:
				var idx int
				if _, err := fmtSscan(s, &idx); err != nil {
					t.Fatal(err)
				}
				node = n[idx]
			}
		}
		last := steps[len(steps)-1]
		switch n := node.(type) {
		case map[string]any:
			n[last] = value
		case []any:
			var idx int
			fmtSscan(last, &idx)
			n[idx] = value
		default:
			t.Fatalf("bad path %s", path)
		}
		doc.Resources[i] = r
		found = true
	}
	if !found {
		t.Fatalf("no resource %s", name)
	}
	out, _ := json.Marshal(doc)
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestCleanStackExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"--input", hardenedFile},
		{"--input", hardenedFile, "--stack", "prod"},
		{"--input", hardenedFile, "--pack", "azure-baseline"},
		// A real `pulumi preview --json` of the dev stack (see the fixture's test).
		{"--input", "../../inventory/testdata/preview-dev-engine.json", "--stack", "dev"},
	} {
		out, errOut, code := run(t, "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		if !strings.Contains(out, "check "+args[1]) {
			t.Errorf("no summary line: %s", out)
		}
	}
}

// Flipping a hardened property to its insecure value exits 1 and names
// the rule (every rule has its own flip in the rules package tests).
func TestWeakVariantsExitOne(t *testing.T) {
	tests := []struct {
		name, res, path string
		value           any
		rule            string
	}{
		{"https", "app", "httpsOnly", false, "appservice-https-only"},
		{"tls", "app", "siteConfig.minTlsVersion", "1.0", "appservice-min-tls"},
		{"cors off", "app", "siteConfig.appSettings.0.value", "false", "streamlit-cors-enabled"},
		{"waf detection", "waf", "policySettings.mode", "Detection", "waf-prevention-mode"},
		{"foreign origin", "waf", "customRules.rules.3.matchConditions.2.matchValue", []any{"https://evil.com"}, "waf-origin-allowlist"},
		// Property shapes all pass; the modelled edge does not (issue 14).
		{"allow without the Origin condition", "waf", "customRules.rules.3.matchConditions", []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}}, "edge-cswsh-refused"},
		{"caching", "route", "cacheConfiguration", map[string]any{"queryStringCachingBehavior": "UseQueryString"}, "frontdoor-route-no-cache"},
		{"public storage", "storage", "publicNetworkAccess", "Enabled", "storage-public-network-disabled"},
		{"vault rbac", "kv", "properties.enableRbacAuthorization", false, "keyvault-rbac"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := mutate(t, tt.res, tt.path, tt.value)
			out, _, code := run(t, "", "--input", file, "--stack", "prod", "--format", "json")
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, out)
			}
			var res Result
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, v := range res.Violations {
				found = found || (v.Policy == tt.rule && v.Severity == "mandatory")
			}
			if !found || res.Kind != inventory.KindPlan || res.Resources != 28 || res.Summary.Mandatory == 0 {
				t.Errorf("want %s in %+v", tt.rule, res)
			}
		})
	}
}

func TestAdvisoryOnlyExitsZero(t *testing.T) {
	file := mutate(t, "app", "siteConfig.http20Enabled", false)
	out, _, code := run(t, "", "--input", file)
	if code != 0 || !strings.Contains(out, "appservice-http2") {
		t.Errorf("advisory violation: exit %d\n%s", code, out)
	}
	// Raised to mandatory by flag, it blocks.
	if _, _, code := run(t, "", "--input", file, "--enforcement", "appservice-http2=mandatory"); code != 1 {
		t.Errorf("--enforcement mandatory: exit %d", code)
	}
	// And a mandatory rule lowered by a policy config file passes.
	weak := mutate(t, "app", "httpsOnly", false)
	cfg := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(cfg, []byte(`{"appservice-https-only": {"enforcementLevel": "advisory"}}`), 0o600)
	if out, errOut, code := run(t, "", "--input", weak, "--policy-config", cfg); code != 0 {
		t.Errorf("--policy-config advisory: exit %d\n%s%s", code, out, errOut)
	}
}

func TestFormats(t *testing.T) {
	file := mutate(t, "app", "httpsOnly", false)
	for _, format := range []string{"text", "json", "markdown", "html", "sarif", "junit"} {
		out, errOut, code := run(t, "", "--input", file, "--format", format)
		if code != 1 || !strings.Contains(out, "appservice-https-only") {
			t.Errorf("%s: exit %d\n%s%s", format, code, out, errOut)
		}
		switch format {
		case "json", "sarif":
			if !json.Valid([]byte(out)) {
				t.Errorf("%s: invalid JSON", format)
			}
		case "junit":
			var v struct{}
			if err := xml.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("junit: %v", err)
			}
		}
	}
}

func TestStdinPreview(t *testing.T) {
	data, err := os.ReadFile("../../inventory/testdata/preview.json")
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, string(data), "--input", "-", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Kind != inventory.KindPreview || res.Resources != 3 {
		t.Errorf("kind %s resources %d", res.Kind, res.Resources)
	}
	msgs := ""
	for _, v := range res.Violations {
		msgs += v.Policy + ": " + v.Message + "\n"
	}
	if !strings.Contains(msgs, "appservice-https-only") || !strings.Contains(msgs, "streamlit-cookie-secret-keyvault") {
		t.Errorf("violations:\n%s", msgs)
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	good, _ := os.ReadFile(hardenedFile)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no input flag", nil, "--input is required"},
		{"missing file", []string{"--input", filepath.Join(dir, "nope.json")}, "no such file"},
		{"directory", []string{"--input", dir}, "is a directory"},
		{"empty", []string{"--input", write("empty.json", "")}, "empty"},
		{"malformed", []string{"--input", write("bad.json", "{not json")}, "malformed"},
		{"truncated", []string{"--input", write("cut.json", string(good[:len(good)/2]))}, "truncated"},
		{"unknown format", []string{"--input", write("other.json", `{"name": "x"}`)}, "pulumi stack export"},
		{"yaml", []string{"--input", write("stack.yaml", "config:\n  a: b\n")}, "not a JSON object"},
		{"bad format", []string{"--input", hardenedFile, "--format", "pdf"}, "allowed values"},
		{"bad enforcement", []string{"--input", hardenedFile, "--enforcement", "nope=advisory", "--enforcement", "waf-enabled=loud"}, "unknown rule"},
		{"bad pack", []string{"--input", hardenedFile, "--pack", "other"}, "--pack"},
		{"bad stack", []string{"--input", hardenedFile, "--stack", "nosuchstack"}, "nosuchstack"},
		{"set without stack", []string{"--input", hardenedFile, "--set", "appName=x"}, "--set needs --stack"},
		{"bad policy config", []string{"--input", hardenedFile, "--policy-config", write("p.json", `{"waf-enabled": 3, "x": "advisory"}`)}, "unknown rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("message %q does not mention %q", errOut, tt.want)
			}
		})
	}
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }
