package program_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/program"
)

// stackConfig reads stacks/Pulumi.<stack>.yaml the way the Pulumi engine
// hands config to a program: "namespace:key" -> string, objects as JSON.
func stackConfig(t *testing.T, stack string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "stacks", "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range file.Config {
		switch v.(type) {
		case map[string]any, []any:
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			out[k] = string(b)
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}

func run(stack string, cfg map[string]string) error {
	return pulumi.RunErr(program.Run,
		pulumi.WithMocks(plan.Project, stack, plan.NewMocks(stack)),
		func(info *pulumi.RunInfo) { info.Config = cfg })
}

func TestRunFromStackConfig(t *testing.T) {
	const secret = "4f2c9a7e1b3d5f608a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f"
	for _, tc := range []struct {
		name    string
		stack   string
		edit    func(map[string]string)
		wantErr string // "" = success
	}{
		{"dev with secret", "dev", func(c map[string]string) { c["streamsec:cookieSecret"] = secret }, ""},
		{"prod with secret", "prod", func(c map[string]string) { c["streamsec:cookieSecret"] = secret }, ""},
		{"no cookie secret", "dev", func(map[string]string) {}, "streamsec:cookieSecret"},
		{"invalid spec", "prod", func(c map[string]string) {
			c["streamsec:cookieSecret"] = secret
			c["streamsec:allowedOrigins"] = `["null"]`
			c["streamsec:instanceCount"] = "0"
		}, "allowedOrigins"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := stackConfig(t, tc.stack)
			tc.edit(cfg)
			err := run(tc.stack, cfg)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want success, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want an error naming %s, got %v", tc.wantErr, err)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatal("error message contains the secret")
			}
		})
	}
}

func TestSpecFromConfigReadsEveryKind(t *testing.T) {
	cfg := stackConfig(t, "prod")
	var got map[string]string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		s, err := program.SpecFromConfig(ctx)
		if err != nil {
			return err
		}
		got = s.Tags
		if s.InstanceCount != 3 || s.Domain != "dash.example.com" || s.Stack != "prod" {
			return fmt.Errorf("spec = %d %q %q", s.InstanceCount, s.Domain, s.Stack)
		}
		return nil
	}, pulumi.WithMocks(plan.Project, "prod", plan.NewMocks("prod")), func(info *pulumi.RunInfo) { info.Config = cfg })
	if err != nil {
		t.Fatal(err)
	}
	if got["costCenter"] != "4711" {
		t.Errorf("tags = %v, want costCenter kept with its case", got)
	}
}
