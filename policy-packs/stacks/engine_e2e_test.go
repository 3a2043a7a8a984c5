//go:build e2e

package stacks

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/program"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// jsonPreview runs the real pulumi CLI but asks `preview` for its --json
// digest, which the Automation API does not expose, and keeps stdout.
type jsonPreview struct {
	auto.PulumiCommand
	digest string
}

func (c *jsonPreview) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer, env []string, args ...string) (string, string, int, error) {
	if len(args) > 0 && args[0] == "preview" {
		args = append(args, "--json")
	}
	stdout, stderr, code, err := c.PulumiCommand.Run(ctx, workdir, stdin, out, errOut, env, args...)
	if len(args) > 0 && args[0] == "preview" {
		c.digest = stdout
	}
	return stdout, stderr, code, err
}

func (c *jsonPreview) Version() semver.Version { return c.PulumiCommand.Version() }

// TestRealEngineOutputsLoad previews and deploys the dev stack with the
// real Pulumi engine (the test stand-in azure-native provider), then reads
// the `pulumi preview --json` digest and the `pulumi stack export` with
// inventory.Load and judges them: the formats `streamsec check` accepts
// are the ones the CLI really prints, and the dev stack is clean in both.
func TestRealEngineOutputsLoad(t *testing.T) {
	pulumiBin := os.Getenv("STREAMSEC_PULUMI")
	if pulumiBin == "" {
		home, _ := os.UserHomeDir()
		pulumiBin = filepath.Join(home, ".cache", "streamsec", "pulumi", "v3.274.1", "pulumi")
	}
	if _, err := os.Stat(pulumiBin); err != nil {
		t.Skipf("no pulumi CLI (scripts/get-pulumi.sh builds it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	work := t.TempDir()
	root := filepath.Join(work, "root")
	bin := filepath.Join(root, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(pulumiBin, filepath.Join(bin, "pulumi")); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "pulumi-resource-azure-native"), "./test/standin-provider")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build stand-in provider: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(work, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	project := filepath.Join(work, "project")
	for _, f := range []string{"Pulumi.yaml", "stacks/Pulumi.dev.yaml"} {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(project, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(project, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PULUMI_HOME", filepath.Join(work, "home"))
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "streamsec-test-only")
	t.Setenv("PULUMI_SKIP_UPDATE_CHECK", "true")

	real, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, SkipVersionCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	cmd := &jsonPreview{PulumiCommand: real}
	st, err := auto.UpsertStackInlineSource(ctx, "dev", "streamsec", program.Run,
		auto.WorkDir(project), auto.Pulumi(cmd),
		auto.EnvVars(map[string]string{"PULUMI_BACKEND_URL": "file://" + filepath.ToSlash(filepath.Join(work, "state"))}))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetConfig(ctx, "streamsec:cookieSecret", auto.ConfigValue{Value: strings.Repeat("ab", 32), Secret: true}); err != nil {
		t.Fatal(err)
	}
	_, s := planStack(t, "dev")
	cfg := rules.ConfigFromSpec(s)

	if _, err := st.Preview(ctx, optpreview.Color("never")); err != nil {
		t.Fatalf("preview: %v", err)
	}
	in, err := inventory.Load([]byte(cmd.digest))
	if err != nil {
		t.Fatalf("Load(pulumi preview --json): %v\n%.2000s", err, cmd.digest)
	}
	if in.Kind != inventory.KindPreview || len(in.Resources) < 40 {
		t.Fatalf("preview: kind %s, %d resources", in.Kind, len(in.Resources))
	}
	if strings.Contains(cmd.digest, strings.Repeat("ab", 32)) {
		t.Error("the cookie secret is in the preview JSON")
	}
	for _, v := range rules.Evaluate(in.Resources, cfg) {
		t.Errorf("preview: %s %s on %s: %s", v.Severity, v.Policy, v.URN, v.Message)
	}
	if dir := os.Getenv("STREAMSEC_WRITE_FIXTURES"); dir != "" {
		os.WriteFile(filepath.Join(dir, "preview-dev.json"), []byte(cmd.digest), 0o644)
	}

	if _, err := st.Up(ctx, optup.Color("never")); err != nil {
		t.Fatalf("up: %v", err)
	}
	export, err := st.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	in, err = inventory.Load(data)
	if err != nil {
		t.Fatalf("Load(pulumi stack export): %v", err)
	}
	if in.Kind != inventory.KindStackExport || len(in.Resources) < 40 {
		t.Fatalf("export: kind %s, %d resources", in.Kind, len(in.Resources))
	}
	for _, v := range rules.Evaluate(in.Resources, cfg) {
		t.Errorf("export: %s %s on %s: %s", v.Severity, v.Policy, v.URN, v.Message)
	}
	// With outputs known, a foreign X-Azure-FDID is caught.
	for i, r := range in.Resources {
		if inventory.BaseType(r.Type) != "azure-native:web:WebApp" {
			continue
		}
		restr, _ := r.Get("siteConfig.ipSecurityRestrictions.0.headers")
		restr.(map[string]any)["x-azure-fdid"] = []any{"00000000-0000-4000-8000-00000000dead"}
		in.Resources[i] = r
	}
	if vs := rules.Evaluate(in.Resources, cfg); !caught(vs, "appservice-frontdoor-id") {
		t.Errorf("foreign Front Door id in the export not caught: %v", vs)
	}
	if _, err := st.Destroy(ctx); err != nil {
		t.Logf("destroy: %v", err)
	}
}
