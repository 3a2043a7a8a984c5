package report

import (
	"context"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/spec"
)

// offlinePlan runs the stack's program under Pulumi mocks (the same
// resources `streamsec plan` shows), no Pulumi CLI or Azure needed.
func offlinePlan(ctx context.Context, s *spec.Spec) ([]inventory.Resource, error) {
	p, err := plan.Run(ctx, s)
	if err != nil {
		return nil, err
	}
	return p.Resources, nil
}
