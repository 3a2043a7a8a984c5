// Package program is the streamsec Pulumi program: it reads the environment
// from the stack's `streamsec:` config, validates it and registers the
// hardened stack. `pulumi up` runs it through stacks/main.go; the offline
// plan runs RunSpec under mocks; the Automation API runs it inline.
package program

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/components"
	"github.com/streamsec/streamsec/internal/deploy"
	"github.com/streamsec/streamsec/internal/spec"
)

// StackComponentName is the logical name of the HardenedStack component.
const StackComponentName = "streamsec"

// Run is the Pulumi program entry: Spec from the stack config, the
// deployment's secret requirements, then the resources.
func Run(ctx *pulumi.Context) error {
	s, err := SpecFromConfig(ctx)
	if err != nil {
		return err
	}
	// A real preview or update must carry the real cookie secret; only
	// the offline plan (RunSpec) may stand in a placeholder.
	if err := s.RequireSecrets(); err != nil {
		return err
	}
	return RunSpec(ctx, s)
}

// SpecFromConfig decodes and validates the Spec from the stack's config.
func SpecFromConfig(ctx *pulumi.Context) (*spec.Spec, error) {
	// The engine hands every value over as a string (lists and maps as
	// JSON); spec.Decode converts and validates them.
	s, err := spec.Decode(ctx.Stack(), func(key string) (any, bool) {
		v, ok := ctx.GetConfig(spec.Namespace + ":" + key)
		return v, ok
	})
	if err != nil {
		return nil, fmt.Errorf("stack %s config: %w", ctx.Stack(), err)
	}
	return s, nil
}

// RunSpec registers the hardened stack for a Spec the caller already has and
// exports its outputs.
func RunSpec(ctx *pulumi.Context, s *spec.Spec) error { return run(ctx, s, nil) }

// RunRelease is RunSpec with an app package: shipped when its PackageURI is
// set, kept as deployed otherwise (`streamsec up` after a deploy). A nil
// release is RunSpec.
func RunRelease(rel *components.Release) func(*pulumi.Context, *spec.Spec) error {
	return func(ctx *pulumi.Context, s *spec.Spec) error { return run(ctx, s, rel) }
}

func run(ctx *pulumi.Context, s *spec.Spec, rel *components.Release) error {
	stack, err := components.NewHardenedStack(ctx, StackComponentName, &components.HardenedStackArgs{Spec: s, Release: rel})
	if err != nil {
		return err
	}
	for name, out := range stack.Outputs() {
		ctx.Export(name, out)
	}
	return nil
}

// AppPackageOutput is the stack output holding the deployed package's digest.
const AppPackageOutput = "appPackage"

var digestForm = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// DeployedRelease is the release recorded in a stack's outputs: the package
// a later run keeps. nil when nothing was deployed.
func DeployedRelease(outs map[string]any) (*components.Release, error) {
	v, ok := outs[AppPackageOutput]
	if !ok || v == nil || v == "" {
		return nil, nil
	}
	d, ok := v.(string)
	if !ok || !digestForm.MatchString(d) {
		return nil, fmt.Errorf("stack output %s = %v: not a sha256:<64 hex> package digest", AppPackageOutput, v)
	}
	return &components.Release{Digest: d, Blob: deploy.BlobName(d)}, nil
}
