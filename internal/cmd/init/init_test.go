package initcmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/spec"
)

const devFile = `# Development environment.
config:
  azure-native:location: westeurope
  streamsec:appName: dashboard
  streamsec:namePrefix: acme
  streamsec:instanceCount: "1"
  streamsec:tags:
    owner: data-platform
  streamsec:cookieSecret:
    secure: v1:abc:def
  streamsec:authClientId:
    secure: v1:zzz
encryptionsalt: v1:salt
`

func newFactory(t *testing.T, in string, interactive bool) (*cli.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.dev.yaml"), []byte(devFile), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	f := &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(in), Out: out, ErrOut: errOut, InteractiveIn: interactive},
		ProjectDir: dir,
		Getenv:     func(string) string { return "" },
	}
	return f, out, errOut
}

func run(t *testing.T, f *cli.Factory, args ...string) error {
	t.Helper()
	cmd := NewCmdInit(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	return cmd.ExecuteContext(context.Background())
}

func TestInitFromCopiesWithoutSecrets(t *testing.T) {
	f, out, _ := newFactory(t, "", false)
	err := run(t, f, "--stack", "pr-1", "--from", "dev", "--set", "instanceCount=2", "--config-only")
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(f.ProjectDir, "stacks", "Pulumi.pr-1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, bad := range []string{"secure:", "encryptionsalt", "cookieSecret", "authClientId"} {
		if strings.Contains(got, bad) {
			t.Errorf("new file keeps %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{`streamsec:instanceCount: "2"`, "owner: data-platform", "Environment pr-1, created by streamsec init from Pulumi.dev.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("new file lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(out.String(), "wrote ") {
		t.Errorf("no report of the file written: %q", out.String())
	}
	// What init wrote loads as a valid Spec.
	if _, err := spec.Load(spec.LoadOptions{Stack: "pr-1", Dir: filepath.Join(f.ProjectDir, "stacks")}); err != nil {
		t.Errorf("written file does not load: %v", err)
	}
}

func TestInitRefusals(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"existing", []string{"--stack", "dev", "--config-only"}, "already exists"},
		{"bad stack name", []string{"--stack", "Bad_Name", "--config-only"}, "--stack"},
		{"unknown from", []string{"--stack", "x1", "--from", "nope", "--config-only"}, "--from nope"},
		{"unknown key", []string{"--stack", "x1", "--from", "dev", "--set", "httpsOnly=false", "--config-only"}, "httpsOnly"},
		{"secret on command line", []string{"--stack", "x1", "--from", "dev", "--set", "cookieSecret=abc", "--config-only"}, "cookieSecret"},
		{"invalid value", []string{"--stack", "x1", "--from", "dev", "--set", "wafMode=Off", "--set", "instanceCount=0", "--config-only"}, "wafMode"},
		{"nothing given, no terminal", []string{"--stack", "x1", "--config-only"}, "appName"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := newFactory(t, "", false)
			err := run(t, f, c.args...)
			if err == nil {
				t.Fatal("init succeeded")
			}
			if code := cli.ExitCode(err); code != cli.ExitUsage {
				t.Errorf("exit %d, want 2 (%v)", code, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			entries, _ := os.ReadDir(filepath.Join(f.ProjectDir, "stacks"))
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("files left behind: %v", names)
			}
		})
	}
}

func TestInitInvalidValuesReportedAtOnce(t *testing.T) {
	f, _, _ := newFactory(t, "", false)
	err := run(t, f, "--stack", "x1", "--from", "dev", "--set", "wafMode=Off", "--set", "instanceCount=0", "--config-only")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, k := range []string{"wafMode", "instanceCount"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error lacks %s: %v", k, err)
		}
	}
}

func TestInitAsksOnATerminal(t *testing.T) {
	// appName, namePrefix, location, domain, frontDoorSku, instanceCount, authMode
	answers := "shop\nxyz\n\n\n\n2\n\n"
	f, _, errOut := newFactory(t, answers, true)
	if err := run(t, f, "--stack", "qa", "--config-only"); err != nil {
		t.Fatalf("init: %v\nprompts: %s", err, errOut)
	}
	data, err := os.ReadFile(filepath.Join(f.ProjectDir, "stacks", "Pulumi.qa.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"streamsec:appName: shop", "streamsec:namePrefix: xyz", `streamsec:instanceCount: "2"`, "azure-native:location: westeurope"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("file lacks %q:\n%s", want, data)
		}
	}
	if !strings.Contains(errOut.String(), "App name") {
		t.Errorf("no prompt shown: %q", errOut.String())
	}
}

func TestInitNonInteractiveFromFlags(t *testing.T) {
	f, _, _ := newFactory(t, "", true)
	err := run(t, f, "--stack", "qa", "--non-interactive", "--config-only", "--set", "appName=shop", "--set", "namePrefix=xyz", "--set", "location=northeurope")
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	data, _ := os.ReadFile(filepath.Join(f.ProjectDir, "stacks", "Pulumi.qa.yaml"))
	if !strings.Contains(string(data), "azure-native:location: northeurope") {
		t.Errorf("location not mirrored to azure-native:location:\n%s", data)
	}
}

func TestWriteNewNeverOverwrites(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.yaml")
	if err := writeNew(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := writeNew(p, []byte("b")); err == nil {
		t.Fatal("second write succeeded")
	}
	data, _ := os.ReadFile(p)
	if string(data) != "a" {
		t.Errorf("content changed to %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temp files left: %d entries", len(entries))
	}
}

func TestInitWithoutPassphraseLeavesNothing(t *testing.T) {
	f, _, _ := newFactory(t, "", false)
	if err := os.WriteFile(filepath.Join(f.ProjectDir, "Pulumi.yaml"), []byte("name: streamsec\nruntime: go\nstackConfigDir: stacks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(t, f, "--stack", "pr-2", "--from", "dev")
	if err == nil {
		t.Fatal("init without a passphrase succeeded")
	}
	if code := cli.ExitCode(err); code != cli.ExitUsage {
		t.Errorf("exit %d, want 2: %v", code, err)
	}
	if _, err := os.Stat(filepath.Join(f.ProjectDir, "stacks", "Pulumi.pr-2.yaml")); !os.IsNotExist(err) {
		t.Errorf("stack file left behind")
	}
}

func FuzzApplySets(f *testing.F) {
	f.Add("appName=x")
	f.Add("tags={\"a\":\"b\"}")
	f.Add("domain=a\n]#[: 'x\"")
	f.Fuzz(func(t *testing.T, kv string) {
		doc, err := emptyDoc()
		if err != nil {
			t.Fatal(err)
		}
		if err := applySets(doc, []string{kv}); err != nil {
			return
		}
		data, err := encode(doc)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		_ = validate("fuzz", data) // must not panic, whatever the value
		// The value survives the YAML round trip as the same string.
		var back struct {
			Config map[string]any `yaml:"config"`
		}
		if err := yaml.Unmarshal(data, &back); err != nil {
			t.Fatalf("written YAML does not parse: %v\n%s", err, data)
		}
		_, v, _ := strings.Cut(kv, "=")
		found := false
		for k, got := range back.Config {
			if strings.HasPrefix(k, "streamsec:") && got == v {
				found = true
			}
		}
		if !found {
			t.Fatalf("value %q not kept:\n%s", v, data)
		}
	})
}
