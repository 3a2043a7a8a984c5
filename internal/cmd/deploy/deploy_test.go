package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/deploy"
)

// project makes a temp project with the repository's dev stack file and
// returns it with the Streamlit version that stack targets.
func project(t *testing.T) (dir, version string) {
	t.Helper()
	dir = t.TempDir()
	data, err := os.ReadFile("../../../stacks/Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.MkdirAll(filepath.Join(dir, "stacks"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.dev.yaml"), data, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: streamsec\nruntime: go\nmain: stacks/\nstackConfigDir: stacks\n"), 0o644))
	f := factory(dir, &bytes.Buffer{}, &bytes.Buffer{})
	loaded, err := f.LoadSpec(cli.StackFlags{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, loaded.Spec.StreamlitVersion
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func factory(dir string, out, errOut *bytes.Buffer) *cli.Factory {
	f := cli.NewFactory("test")
	f.IO = &cli.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}
	f.ProjectDir, f.Getenv = dir, func(string) string { return "" }
	return f
}

func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return dir
}

// TestBadAppRefusedBeforeAnythingIsContacted: every refusal exits 2 with
// the problems listed, before the engine or the package store is opened
// (the engine would create the state folder; the store counts its opens).
func TestBadAppRefusedBeforeAnythingIsContacted(t *testing.T) {
	dir, version := project(t)
	pin := "streamlit==" + version + "\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"entry missing", map[string]string{"main.py": "x", "requirements.txt": pin}, []string{"app.py"}},
		{"streamlit unpinned", map[string]string{"app.py": "x", "requirements.txt": "streamlit\n"}, []string{"requirements.txt:1"}},
		{"other streamlit", map[string]string{"app.py": "x", "requirements.txt": "streamlit==0.1.0\n"}, []string{"pin exactly streamlit==" + version}},
		{"streamlit secrets", map[string]string{"app.py": "x", "requirements.txt": pin, ".streamlit/secrets.toml": "k='v'"}, []string{".streamlit/secrets.toml"}},
		{"dotenv", map[string]string{"app.py": "x", "requirements.txt": pin, ".env": "A=1"}, []string{".env"}},
		{"key in content", map[string]string{"app.py": "K='-----BEGIN RSA PRIVATE KEY-----'", "requirements.txt": pin}, []string{"app.py: contains a private key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			opened := 0
			opts := &DeployOptions{IO: &cli.IOStreams{Out: &out, ErrOut: &errOut}, Factory: factory(dir, &out, &errOut),
				Stack: cli.StackFlags{Stack: "dev"}, App: writeApp(t, tt.files), Format: "json",
				OpenStore: func(context.Context, string, string) (deploy.Store, error) {
					opened++
					return nil, errors.New("contacted")
				}}
			opts.Engine.Color = "never"
			err := runDeploy(context.Background(), opts)
			if code := cli.ExitCode(err); code != cli.ExitUsage {
				t.Fatalf("exit %d (%v), want 2", code, err)
			}
			var sum Summary
			if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
				t.Fatalf("summary: %v\n%s", err, out.String())
			}
			if sum.Status != "refused" || len(sum.Problems) == 0 || sum.Digest != "" {
				t.Errorf("summary %+v, want refused with problems and no package", sum)
			}
			all := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("refusal does not name %q: %s", w, all)
				}
			}
			if opened != 0 {
				t.Error("the package store was opened for a bad app")
			}
			if _, err := os.Stat(filepath.Join(dir, ".streamsec")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the engine was opened for a bad app (.streamsec exists: %v)", err)
			}
		})
	}
}

func TestTargetOfNotDeployed(t *testing.T) {
	dir, _ := project(t)
	f := factory(dir, &bytes.Buffer{}, &bytes.Buffer{})
	loaded, err := f.LoadSpec(cli.StackFlags{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	s := loaded.Spec
	full := map[string]any{"appName": "a", "packageStoreEndpoint": "https://p.blob.core.windows.net/", "packageContainer": "app-packages", "frontDoorEndpointHost": "ep.z01.azurefd.net"}
	tg, err := targetOf(s, full)
	if err != nil || tg.app != "a" || len(tg.runtime.ExtraOrigins) != 1 || tg.runtime.ExtraOrigins[0] != "https://ep.z01.azurefd.net" {
		t.Fatalf("targetOf = %+v, %v", tg, err)
	}
	for _, drop := range []string{"appName", "packageStoreEndpoint", "packageContainer", "frontDoorEndpointHost"} {
		outs := map[string]any{}
		for k, v := range full {
			if k != drop {
				outs[k] = v
			}
		}
		if _, err := targetOf(s, outs); err == nil || !strings.Contains(err.Error(), drop) || !strings.Contains(err.Error(), "streamsec up --stack dev") {
			t.Errorf("without %s: %v, want a not-deployed error naming it", drop, err)
		}
	}
}

func TestUsage(t *testing.T) {
	var got *DeployOptions
	cmd := NewCmdDeploy(factory(t.TempDir(), &bytes.Buffer{}, &bytes.Buffer{}), func(o *DeployOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--stack", "pr-1", "--app", "examples/dashboard", "--format", "json", "--no-policy", "--color", "never"})
	must(t, cmd.Execute())
	if got.Stack.Stack != "pr-1" || got.App != "examples/dashboard" || got.Format != "json" || !got.Engine.NoPolicy || got.OpenStore == nil {
		t.Errorf("options %+v", got)
	}
	opts := &DeployOptions{IO: &cli.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Format: "xml"}
	if code := cli.ExitCode(runDeploy(context.Background(), opts)); code != cli.ExitUsage {
		t.Errorf("--format xml: exit %d, want 2", code)
	}
}
