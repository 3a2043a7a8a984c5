package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/go-multierror"
)

// valid is a minimal source that passes validation.
func valid() map[string]any {
	return map[string]any{"appName": "dashboard", "namePrefix": "acme"}
}

func decode(t *testing.T, overrides map[string]any) (*Spec, error) {
	t.Helper()
	src := valid()
	for k, v := range overrides {
		if v == nil {
			delete(src, k)
			continue
		}
		src[k] = v
	}
	return Decode("dev", func(k string) (any, bool) { v, ok := src[k]; return v, ok })
}

func TestDecodeDefaultsAreValid(t *testing.T) {
	s, err := decode(t, nil)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if s.WAFMode != WAFPrevention || s.MaxMessageSizeMB != 5 || s.FrontDoorSku != FrontDoorStandard {
		t.Errorf("unexpected defaults: %+v", s)
	}
}

// TestFieldValidation checks each key with a good and a bad value: the bad
// value must produce exactly one FieldError naming that key.
func TestFieldValidation(t *testing.T) {
	guid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tests := []struct {
		key  string
		good any
		bad  any
		// extra settings needed for the good or bad value to be judged alone
		ctx map[string]any
	}{
		{key: "appName", good: "my-dash", bad: "My_Dash"},
		{key: "appName", good: "abc", bad: "ab"},
		{key: "location", good: "eastus2", bad: "mars"},
		{key: "namePrefix", good: "ab12", bad: "1abc"},
		{key: "tags", good: map[string]any{"owner": "team"}, bad: map[string]any{"owner": "a<b"}},
		{key: "tags", good: map[string]any{"cost Center": "x"}, bad: map[string]any{"bad/key": "x"}},
		{key: "appServiceSku", good: "S1", bad: "F1"},
		{key: "instanceCount", good: "3", bad: "0"},
		{key: "instanceCount", good: 2, bad: "many"},
		{key: "pythonVersion", good: "3.11", bad: 3.1},
		{key: "pythonVersion", good: "3.13", bad: "2.7"},
		{key: "streamlitVersion", good: "1.39.0", bad: "1.38.0"},
		{key: "streamlitVersion", good: "1.50", bad: "latest"},
		{key: "appEntry", good: "src/app.py", bad: "../app.py"},
		{key: "appEntry", good: "app.py", bad: "/abs/app.py"},
		{key: "healthCheckPath", good: "/_stcore/health", bad: "health"},
		{key: "domain", good: "dash.example.com", bad: "https://dash.example.com"},
		{key: "domain", good: "a.b.example.org", bad: "*.example.com"},
		{key: "domain", good: "x.example.com", bad: "localhost"},
		{key: "allowedOrigins", good: []any{"https://app.example.com"}, bad: []any{"http://app.example.com"}},
		{key: "allowedOrigins", good: []any{"https://app.example.com:8443"}, bad: []any{"null"}},
		{key: "allowedOrigins", good: "https://a.example.com,https://b.example.com", bad: "https://*.example.com"},
		{key: "allowedOrigins", good: "[\"https://a.example.com\"]", bad: []any{"https://a.example.com/path"}},
		{key: "allowedOrigins", good: []any{"https://a.example.com"}, bad: []any{"file://"}},
		{key: "allowedOrigins", good: []any{"https://a.example.com"}, bad: []any{"https://a.example.com\"\nenableCORS=false"}},
		{key: "frontDoorSku", good: FrontDoorPremium, bad: "Standard_Microsoft"},
		{key: "wafMode", good: WAFDetection, bad: "Off"},
		{key: "rateLimitPerMinute", good: "10", bad: "5"},
		{key: "blockedPaths", good: []any{"/admin"}, bad: []any{"/_stcore/stream"}},
		{key: "blockedPaths", good: []any{"/x"}, bad: []any{"/"}},
		{key: "certificateSource", good: CertificateManaged, bad: "letsencrypt"},
		{key: "certificateName", good: "dash-cert", bad: "bad name", ctx: map[string]any{"certificateSource": CertificateKeyVault, "domain": "dash.example.com"}},
		{key: "authMode", good: AuthNone, bad: "basic"},
		{key: "authTenantId", good: guid, bad: "tenant", ctx: map[string]any{"authMode": AuthEntraID, "authClientId": guid}},
		{key: "authClientId", good: guid, bad: "", ctx: map[string]any{"authMode": AuthEntraID, "authTenantId": guid}},
		{key: "maxMessageSizeMb", good: "1", bad: "500"},
		{key: "maxUploadSizeMb", good: "200", bad: "0"},
		{key: "maxWidgetStateSizeMb", good: "25", bad: "0"},
		{key: "maxWidgetStateSizeMb", good: "200", bad: "201"},
		{key: "sessionTtlSeconds", good: "600", bad: "5"},
		{key: "pingIntervalSeconds", good: "60", bad: "10"},
		{key: "pingIntervalSeconds", good: "240", bad: "300"},
		{key: "vnetAddressSpace", good: "10.1.0.0/16", bad: "8.8.0.0/16", ctx: map[string]any{"appSubnet": "10.1.1.0/24", "privateEndpointSubnet": "10.1.2.0/24"}},
		{key: "appSubnet", good: "10.40.3.0/24", bad: "10.41.0.0/24"},
		{key: "appSubnet", good: "10.40.3.0/26", bad: "10.40.3.0/29"},
		{key: "privateEndpointSubnet", good: "10.40.4.0/24", bad: "10.40.1.0/25"},
		{key: "logRetentionDays", good: "30", bad: "7"},
		{key: "cookieSecret", good: strings.Repeat("ab", 32), bad: "short"},
		{key: "cookieSecret", good: map[string]any{"secure": "v1:abc"}, bad: 12},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%v", tt.key, tt.bad), func(t *testing.T) {
			set := func(v any) map[string]any {
				m := map[string]any{tt.key: v}
				for k, cv := range tt.ctx {
					if k != tt.key {
						m[k] = cv
					}
				}
				return m
			}
			if _, err := decode(t, set(tt.good)); err != nil {
				t.Fatalf("good value %v refused: %v", tt.good, err)
			}
			_, err := decode(t, set(tt.bad))
			if err == nil {
				t.Fatalf("bad value %v accepted", tt.bad)
			}
			var me *multierror.Error
			if !errors.As(err, &me) || len(me.Errors) != 1 {
				t.Fatalf("want exactly one problem, got: %v", err)
			}
			var fe *FieldError
			if !errors.As(me.Errors[0], &fe) || fe.Key != tt.key {
				t.Fatalf("problem does not name %s: %v", tt.key, err)
			}
			if fe.Allowed == "" {
				t.Errorf("no allowed values stated: %v", err)
			}
		})
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	_, err := decode(t, map[string]any{
		"appName": "X", "namePrefix": nil, "wafMode": "Off", "allowedOrigins": []any{"null", "*"},
	})
	var me *multierror.Error
	if !errors.As(err, &me) {
		t.Fatalf("want a multierror, got %v", err)
	}
	if len(me.Errors) != 5 {
		t.Errorf("want 5 problems (appName, namePrefix, wafMode, 2 origins), got %d:\n%v", len(me.Errors), err)
	}
	for _, key := range []string{"streamsec:appName", "streamsec:namePrefix", "streamsec:wafMode", "streamsec:allowedOrigins"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not mention %s:\n%v", key, err)
		}
	}
}

