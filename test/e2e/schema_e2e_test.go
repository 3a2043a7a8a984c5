//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	streamsec "github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/program"
	"github.com/streamsec/streamsec/internal/spec"
)

// TestPreviewFailsWhatAzureRefuses runs the streamsec program through the
// real engine and the stand-in provider with one change made by a stack
// transform (so the rest of the program is exactly what `up` would send):
// a nested required property removed, or a hardening setting misspelled.
// The stand-in's Check, as strict as the table of what Azure accepts, must
// fail the preview and name the property path. No policy pack is attached:
// the provider alone refuses it.
func TestPreviewFailsWhatAzureRefuses(t *testing.T) {
	p := newProject(t)
	for _, kv := range p.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	loaded, err := spec.Load(spec.LoadOptions{Stack: "dev", Dir: filepath.Join(setup.repo, "stacks"), Embedded: streamsec.Stacks()})
	if err != nil {
		t.Fatal(err)
	}
	get := func(m pulumi.Map, path ...any) pulumi.Map {
		var cur pulumi.Input = m
		for _, step := range path {
			switch s := step.(type) {
			case string:
				cur = cur.(pulumi.Map)[s]
			case int:
				cur = cur.(pulumi.Array)[s]
			}
		}
		return cur.(pulumi.Map)
	}
	cases := []struct {
		name, token, path string
		change            func(props pulumi.Map)
	}{
		{"nested required removed", "azure-native:network/v20240201:Policy", "customRules.rules.2.matchConditions.1.matchValue", func(props pulumi.Map) {
			delete(get(props, "customRules", "rules", 2, "matchConditions", 1), "matchValue")
		}},
		{"misspelled property", "azure-native:web:WebApp", "siteConfig.minTLSVersion", func(props pulumi.Map) {
			sc := get(props, "siteConfig")
			sc["minTLSVersion"] = sc["minTlsVersion"]
			delete(sc, "minTlsVersion")
		}},
		{"unchanged program passes", "", "", nil},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			prog := func(ctx *pulumi.Context) error {
				if tc.change != nil {
					err := ctx.RegisterResourceTransform(func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
						if args.Type != tc.token {
							return nil
						}
						tc.change(args.Props)
						return &pulumi.ResourceTransformResult{Props: args.Props, Opts: args.Opts}
					})
					if err != nil {
						return err
					}
				}
				return program.RunSpec(ctx, loaded.Spec)
			}
			cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: pulumiRoot(t), SkipVersionCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			st, err := auto.UpsertStackInlineSource(ctx, "schema"+string(rune('a'+i)), "streamsec", prog,
				auto.WorkDir(t.TempDir()), auto.Pulumi(cmd),
				auto.EnvVars(map[string]string{"PULUMI_BACKEND_URL": "file://" + filepath.ToSlash(t.TempDir())}))
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			_, err = st.Preview(ctx, optpreview.ProgressStreams(&log), optpreview.Color("never"))
			if tc.change == nil {
				if err != nil {
					t.Fatalf("preview of the unchanged program failed: %v\n%s", err, tail(log.String(), 60))
				}
				return
			}
			if err == nil {
				t.Fatalf("preview passed; log:\n%s", tail(log.String(), 60))
			}
			out := log.String() + err.Error()
			mustContain(t, out, tc.path, "has a problem")
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(line, tc.path) {
					t.Logf("engine: %s", strings.TrimSpace(line))
					break
				}
			}
		})
	}
}
