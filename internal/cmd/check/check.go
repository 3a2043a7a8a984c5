// Package check implements `streamsec check`: it judges a `pulumi preview
// --json`, a `pulumi stack export` or a `streamsec plan` JSON file with the
// policy rules, offline, and reports in any output format.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// MaxInputBytes bounds what check reads, so a wrong file (a disk image, a
// log) fails fast instead of exhausting memory.
const MaxInputBytes = 512 << 20

// CheckOptions are the inputs of one `streamsec check` run.
type CheckOptions struct {
	IO       *cli.IOStreams
	Version  string
	LoadSpec func(cli.StackFlags) (*spec.Loaded, error)

	Input        string // file path, "-" for stdin
	Format       string
	Stack        cli.StackFlags // optional: judge with this stack's limits
	PolicyConfig string         // --policy-pack-config style JSON file
	Enforcement  []string       // rule=level overrides
	Pack         string         // only this pack's rules
}

// Result is the JSON contract of check (the same fields as plan).
type Result struct {
	Input      string            `json:"input"`
	Kind       string            `json:"kind"`
	Stack      string            `json:"stack,omitempty"`
	Resources  int               `json:"resources"`
	Violations []rules.Violation `json:"violations"`
	// Rules is every rule's status on the input: pass, fail or
	// not-applicable (none of its types present, or disabled).
	Rules   []rules.Verdict `json:"rules"`
	Summary Summary         `json:"summary"`
}

// Summary counts violations by severity and rules by status.
type Summary struct {
	Mandatory     int `json:"mandatory"`
	Advisory      int `json:"advisory"`
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"notApplicable"`
}

// NewCmdCheck builds the command; runF replaces the work in tests.
func NewCmdCheck(f *cli.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IO, Version: f.Version, LoadSpec: f.LoadSpec}
	cmd := &cobra.Command{
		Use:   "check --input FILE",
		Short: "Judge a preview, a stack export or a plan with the policy rules, offline",
		Long: `check runs the streamsec policy rules (the same ones the websocket-hardening
and azure-baseline policy packs run inside pulumi preview) on a file:

  pulumi preview --json > preview.json      (steps[].newState)
  pulumi stack export > state.json          (deployment.resources)
  streamsec plan --format json > plan.json  (resources)

The format is detected. Values still computed at preview time cannot be
proven and fail closed; secrets are never read.

With --stack the stack's own limits are used (allowed origins, size limits,
instance count, blocked paths); otherwise the hardened defaults.
--policy-config reads the same JSON as pulumi's --policy-pack-config.

