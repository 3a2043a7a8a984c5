// Package check implements `streamsec check`: it judges a `pulumi preview
// --json`, a `pulumi stack export` or a `streamsec plan` JSON file with the
// policy rules, offline, and reports in any output format.
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/armmap"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/membudget"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/textfile"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// CheckOptions are the inputs of one `streamsec check` run.
type CheckOptions struct {
	IO       *cli.IOStreams
	Version  string
	LoadSpec func(cli.StackFlags) (*spec.Loaded, error)

	Input        string // file path, "-" for stdin
	Parameters   string // ARM parameters file for an ARM template input
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
	// NotJudged lists resources of an ARM input whose type the schema
	// table does not know: no rule saw them, so they are not passed.
	NotJudged []inventory.NotJudged `json:"notJudged,omitempty"`
	// Notes are what the reader should know about the input.
	Notes []string `json:"notes,omitempty"`
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
  az group export -g RG > template.json     (an ARM template; also az bicep build,
                                             az deployment group export)
  az resource show --ids ... > resources.json   (az resource list/show output)

The format is detected; files may be UTF-8 (with or without BOM) or UTF-16
with a BOM. Values still computed at preview time cannot be proven and fail
closed; secrets are never read. In an ARM template every expression whose
value is only known at deployment is unknown and fails closed; --parameters
FILE gives the parameters' values (parameters, variables, concat, format,
resourceId, resourceGroup() are then computed). ARM types the schema table
does not know are listed as not judged.

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
  streamsec check --input plan.json --enforcement appservice-http2=disabled
  az group export -g dash-rg > template.json && streamsec check --input template.json
  streamsec check --input main.json --parameters main.parameters.json`,
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
	cmd.Flags().StringVarP(&opts.Parameters, "parameters", "p", "", "ARM parameters file for an ARM template --input (az deployment's --parameters @FILE)")
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
	defer setMemoryBudget(opts.Input)()
	in, err := readInput(opts)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ev := rules.Run(ruleSet, in.Resources, cfg)
	if !ev.Judged() {
		return cli.InputError(nothingToJudge(opts, in))
	}
	res := Result{Input: opts.Input, Kind: in.Kind, Stack: opts.Stack.Stack, Resources: len(in.Resources), Violations: ev.Violations, Rules: ev.Verdicts,
		NotJudged: in.NotJudged, Notes: in.Notes}
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
	addNotJudged(&doc, in.NotJudged)
	for _, n := range in.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", n)
	}
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
	if n := len(in.NotJudged); n > 0 {
		types := map[string]bool{}
		var list []string
		for _, r := range in.NotJudged {
			if !types[r.Type] && len(list) < 5 {
				types[r.Type] = true
				list = append(list, r.Type)
			}
		}
		what += fmt.Sprintf(", and %d resource(s) no rule could judge (%s: not in the schema table)", n, strings.Join(list, ", "))
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
		data, err := textfile.ReadFile(opts.PolicyConfig)
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

// notJudgedRule is the pseudo-rule under which resources no rule saw are
// listed (status unknown): a gate never passes what it did not judge.
var notJudgedRule = output.Rule{
	ID:          "not-judged",
	Title:       "Resource types the schema table does not know",
	Description: "ARM resources whose type (and fixed name) is not in internal/azschema are not mapped to azure-native, so no rule judged them.",
	Level:       output.LevelNote,
}

func addNotJudged(doc *output.Document, nj []inventory.NotJudged) {
	if len(nj) == 0 {
		return
	}
	doc.Rules = append(doc.Rules, notJudgedRule)
	for _, r := range nj {
		ev := map[string]string{"type": r.Type}
		if r.APIVersion != "" {
			ev["apiVersion"] = r.APIVersion
		}
		doc.Results = append(doc.Results, output.Result{RuleID: notJudgedRule.ID, Status: output.StatusUnknown, Level: output.LevelNote,
			Message: r.Reason, Location: r.Location, Evidence: ev})
	}
}

// readInput opens --input (and --parameters) and reads the resources,
// streaming: the file is never held whole next to what it holds.
func readInput(opts *CheckOptions) (inventory.Input, error) {
	in, err := inventory.ReadFile(inventory.File{Flag: "--input", Path: opts.Input, Stdin: opts.IO.In, Parameters: opts.Parameters, ARM: armmap.Load})
	if err != nil {
		return in, cli.InputError(err)
	}
	return in, nil
}

// setMemoryBudget holds check's peak resident memory to twice the input
// file where the input allows (issue 16; internal/membudget) and returns
// what restores the previous limit. The collector's default pacing lets
// the heap grow to twice what is live; on a 50,000-resource export that
// was the difference between ~1.7x and ~3x the file. Of the budget,
// budgetReserve is left for what the limit does not count: the binary's
// own resident pages (~41 MB of the bare start's 48 MB) and the runtime's.
// A limit set by the user (GOMEMLIMIT) or a caller is kept, and standard
// input, whose size is unknown, gets none.
func setMemoryBudget(input string) (restore func()) {
	if input == "-" {
		return func() {}
	}
	fi, err := os.Stat(input)
	if err != nil || !fi.Mode().IsRegular() {
		return func() {}
	}
	return membudget.Start(memoryBudget(fi.Size()))
}

const (
	budgetReserve = 64 << 20
	minBudget     = 64 << 20
)

// memoryBudget is the Go memory limit for an input of size bytes.
func memoryBudget(size int64) int64 {
	return max(2*size-budgetReserve, minBudget)
}
