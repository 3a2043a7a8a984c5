// Package plan runs the streamsec Pulumi program offline, under Pulumi's
// mocks, and returns every resource it would create with its inputs. No
// Azure account, Pulumi CLI or network is involved; the program is the same
// one `pulumi up` runs.
package plan

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/components"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/program"
	"github.com/streamsec/streamsec/internal/spec"
)

// Project is the Pulumi project name (Pulumi.yaml), part of every URN.
const Project = "streamsec"

// Plan is the offline result for one stack.
type Plan struct {
	Stack string `json:"stack"`
	// Resources are the components and custom resources, in tree order: a
	// parent before its children, siblings sorted by type and name (the
	// SDK registers resources concurrently, so the raw order varies from
	// run to run). The root stack is left out; top-level parents are "".
	Resources []inventory.Resource `json:"resources"`
}

// Run plans the stack of s. It is safe to call concurrently: every run has
// its own mocks and Pulumi context.
func Run(ctx context.Context, s *spec.Spec) (*Plan, error) {
	return run(ctx, s, nil, true, nil)
}

// Observe is Run telling each of every resource as the program registers
// it, so a caller can start on it (`streamsec plan` judges each resource
// while the program still registers the rest). each is called from the
// SDK's goroutines, concurrently, and never after Observe returns (also
// when ctx ends the run early). It gets the very record the Plan holds and
// must neither modify it nor keep the SDK waiting. A nil each is Run.
func Observe(ctx context.Context, s *spec.Spec, each func(inventory.Resource)) (*Plan, error) {
	return run(ctx, s, nil, true, each)
}

// RunRelease plans the stack of s shipping the app package rel (what
// `streamsec deploy` runs); nil is Run.
func RunRelease(ctx context.Context, s *spec.Spec, rel *components.Release) (*Plan, error) {
	return run(ctx, s, rel, true, nil)
}

// run is Run with the alias stripping switchable, so a test can show that
// it changes no resource and no input.
func run(ctx context.Context, s *spec.Spec, rel *components.Release, stripAliases bool, each func(inventory.Resource)) (*Plan, error) {
	if s == nil {
		return nil, errors.New("plan: no spec")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := &mocks{stack: s.Stack, project: Project, each: each}
	defer m.stopTelling()
	done := make(chan error, 1)
	go func() {
		done <- pulumi.RunErr(func(pctx *pulumi.Context) error {
			if stripAliases {
				if err := pctx.RegisterStackTransformation(withoutAliases()); err != nil {
					return err
				}
			}
			return program.RunRelease(rel)(pctx, s)
		}, pulumi.WithMocks(Project, s.Stack, m), hermetic)
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("plan stack %s: %w", s.Stack, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return &Plan{Stack: s.Stack, Resources: treeOrder(m.records)}, nil
}

// hermetic keeps the run independent of PULUMI_* variables in the
// environment (a plan started from inside a Pulumi program or CI job).
func hermetic(info *pulumi.RunInfo) {
	info.Config = nil
	info.ConfigSecretKeys = nil
	info.DryRun = false
	info.MonitorAddr = ""
	info.EngineAddr = ""
	info.Organization = ""
}

// withoutAliases returns a stack transformation that drops the options
// that only add aliases. The azure-native SDK gives every resource one alias
// per older API version of its type (30 and more for a storage account),
// and the Pulumi SDK turns each into an Output of its own: that was half of
// a plan's program time and allocations. Aliases only tell the engine how
// to match existing state; a plan has no state and never shows them, so its
// resources and inputs are the same without them (TestWithoutAliases*).
// Real previews and updates (program.Run) keep them.
func withoutAliases() pulumi.ResourceTransformation {
	empty, _ := pulumi.NewResourceOptions()
	// onlyAliases reads an option through the SDK's own snapshot: it does
	// nothing but add aliases when, aliases aside, it sets nothing.
	onlyAliases := func(o pulumi.ResourceOption) bool {
		ro, err := pulumi.NewResourceOptions(o)
		if err != nil || len(ro.Aliases) == 0 {
			return false
		}
		ro.Aliases = nil
		return reflect.DeepEqual(ro, empty)
	}
	return func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		var kept []pulumi.ResourceOption
		for i, o := range args.Opts {
			if !onlyAliases(o) {
				if kept != nil {
					kept = append(kept, o)
				}
				continue
			}
			if kept == nil {
				kept = append(make([]pulumi.ResourceOption, 0, len(args.Opts)), args.Opts[:i]...)
			}
		}
		if kept == nil {
			return nil // nothing to drop: leave the registration untouched
		}
		return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: kept}
	}
}

// treeOrder sorts resources depth first from the roots.
func treeOrder(rs []inventory.Resource) []inventory.Resource {
	children := map[string][]inventory.Resource{}
	known := map[string]bool{}
	for _, r := range rs {
		known[r.URN] = true
	}
	for _, r := range rs {
		p := r.Parent
		if !known[p] {
			p = ""
		}
		children[p] = append(children[p], r)
	}
	for _, list := range children {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].Type != list[j].Type {
				return list[i].Type < list[j].Type
			}
			return list[i].Name < list[j].Name
		})
	}
	out := make([]inventory.Resource, 0, len(rs))
	var walk func(parent string)
	walk = func(parent string) {
		for _, r := range children[parent] {
			out = append(out, r)
			walk(r.URN)
		}
	}
	walk("")
	return out
}
