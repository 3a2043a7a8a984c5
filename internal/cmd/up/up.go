// Package up implements `streamsec up`: create or update an environment
// with the real Pulumi engine, the policy packs attached, after making sure
// the stack's encrypted config holds Streamlit's cookie secret.
package up

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/preview"
	"github.com/streamsec/streamsec/internal/engine"
)

// UpOptions are the inputs of one update.
type UpOptions struct {
	IO              *cli.IOStreams
	Factory         *cli.Factory
	Stack           cli.StackFlags
	Engine          engine.Flags
	Format          string
	Diff            bool
	ExpectNoChanges bool
	Message         string
}

// NewCmdUp builds the command; runF lets tests intercept the run.
func NewCmdUp(f *cli.Factory, runF func(*UpOptions) error) *cobra.Command {
	opts := &UpOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update an environment with the real Pulumi engine and the policy packs",
		Long: `Runs pulumi up through the Automation API with the project's program and the
policy packs attached; a mandatory violation stops the update before any
change. If the stack's config has no cookie secret yet, 32 random bytes are
generated into its encrypted config first (never printed, never replaced).

Exit codes: 0 updated, 1 blocked by policy or the update failed, 2 bad usage
or setup.`,
		Example: `  streamsec up --stack dev
  streamsec up --stack pr-123 --non-interactive --color never --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runUp(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	opts.Engine.Register(cmd, true)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "summary format: text or json (progress goes to stderr with json)")
	cmd.Flags().BoolVar(&opts.Diff, "diff", false, "show property-level diffs")
	cmd.Flags().BoolVar(&opts.ExpectNoChanges, "expect-no-changes", false, "fail if the update would change anything")
	cmd.Flags().StringVarP(&opts.Message, "message", "m", "", "message recorded in the stack's update history")
	return cmd
}

func runUp(ctx context.Context, opts *UpOptions) error {
	sess, err := preview.Prepare(ctx, opts.Factory, opts.Stack, &opts.Engine, opts.Format)
	if err != nil {
		return err
	}
	defer sess.Engine.Close()
	res, runErr := sess.Engine.Up(ctx, engine.RunOptions{
		PolicyPacks:     sess.Packs,
		Progress:        sess.Progress,
		Color:           sess.Color,
		Diff:            opts.Diff,
		ExpectNoChanges: opts.ExpectNoChanges,
		Message:         opts.Message,
	})
	return preview.Report(opts.IO, opts.Format, "up", opts.Stack.Stack, sess.Packs, res, runErr)
}
