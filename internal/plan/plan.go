// Package plan runs the streamsec Pulumi program offline, under Pulumi's
// mocks, and returns every resource it would create with its inputs. No
// Azure account, Pulumi CLI or network is involved; the program is the same
// one `pulumi up` runs.
package plan

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
	if s == nil {
		return nil, errors.New("plan: no spec")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := &mocks{stack: s.Stack, project: Project}
	done := make(chan error, 1)
	go func() {
		done <- pulumi.RunErr(func(pctx *pulumi.Context) error {
			return program.RunSpec(pctx, s)
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
