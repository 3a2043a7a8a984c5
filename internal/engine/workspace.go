package engine

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// stackWorkspace is the Automation API's LocalWorkspace with two CLI
// round trips taken out:
//   - SelectStack does nothing: every command the Stack runs names the
//     stack with --stack, and the Engine checks existence itself.
//   - StackOutputs, after an update, answers from the outputs the engine
//     reported in its own event stream for the root stack resource, instead
//     of `pulumi stack output` twice (plain and --show-secrets).
type stackWorkspace struct {
	auto.Workspace
	events *eventCollector
}

// SelectStack is a no-op: the stack is named on each command line.
func (w *stackWorkspace) SelectStack(context.Context, string) error { return nil }

// StackOutputs returns the outputs of the update that just ran, from its
// event stream, or asks the CLI when there was none.
func (w *stackWorkspace) StackOutputs(ctx context.Context, stack string) (auto.OutputMap, error) {
	if w.events != nil {
		if outs, ok := w.events.stackOutputs(); ok {
			return outs, nil
		}
	}
	return w.Workspace.StackOutputs(ctx, stack)
}

// eventCollector reads an operation's engine events: policy violations,
// the root stack's outputs and the summary.
type eventCollector struct {
	ch      chan events.EngineEvent
	done    chan struct{}
	summary chan struct{}
	once    sync.Once
	mu      sync.Mutex
	list    []Violation
	outputs map[string]any
	// wait bounds how long stackOutputs waits for the summary event.
	wait time.Duration
}

const stackType = "pulumi:pulumi:Stack"

// secretSentinel is how the event stream shows a secret value.
const secretSentinel = "[secret]"

func newEventCollector() *eventCollector {
	c := &eventCollector{ch: make(chan events.EngineEvent), done: make(chan struct{}), summary: make(chan struct{}), wait: 10 * time.Second}
	go func() {
		defer close(c.done)
		for ev := range c.ch {
			c.handle(ev.EngineEvent)
		}
	}()
	return c
}

func (c *eventCollector) handle(ev apitype.EngineEvent) {
	switch {
	case ev.PolicyEvent != nil:
		p := ev.PolicyEvent
		if len(p.Exceptions) > 0 {
			return
		}
		c.mu.Lock()
		c.list = append(c.list, Violation{
			PolicyPack: p.PolicyPackName, Policy: p.PolicyName,
			EnforcementLevel: p.EnforcementLevel, Severity: p.Severity,
			URN: p.ResourceURN, Message: strings.TrimSpace(p.Message),
		})
		c.mu.Unlock()
	case ev.ResOutputsEvent != nil:
		md := ev.ResOutputsEvent.Metadata
		if md.Type == stackType && md.New != nil {
			c.mu.Lock()
			c.outputs = md.New.Outputs
			if c.outputs == nil {
				c.outputs = map[string]any{}
			}
			c.mu.Unlock()
		}
	case ev.SummaryEvent != nil:
		c.once.Do(func() { close(c.summary) })
	}
}

// stackOutputs returns the root stack's outputs once the summary (the last
// event) was seen; false when the stream ended without them.
func (c *eventCollector) stackOutputs() (auto.OutputMap, bool) {
	select {
	case <-c.summary:
	case <-c.done:
	case <-time.After(c.wait):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outputs == nil {
		return nil, false
	}
	out := make(auto.OutputMap, len(c.outputs))
	for k, v := range c.outputs {
		out[k] = auto.OutputValue{Value: v, Secret: v == secretSentinel}
	}
	return out, true
}

// violations waits until the stream is closed (the Automation API closes
// it when the operation returns) and returns what it saw.
func (c *eventCollector) violations() []Violation {
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		// The API closes the channel itself; never hang on it.
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Violation(nil), c.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Policy < out[j].Policy })
	return out
}
