// Package destroy implements `streamsec destroy`: delete an environment's
// resources with the real Pulumi engine and, with --remove, the stack and
// its config file (short-lived pipeline environments).
package destroy

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/preview"
	"github.com/streamsec/streamsec/internal/engine"
)

// DestroyOptions are the inputs of one destroy.
type DestroyOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory
	Stack   string
	Engine  engine.Flags
	Format  string
	Remove  bool
	Yes     bool
}

// NewCmdDestroy builds the command; runF lets tests intercept the run.
func NewCmdDestroy(f *cli.Factory, runF func(*DestroyOptions) error) *cobra.Command {
	opts := &DestroyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Delete an environment's resources (and with --remove the stack and its config file)",
		Long: `Runs pulumi destroy through the Automation API. With --remove the stack is
deleted from the backend and stacks/Pulumi.<stack>.yaml is removed, which is
how a pipeline tears down a short-lived environment made with
streamsec init --from.

On a terminal the command asks for confirmation unless --yes is given;
without a terminal (pipelines) --yes is required.

Exit codes: 0 destroyed, 1 the destroy failed, 2 bad usage or setup.`,
		Example: `  streamsec destroy --stack pr-123 --remove --yes --non-interactive`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDestroy(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Stack, "stack", "s", "", "environment to destroy (required)")
	_ = cmd.MarkFlagRequired("stack")
	opts.Engine.Register(cmd, false)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "summary format: text or json")
	cmd.Flags().BoolVar(&opts.Remove, "remove", false, "also remove the stack and its config file stacks/Pulumi.<stack>.yaml")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func runDestroy(ctx context.Context, opts *DestroyOptions) error {
	if err := preview.CheckFormat(opts.Format); err != nil {
		return err
	}
	if err := opts.Engine.Validate(); err != nil {
		return cli.InputError(err)
	}
	if err := engine.ValidStack(opts.Stack); err != nil {
		return cli.InputError(err)
	}
	if !opts.Yes {
		if !opts.IO.InteractiveIn || opts.Engine.NonInteractive {
			return cli.InputError(errors.New("destroy deletes every resource of the stack: pass --yes to confirm (required without a terminal)"))
		}
		fmt.Fprintf(opts.IO.ErrOut, "Delete every resource of stack %s? Type the stack name to confirm: ", opts.Stack)
		var answer string
		_, _ = fmt.Fscanln(opts.IO.In, &answer)
		if answer != opts.Stack {
			return cli.InputError(errors.New("not confirmed; nothing was deleted"))
		}
	}
	eng, err := opts.Engine.Open(opts.Factory, opts.Stack, nil)
	if err != nil {
		return engine.CommandError(err)
	}
	defer eng.Close()
	progress := preview.ProgressWriter(opts.IO, opts.Format)
	res, runErr := eng.Destroy(ctx, engine.RunOptions{
		Progress: progress,
		Color:    engine.ResolveColor(opts.Engine.Color, progress),
	}, opts.Remove)
	if errors.Is(runErr, engine.ErrNoStack) {
		return cli.InputError(runErr)
	}
	if err := preview.Report(opts.IO, opts.Format, "destroy", opts.Stack, nil, res, runErr); err != nil {
		return err
	}
	if opts.Remove && opts.Format == "text" {
		fmt.Fprintf(opts.IO.Out, "  removed stack %s and %s\n", opts.Stack, eng.StackFile())
	}
	return nil
}
