// Package outputs implements `streamsec outputs`: the deployed
// environment's public URL, Front Door host name and app host name, as text
// or JSON, read from the stack's state (no program run, no cloud call).
package outputs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/engine"
)

// OutputsOptions are the inputs of one outputs call.
type OutputsOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory
	Stack   string
	Engine  engine.Flags
	Format  string
}

// Main are the outputs every environment exports, in display order.
func Main() []string { return []string{"publicUrl", "frontDoorEndpointHost", "appHostName"} }

// NewCmdOutputs builds the command; runF lets tests intercept the run.
func NewCmdOutputs(f *cli.Factory, runF func(*OutputsOptions) error) *cobra.Command {
	opts := &OutputsOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "outputs",
		Short: "Print a deployed environment's outputs (public URL, Front Door host, app host)",
		Long: `Reads the stack outputs from the state backend: publicUrl (what browsers
open), frontDoorEndpointHost and appHostName, plus any other output the
program exports. Secret outputs print as [secret].

Exit codes: 0 printed, 1 the backend could not be read, 2 bad usage, no such
stack, or missing setup.`,
		Example: `  streamsec outputs --stack prod
  streamsec verify "$(streamsec outputs --stack prod --format json | jq -r .publicUrl)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runOutputs(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Stack, "stack", "s", "dev", "environment to read")
	opts.Engine.Register(cmd, false)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json (one object, output name -> value)")
	return cmd
}

func runOutputs(ctx context.Context, opts *OutputsOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return cli.InputError(fmt.Errorf("--format %q: must be text or json", opts.Format))
	}
	if err := engine.ValidStack(opts.Stack); err != nil {
		return cli.InputError(err)
	}
	if err := opts.Engine.Validate(); err != nil {
		return cli.InputError(err)
	}
	eng, err := opts.Engine.Open(opts.Factory, opts.Stack, nil)
	if err != nil {
		return engine.CommandError(err)
	}
	defer eng.Close()
	outs, err := eng.Outputs(ctx)
	if errors.Is(err, engine.ErrNoStack) {
		return cli.InputError(err)
	}
	if err != nil {
		return cli.FailedError(err)
	}
	return Write(opts.IO, opts.Format, outs)
}

// Write prints outputs: the main ones first, then the rest by name.
func Write(ios *cli.IOStreams, format string, outs map[string]any) error {
	if format == "json" {
		if outs == nil {
			outs = map[string]any{}
		}
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(outs); err != nil {
			return cli.FailedError(fmt.Errorf("write outputs: %w", err))
		}
		return nil
	}
	order := Main()
	for _, k := range slices.Sorted(maps.Keys(outs)) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		v, ok := outs[k]
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr {
			fmt.Fprintf(ios.Out, "%s: %s\n", k, s)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return cli.FailedError(fmt.Errorf("write output %s: %w", k, err))
		}
		fmt.Fprintf(ios.Out, "%s: %s\n", k, b)
	}
	return nil
}