func TestHostileValuesAreQuotedAndCut(t *testing.T) {
	hostile := "x\"\n[server]\nenableCORS = false # " + strings.Repeat("A", 10000)
	_, err := decode(t, map[string]any{"domain": hostile, "appEntry": hostile, "tags": map[string]any{"k": hostile}})
	if err == nil {
		t.Fatal("hostile values accepted")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n[server]") || strings.Contains(msg, strings.Repeat("A", 100)) {
		t.Errorf("hostile value reached the message unquoted or uncut:\n%s", msg)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	secret := strings.Repeat("c0ffee", 8)
	s, err := decode(t, map[string]any{"cookieSecret": secret})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	for _, out := range []string{string(b), fmt.Sprintf("%v %+v %#v %s", s, s, s, s.CookieSecret)} {
		if strings.Contains(out, secret) {
			t.Fatalf("secret printed: %s", out)
		}
	}
	if s.CookieSecret.Value() != secret {
		t.Error("secret value lost")
	}
	// A bad secret is reported without its value.
	_, err = decode(t, map[string]any{"cookieSecret": "tooshort-but-secret"})
	if err == nil || strings.Contains(err.Error(), "tooshort-but-secret") {
		t.Errorf("bad secret error leaks or is missing: %v", err)
	}
}

func TestRequireSecrets(t *testing.T) {
	s, _ := decode(t, nil)
	if err := s.RequireSecrets(); err == nil || !strings.Contains(err.Error(), "streamsec init") {
		t.Errorf("missing cookie secret not reported usefully: %v", err)
	}
	s, _ = decode(t, map[string]any{"cookieSecret": map[string]any{"secure": "v1:xyz"}})
	if err := s.RequireSecrets(); err != nil {
		t.Errorf("encrypted secret refused: %v", err)
	}
}

func TestOriginsIncludeDomain(t *testing.T) {
	s, err := decode(t, map[string]any{"domain": "dash.example.com", "allowedOrigins": []any{"https://dash.example.com", "https://other.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(s.Origins(), " ")
	if got != "https://dash.example.com https://other.example.com" {
		t.Errorf("Origins() = %s", got)
	}
	s, _ = decode(t, map[string]any{"blockedPaths": []any{"/admin", "/st-metrics"}})
	if got := strings.Join(s.BlockedPathsAll(), " "); got != "/_stcore/metrics /st-metrics /_stcore/agent/ /admin" {
		t.Errorf("BlockedPathsAll() = %s", got)
	}
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{"domain": "STREAMSEC_DOMAIN", "appName": "STREAMSEC_APP_NAME", "maxMessageSizeMb": "STREAMSEC_MAX_MESSAGE_SIZE_MB", "authTenantId": "STREAMSEC_AUTH_TENANT_ID"} {
		if got := EnvName(key); got != want {
			t.Errorf("EnvName(%s) = %s, want %s", key, got, want)
		}
	}
}

func writeStack(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.test.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadPrecedence(t *testing.T) {
	dir := writeStack(t, `config:
  azure-native:location: westeurope
  streamsec:appName: fromfile
  streamsec:namePrefix: acme
  streamsec:wafMode: Detection
  streamsec:domain: file.example.com
  streamsec:tags:
    costCenter: "42"
`)
	env := map[string]string{"STREAMSEC_WAF_MODE": "Prevention", "STREAMSEC_DOMAIN": "env.example.com"}
	l, err := Load(LoadOptions{Stack: "test", Dir: dir, Getenv: func(k string) string { return env[k] }, Set: []string{"streamsec:domain=flag.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s := l.Spec
	if s.AppName != "fromfile" || s.WAFMode != WAFPrevention || s.Domain != "flag.example.com" {
		t.Errorf("precedence wrong: appName=%s wafMode=%s domain=%s", s.AppName, s.WAFMode, s.Domain)
	}
	if s.Tags["costCenter"] != "42" {
		t.Errorf("tag key case lost: %v", s.Tags)
	}
	if l.Path != filepath.Join(dir, "Pulumi.test.yaml") {
		t.Errorf("path = %s", l.Path)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, body string
		set        []string
		stack      string
		want       []string
	}{
		{name: "unknown key", body: "config:\n  streamsec:appName: a1b\n  streamsec:namePrefix: ab\n  streamsec:enableCors: false\n", want: []string{"unknown key", "enablecors"}},
		{name: "bad yaml", body: "config: [\n", want: []string{"not valid YAML"}},
		{name: "bad set", body: "config:\n  streamsec:appName: a1b\n  streamsec:namePrefix: ab\n", set: []string{"nokey"}, want: []string{"--set", "key=value"}},
		{name: "missing file", stack: "nope", want: []string{"not found", "streamsec init"}},
		{name: "bad stack name", stack: "../etc", want: []string{"--stack"}},
		{name: "all at once", body: "config:\n  streamsec:appName: A\n  streamsec:bogus: 1\n", set: []string{"wafMode=Off"}, want: []string{"unknown key", "appName", "namePrefix", "wafMode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeStack(t, tt.body)
			stack := tt.stack
			if stack == "" {
				stack = "test"
			}
			_, err := Load(LoadOptions{Stack: stack, Dir: dir, Set: tt.set})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadEmbeddedFallback(t *testing.T) {
	fsys := fstest.MapFS{"Pulumi.dev.yaml": {Data: []byte("config:\n  streamsec:appName: embedded\n  streamsec:namePrefix: ab\n")}}
	l, err := Load(LoadOptions{Stack: "dev", Dir: t.TempDir(), Embedded: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.AppName != "embedded" || l.Path != "embedded:Pulumi.dev.yaml" {
		t.Errorf("got %s from %s", l.Spec.AppName, l.Path)
	}
}

func TestProjectStacksAreValid(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		l, err := Load(LoadOptions{Stack: stack, Dir: "../../stacks"})
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		if stack == "prod" && (!l.Spec.Premium() || !l.Spec.MultiInstance() || l.Spec.Domain == "" || l.Spec.CertificateSource != CertificateKeyVault) {
			t.Errorf("prod must be Premium, multi-instance, with a domain and a Key Vault certificate: %+v", l.Spec)
		}
		if stack == "dev" && (l.Spec.Premium() || l.Spec.MultiInstance()) {
			t.Errorf("dev must be Standard with one instance: %+v", l.Spec)
		}
	}
}

// FuzzLoad feeds arbitrary stack files and overrides: Load must never panic,
// and whatever it accepts must validate again.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../../stacks/Pulumi.*.yaml")
	for _, p := range seeds {
		b, _ := os.ReadFile(p)
		f.Add(string(b), "domain=dash.example.com")
	}
	f.Add("config:\n  streamsec:allowedOrigins: [\"null\", 1, {a: b}]\n", "tags={\"a\":\"b\"}")
	f.Add("config:\n  streamsec:tags: [1,2]\n  streamsec:instanceCount: 1e99\n", "instanceCount=-1")
	f.Add("config: {streamsec:cookieSecret: {secure: x}}", "cookieSecret=")
	f.Fuzz(func(t *testing.T, body, set string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Pulumi.fz.yaml"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Load(LoadOptions{Stack: "fz", Dir: dir, Set: []string{set}})
		if err != nil {
			return
		}
		if err := l.Spec.Validate(); err != nil {
			t.Fatalf("accepted spec fails validation: %v", err)
		}
		for _, o := range l.Spec.Origins() {
			if originProblem(o) != "" && !strings.HasPrefix(o, "https://") {
				t.Fatalf("bad origin accepted: %q", o)
			}
		}
	})
}
