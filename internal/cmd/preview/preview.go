// Package preview implements `streamsec preview`: the real Pulumi engine's
// preview of an environment, with the policy packs attached, so a
// non-compliant change is refused before anything is deployed.
package preview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/components"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/engine"
	"github.com/streamsec/streamsec/internal/program"
	"github.com/streamsec/streamsec/internal/spec"
)

// PreviewOptions are the inputs of one preview.
type PreviewOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory
	Stack   cli.StackFlags
	Engine  engine.Flags
	Format  string
	Diff    bool
}

// NewCmdPreview builds the command; runF lets tests intercept the run.
func NewCmdPreview(f *cli.Factory, runF func(*PreviewOptions) error) *cobra.Command {
	opts := &PreviewOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Preview an environment with the real Pulumi engine and the policy packs",
		Long: `Runs pulumi preview through the Automation API with the project's program
(the same one pulumi up runs from stacks/), the policy packs attached, and the
engine's progress streamed as it happens.

Exit codes: 0 the preview passed, 1 a mandatory policy blocked it or the
engine failed, 2 bad usage or setup (missing passphrase, missing CLI).`,
		Example: `  streamsec preview --stack dev
  streamsec preview --stack prod --format json --color never --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPreview(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	opts.Engine.Register(cmd, true)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "summary format: text or json (progress goes to stderr with json)")
	cmd.Flags().BoolVar(&opts.Diff, "diff", false, "show property-level diffs")
	return cmd
}

// Summary is the JSON contract of preview and up.
type Summary struct {
	Stack      string             `json:"stack"`
	Operation  string             `json:"operation"`
	Status     string             `json:"status"` // ok, blocked, failed, cancelled
	Changes    map[string]int     `json:"changes"`
	PolicyPack []string           `json:"policyPacks"`
	Violations []engine.Violation `json:"violations"`
	Outputs    map[string]any     `json:"outputs,omitempty"`
	Error      string             `json:"error,omitempty"`
}

func runPreview(ctx context.Context, opts *PreviewOptions) error {
	sess, err := Prepare(ctx, opts.Factory, opts.Stack, &opts.Engine, opts.Format)
	if err != nil {
		return err
	}
	defer sess.Engine.Close()
	res, runErr := sess.Engine.Preview(ctx, engine.RunOptions{
		PolicyPacks: sess.Packs,
		Progress:    sess.Progress,
		Color:       sess.Color,
		Diff:        opts.Diff,
	})
	return Report(opts.IO, opts.Format, "preview", opts.Stack.Stack, sess.Packs, res, runErr)
}

// Session is an engine opened on one stack with its policy packs resolved,
// what preview, up and deploy need before they run.
type Session struct {
	Engine   *engine.Engine
	Packs    []string
	Progress io.Writer
	Color    string
	Spec     *spec.Spec
	// Release is the app package the program ships (deploy) or keeps as
	// deployed (preview, up); the program reads it when the engine runs it.
	Release *components.Release
}

// Prepare validates the flags and the Spec, resolves (and builds) the policy
// packs, opens the stack with the project's program, and makes sure the
// cookie secret exists: the program needs it for any real run. It is
// generated once into the encrypted config, never replaced or printed. The
// app package already deployed is kept. The caller closes Session.Engine.
func Prepare(ctx context.Context, f *cli.Factory, stack cli.StackFlags, flags *engine.Flags, format string) (*Session, error) {
	sess, err := Open(ctx, f, stack, flags, format)
	if err != nil {
		return nil, err
	}
	if err := sess.EnsureCookieSecret(ctx, f.IO, stack.Stack); err != nil {
		sess.Engine.Close()
		return nil, err
	}
	if err := sess.KeepRelease(ctx); err != nil {
		sess.Engine.Close()
		return nil, err
	}
	return sess, nil
}

// Open is Prepare without touching the stack: no cookie secret generated,
// no state read. The caller closes Session.Engine.
func Open(ctx context.Context, f *cli.Factory, stack cli.StackFlags, flags *engine.Flags, format string) (*Session, error) {
	if err := CheckFormat(format); err != nil {
		return nil, err
	}
	if err := flags.Validate(); err != nil {
		return nil, cli.InputError(err)
	}
	loaded, err := f.LoadSpec(stack)
	if err != nil {
		return nil, err
	}
	if err := engine.RequireStackFile(f, stack.Stack); err != nil {
		return nil, err
	}
	sess := &Session{Progress: ProgressWriter(f.IO, format), Spec: loaded.Spec}
	if !flags.NoPolicy {
		sess.Packs, err = engine.ResolvePacks(ctx, f.ProjectDir, flags.PolicyPacks, f.Getenv, sess.Progress)
		if err != nil {
			return nil, engine.CommandError(err)
		}
	}
	sess.Color = engine.ResolveColor(flags.Color, sess.Progress)
	run := func(pctx *pulumi.Context, s *spec.Spec) error { return program.RunRelease(sess.Release)(pctx, s) }
	sess.Engine, err = flags.Open(f, stack.Stack, engine.Program(loaded.Spec, run))
	if err != nil {
		return nil, engine.CommandError(err)
	}
	return sess, nil
}

// EnsureCookieSecret generates the cookie secret into the stack's encrypted
// config when it has none (see engine.EnsureCookieSecret).
func (s *Session) EnsureCookieSecret(ctx context.Context, ios *cli.IOStreams, stack string) error {
	created, err := s.Engine.EnsureCookieSecret(ctx)
	if err != nil {
		return engine.CommandError(err)
	}
	if created {
		fmt.Fprintf(ios.ErrOut, "generated streamsec:cookieSecret into the encrypted config of stack %s (%s)\n", stack, s.Engine.StackFile())
	}
	return nil
}

// KeepRelease reads the app package the stack has deployed, so a preview
// or an update keeps it instead of removing it.
func (s *Session) KeepRelease(ctx context.Context) error {
	// One output, read without a CLI process where the backend allows.
	v, err := s.Engine.StackOutput(ctx, program.AppPackageOutput)
	if errors.Is(err, engine.ErrNoStack) {
		return nil
	}
	if err != nil {
		return engine.CommandError(err)
	}
	rel, err := program.DeployedRelease(map[string]any{program.AppPackageOutput: v})
	if err != nil {
		return cli.FailedError(err)
	}
	s.Release = rel
	return nil
}

// CheckFormat accepts the summary formats engine commands print.
func CheckFormat(format string) error {
	if format != "text" && format != "json" {
		return cli.InputError(fmt.Errorf("--format %q: must be text or json", format))
	}
	return nil
}

// ProgressWriter is where the engine's progress goes: stdout for text,
// stderr when stdout carries JSON.
func ProgressWriter(io *cli.IOStreams, format string) io.Writer {
	if format == "json" {
		return io.ErrOut
	}
	return io.Out
}

// Report prints the summary of a preview or up and returns the command's
// error (exit 1 for a block, a failure or a cancel).
func Report(ios *cli.IOStreams, format, op, stack string, packs []string, res *engine.Result, runErr error) error {
	sum := Summary{Stack: stack, Operation: op, Status: "ok", Changes: map[string]int{}, PolicyPack: append([]string{}, packs...), Violations: []engine.Violation{}}
	if res != nil {
		sum.Changes = res.Changes
		if res.Violations != nil {
			sum.Violations = res.Violations
		}
		sum.Outputs = res.Outputs
	}
	var se *engine.SetupError
	if runErr != nil && errors.As(runErr, &se) {
		return cli.InputError(runErr)
	}
	switch {
	case runErr == nil:
	case errors.Is(runErr, engine.ErrBlocked):
		sum.Status = "blocked"
	case errors.Is(runErr, engine.ErrCancelled):
		sum.Status = "cancelled"
	default:
		sum.Status = "failed"
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	if format == "json" {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return cli.FailedError(fmt.Errorf("write summary: %w", err))
		}
	} else {
		w := ios.Out
		fmt.Fprintln(w)
		fmt.Fprintf(w, "streamsec %s --stack %s: %s\n", op, stack, strings.ToUpper(sum.Status))
		if sum.Status != "ok" && len(sum.Changes) == 0 {
			// A stopped run has no change summary; "no resources" would
			// read as if nothing were planned.
			fmt.Fprintln(w, "  changes: not summarised (the engine stopped; its output above lists the steps it planned)")
		} else {
			fmt.Fprintf(w, "  changes: %s\n", engine.Changes(sum.Changes))
		}
		if op == "destroy" {
			// Destroy runs no program, so no pack judges it.
		} else if len(packs) == 0 {
			fmt.Fprintln(w, "  policy packs: none (--no-policy)")
		} else {
			fmt.Fprintf(w, "  policy packs: %s\n", strings.Join(sum.PolicyPack, ", "))
		}
		if len(sum.Violations) > 0 {
			fmt.Fprintf(w, "  policy violations (%d):\n%s", len(sum.Violations), indent(engine.PolicyViolationsText(sum.Violations)))
		}
		for _, k := range sortedKeys(sum.Outputs) {
			fmt.Fprintf(w, "  %s: %v\n", k, sum.Outputs[k])
		}
	}
	if runErr != nil {
		if format == "json" {
			return cli.ErrFailed
		}
		return cli.FailedError(runErr)
	}
	return nil
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
