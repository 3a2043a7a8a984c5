package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/spec"
)

// Flags are the options every engine command shares.
type Flags struct {
	Backend        string
	PolicyPacks    []string
	NoPolicy       bool
	Color          string
	NonInteractive bool
	Pulumi         string
	LockWait       time.Duration
}

// Register adds the shared flags; withPolicy adds --policy-pack and
// --no-policy (preview and up).
func (f *Flags) Register(cmd *cobra.Command, withPolicy bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.Backend, "backend", "", "Pulumi state backend URL: file://PATH, azblob://CONTAINER (Azure Storage, for teams) or https://api.pulumi.com (default: file backend under .streamsec/state)")
	fl.StringVar(&f.Color, "color", "auto", "colour in the engine's progress output: auto (never when not a terminal), always, never, raw")
	fl.BoolVar(&f.NonInteractive, "non-interactive", false, "never prompt (pipelines); engine commands never prompt anyway")
	fl.DurationVar(&f.LockWait, "lock-wait", 0, "how long to wait for another run's lock on the stack before giving up, e.g. 10m (default: fail at once, naming who holds it since when)")
	fl.StringVar(&f.Pulumi, "pulumi", "", "path of the pulumi CLI (default: $STREAMSEC_PULUMI, PATH, then the scripts/get-pulumi.sh cache)")
	if withPolicy {
		fl.StringArrayVar(&f.PolicyPacks, "policy-pack", nil, "policy pack to attach (folder with PulumiPolicy.yaml or built pack binary; repeatable); default: the project's packs, built on demand")
		fl.BoolVar(&f.NoPolicy, "no-policy", false, "run without policy packs")
	}
}

// Validate checks flag values (usage errors).
func (f *Flags) Validate() error {
	switch f.Color {
	case "auto", "always", "never", "raw":
	default:
		return fmt.Errorf("--color %q: must be auto, always, never or raw", f.Color)
	}
	if f.LockWait < 0 {
		return fmt.Errorf("--lock-wait %s: must not be negative", f.LockWait)
	}
	if f.NoPolicy && len(f.PolicyPacks) > 0 {
		return fmt.Errorf("--no-policy and --policy-pack: use one or the other")
	}
	return nil
}

// ResolveColor turns "auto" into never/always depending on whether w is a
// terminal, so a pipeline log gets no escape codes.
func ResolveColor(flag string, w io.Writer) string {
	if flag != "auto" && flag != "" {
		return flag
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "always"
		}
	}
	return "never"
}

// CommandError maps an engine error to the CLI's exit codes: setup and
// usage problems exit 2, a policy block, a cancel or a failed update 1.
func CommandError(err error) error {
	if err == nil {
		return nil
	}
	var se *SetupError
	if errors.As(err, &se) {
		return cli.InputError(err)
	}
	return cli.FailedError(err)
}

// Open builds the engine for a command from the shared flags.
func (f *Flags) Open(fac *cli.Factory, stack string, program pulumi.RunFunc) (*Engine, error) {
	return Open(Options{
		ProjectDir: fac.ProjectDir,
		Stack:      stack,
		Backend:    f.Backend,
		PulumiPath: f.Pulumi,
		Getenv:     fac.Getenv,
		Program:    program,
		LockWait:   f.LockWait,
	})
}

// RequireStackFile fails (exit 2) unless the environment's file exists in
// the project: the engine reads config from stacks/, not from the copy
// embedded in the binary.
func RequireStackFile(fac *cli.Factory, stack string) error {
	p := filepath.Join(fac.StacksDir(), spec.StackFile(stack))
	if _, err := os.Stat(p); err != nil {
		return cli.InputError(fmt.Errorf("--stack %s: %s not found (create it with `streamsec init --stack %s`)", stack, p, stack))
	}
	return nil
}

// ValidStack checks a stack name the way the Spec does: 1-24 lowercase
// letters, digits and hyphens, starting with a letter.
func ValidStack(name string) error {
	if !reStack.MatchString(name) {
		return fmt.Errorf("--stack %q: must be 1-24 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen", name)
	}
	return nil
}

var reStack = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$`)