Every rule reports pass, fail or not-applicable (the input holds none of
the resource types it judges); the summary counts all three.

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad usage,
an input that cannot be read (with the reason), an input with nothing any
rule judges (no resources, or none of a judged type), or a failed preview
(its error diagnostics are quoted).`,
		Example: `  pulumi preview --json | streamsec check --input -
  streamsec check --input state.json --stack prod --format sarif > check.sarif
  streamsec check --input plan.json --enforcement appservice-http2=disabled`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Input == "" {
				return cli.InputError(errors.New("--input is required: a pulumi preview --json, pulumi stack export or streamsec plan JSON file (- for stdin)"))
			}
			if runF != nil {
				return runF(opts)
			}
			return runCheck(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Input, "input", "i", "", "file to judge (- reads standard input)")
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: "+strings.Join(output.Formats(), ", "))
	cmd.Flags().StringVarP(&opts.Stack.Stack, "stack", "s", "", "judge with this environment's limits (stacks/Pulumi.<stack>.yaml)")
	cmd.Flags().StringArrayVar(&opts.Stack.Set, "set", nil, "override a spec key of --stack, key=value (repeatable)")
	cmd.Flags().StringVar(&opts.PolicyConfig, "policy-config", "", "policy config JSON (as pulumi --policy-pack-config): levels and rule settings")
	cmd.Flags().StringArrayVar(&opts.Enforcement, "enforcement", nil, "rule=mandatory|advisory|disabled (repeatable; \"all\" for every rule)")
	cmd.Flags().StringVar(&opts.Pack, "pack", "", "only the rules of one pack: "+rules.PackWebSocket+" or "+rules.PackBaseline)
	return cmd
}

func runCheck(ctx context.Context, opts *CheckOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	reporter, err := output.New(opts.Format)
	if err != nil {
		return cli.InputError(err)
	}
	cfg, err := config(opts)
	if err != nil {
		return err
	}
	ruleSet := rules.All()
	if opts.Pack != "" {
		ruleSet = rules.ForPack(opts.Pack)
		if len(ruleSet) == 0 {
			return cli.InputError(fmt.Errorf("--pack %q: allowed values are %s, %s", opts.Pack, rules.PackWebSocket, rules.PackBaseline))
		}
	}
	data, err := readInput(opts)
	if err != nil {
		return cli.InputError(err)
	}
	in, err := inventory.Load(data)
	if err != nil {
		return cli.InputError(fmt.Errorf("%s: %w", opts.Input, err))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ev := rules.Run(ruleSet, in.Resources, cfg)
	if !ev.Judged() {
		return cli.InputError(nothingToJudge(opts, in))
	}
	res := Result{Input: opts.Input, Kind: in.Kind, Stack: opts.Stack.Stack, Resources: len(in.Resources), Violations: ev.Violations, Rules: ev.Verdicts}
	for _, v := range ev.Violations {
		if v.Severity == string(rules.Mandatory) {
			res.Summary.Mandatory++
		} else {
			res.Summary.Advisory++
		}
	}
	res.Summary.Pass, res.Summary.Fail, res.Summary.NotApplicable = ev.Counts()
	doc := ev.Document("check", opts.Input, res)
	doc.Version = opts.Version
	if err := reporter.Report(opts.IO.Out, doc); err != nil {
		return cli.FailedError(err)
	}
	if res.Summary.Mandatory > 0 {
		return cli.ErrFailed
	}
	return nil
}

// nothingToJudge explains an input no rule has anything in: passing it
// would report a clean stack that was never judged.
func nothingToJudge(opts *CheckOptions, in inventory.Input) error {
	what := "no resources"
	if n := len(in.Resources); n > 0 {
		what = fmt.Sprintf("%d resource(s), none of a type any rule judges", n)
		if opts.Pack != "" {
			what = fmt.Sprintf("%d resource(s), none of a type the %s rules judge", n, opts.Pack)
		}
	}
	return fmt.Errorf("%s: nothing to judge: the %s input holds %s; give the preview, export or plan of a stack (an empty one is not a clean one)", opts.Input, in.Kind, what)
}

// config builds the rule configuration from --stack, --policy-config and
// --enforcement, in that order.
func config(opts *CheckOptions) (rules.Config, error) {
	cfg := rules.DefaultConfig()
	if opts.Stack.Stack != "" {
		loaded, err := opts.LoadSpec(opts.Stack)
		if err != nil {
			return cfg, err // already an input error
		}
		cfg = rules.ConfigFromSpec(loaded.Spec)
	} else if len(opts.Stack.Set) > 0 {
		return cfg, cli.InputError(errors.New("--set needs --stack"))
	}
	if opts.PolicyConfig != "" {
		data, err := os.ReadFile(opts.PolicyConfig)
		if err != nil {
			return cfg, cli.InputError(fmt.Errorf("--policy-config: %w", err))
		}
		if cfg, err = rules.ParsePolicyConfig(data, cfg); err != nil {
			return cfg, cli.InputError(fmt.Errorf("--policy-config %s: %w", opts.PolicyConfig, err))
		}
	}
	var problems []error
	for _, e := range opts.Enforcement {
		id, level, ok := strings.Cut(e, "=")
		if !ok {
			problems = append(problems, fmt.Errorf("--enforcement %q: want rule=level", e))
			continue
		}
		lvl, err := rules.ParseEnforcement(level)
		if err != nil {
			problems = append(problems, fmt.Errorf("--enforcement %s: %w", id, err))
			continue
		}
		if cfg.Enforcement == nil {
			cfg.Enforcement = map[string]rules.Enforcement{}
		}
		if id == "all" {
			for _, r := range rules.All() {
				cfg.Enforcement[r.ID] = lvl
			}
			continue
		}
		if _, ok := rules.ByID(id); !ok {
			problems = append(problems, fmt.Errorf("--enforcement %s: unknown rule (see docs/rules.md)", id))
			continue
		}
		cfg.Enforcement[id] = lvl
	}
	if len(problems) > 0 {
		return cfg, cli.InputError(errors.Join(problems...))
	}
	return cfg, nil
}

func readInput(opts *CheckOptions) ([]byte, error) {
	var r io.Reader
	if opts.Input == "-" {
		if opts.IO.In == nil {
			return nil, errors.New("--input -: no standard input")
		}
		r = opts.IO.In
	} else {
		f, err := os.Open(opts.Input)
		if err != nil {
			return nil, fmt.Errorf("--input: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", opts.Input, err)
	}
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%s is larger than %d MB; not a preview, export or plan", opts.Input, MaxInputBytes>>20)
	}
	return data, nil
}
