package plan

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/program"
)

// Dropping the azure-native SDK's aliases must change no resource and no
// input of the plan: compare both runs in full, for every shipped stack.
func TestWithoutAliasesKeepsThePlan(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := loadStack(t, stack)
			with, err := run(context.Background(), s, nil, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			without, err := run(context.Background(), s, nil, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(with)
			b, _ := json.Marshal(without)
			if string(a) != string(b) {
				t.Errorf("stripping aliases changed the plan:\nwith:    %.400s\nwithout: %.400s", a, b)
			}
		})
	}
}

// countingMocks counts the aliases that reach the monitor.
type countingMocks struct {
	*mocks
	aliases int
}

func (c *countingMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.RegisterRPC != nil {
		c.mocks.mu.Lock()
		c.aliases += len(args.RegisterRPC.GetAliases()) + len(args.RegisterRPC.GetAliasURNs())
		c.mocks.mu.Unlock()
	}
	return c.mocks.NewResource(args)
}

// The transformation really removes the aliases (the saving the plan's
// benchmark shows), and only in the plan: without it the SDK sends them.
func TestWithoutAliasesDropsThem(t *testing.T) {
	s := loadStack(t, "prod")
	for _, strip := range []bool{false, true} {
		m := &countingMocks{mocks: &mocks{stack: s.Stack, project: Project}}
		err := pulumi.RunErr(func(pctx *pulumi.Context) error {
			if strip {
				if err := pctx.RegisterStackTransformation(withoutAliases()); err != nil {
					return err
				}
			}
			return program.RunSpec(pctx, s)
		}, pulumi.WithMocks(Project, s.Stack, m), hermetic)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strip && m.aliases != 0:
			t.Errorf("with the transformation %d aliases still reached the monitor", m.aliases)
		case !strip && m.aliases == 0:
			t.Error("without the transformation no alias reached the monitor: the test no longer shows anything")
		}
	}
}
