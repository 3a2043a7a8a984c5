// Package plan implements `streamsec plan`: the stack's resources as the
// Pulumi program would create them, computed offline under Pulumi mocks (no
// Azure account, no Pulumi CLI), judged by the policy rules.
package plan

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/output"
	offline "github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// PlanOptions are the inputs of one `streamsec plan` run.
type PlanOptions struct {
	IO       *cli.IOStreams
	Version  string
	Stack    cli.StackFlags
	Format   string
	LoadSpec func(cli.StackFlags) (*spec.Loaded, error)
	// Plan computes the resources, telling each of every one as it comes
	// (offline.Observe); tests may replace it. A replacement may leave
	// each uncalled; it must not modify a resource it told of.
	Plan func(context.Context, *spec.Spec, func(inventory.Resource)) (*offline.Plan, error)
}

// Result is the JSON contract of `streamsec plan --format json`
// (ARCHITECTURE.md): resources and violations, plus a summary.
type Result struct {
	Stack      string               `json:"stack"`
	Resources  []inventory.Resource `json:"resources"`
	Violations []rules.Violation    `json:"violations"`
	// Rules is every rule's status: pass, fail or not-applicable (the
	// plan holds none of its types).
	Rules   []rules.Verdict `json:"rules"`
	Summary Summary         `json:"summary"`
}

// Summary counts what the plan holds, its violations by severity and its
// rules by status.
type Summary struct {
	Resources     int `json:"resources"`
	Mandatory     int `json:"mandatory"`
	Advisory      int `json:"advisory"`
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"notApplicable"`
}

// NewCmdPlan builds the command; runF replaces the work in tests.
func NewCmdPlan(f *cli.Factory, runF func(*PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{IO: f.IO, Version: f.Version, LoadSpec: f.LoadSpec, Plan: offline.Observe}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a stack would create, offline, and judge it with the policy rules",
		Long: `plan runs the same Pulumi program as pulumi up, under Pulumi's mocks: no
Azure account, no Pulumi CLI, no network. It prints every resource the stack
would create (text: a tree of components and their resources; json: each
resource's urn, type, name, parent and inputs, secrets shown as "[secret]"),
then the policy rules' verdicts on them.

Values Azure computes at deploy time (ids, host names, the Front Door id)
are stand-ins shaped like the real ones.

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad usage
or an invalid spec (every problem is listed; nothing else is printed).`,
		Example: `  streamsec plan --stack dev
  streamsec plan --stack prod --format json > plan.json
  streamsec plan --stack prod --set instanceCount=2 --format sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPlan(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: "+strings.Join(output.Formats(), ", "))
	return cmd
}

func runPlan(ctx context.Context, opts *PlanOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// A plan allocates a few MB that all die with the process; at the
	// default GOGC the collector ran through them again and again and was a
	// third of plan's own time (issue 16). A bounded input, so trade a
	// little memory for it; check, whose inputs are unbounded, keeps the
	// default. Set first: the heap after init is a little under the
	// collector's first goals, and reading the spec alone started one.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	format := strings.ToLower(opts.Format)
	reporter, err := output.New(format)
	if err != nil {
		return cli.InputError(err)
	}
	// The rules (the schema table among them) do not depend on the spec:
	// build them on the other core while the spec is read.
	ruleSet := make(chan []rules.Rule, 1)
	go func() { ruleSet <- rules.All() }()
	loaded, err := opts.LoadSpec(opts.Stack)
	if err != nil {
		return err // already an input error listing every problem
	}
	// The resource rules judge each resource as the program registers it,
	// alongside the program; after it only the stack rules are left. Run
	// all after the program, the rules were ~2.5 ms of a ~34 ms plan
	// process, every bit of it on the critical path (issue 16).
	judge := newJudge(ruleSet, rules.ConfigFromSpec(loaded.Spec))
	p, err := opts.Plan(ctx, loaded.Spec, judge.add)
	ev := judge.finish(p, err)
	if err != nil {
		return cli.FailedError(err)
	}
	vs := ev.Violations
	res := Result{Stack: p.Stack, Resources: p.Resources, Violations: vs, Rules: ev.Verdicts, Summary: Summary{Resources: len(p.Resources)}}
	res.Summary.Pass, res.Summary.Fail, res.Summary.NotApplicable = ev.Counts()
	if res.Resources == nil {
		res.Resources = []inventory.Resource{}
	}
	for _, v := range vs {
		if v.Severity == string(rules.Mandatory) {
			res.Summary.Mandatory++
		} else {
			res.Summary.Advisory++
		}
	}

	if format == "text" {
		err = writeText(opts.IO.Out, loaded, res)
	} else {
		doc := ev.Document("plan", "stack "+p.Stack, res)
		doc.Version = opts.Version
		err = reporter.Report(opts.IO.Out, doc)
	}
	if err != nil {
		return cli.FailedError(fmt.Errorf("write plan: %w", err))
	}
	if res.Summary.Mandatory > 0 {
		return cli.ErrFailed
	}
	return nil
}

// judge feeds an Evaluator from the goroutines the program registers on.
// The channel holds a whole stack (prod has 57 resources), so a
// registration does not wait on the rules.
type judge struct {
	in   chan inventory.Resource
	done chan *rules.Evaluator
}

func newJudge(ruleSet <-chan []rules.Rule, cfg rules.Config) *judge {
	j := &judge{in: make(chan inventory.Resource, 256), done: make(chan *rules.Evaluator, 1)}
	go func() {
		e := rules.NewEvaluator(<-ruleSet, cfg)
		for r := range j.in {
			e.Add(r)
		}
		j.done <- e
	}()
	return j
}

func (j *judge) add(r inventory.Resource) { j.in <- r }

// finish waits for what was added to be judged, then judges the plan; a
// failed plan is judged on nothing (and not reported).
func (j *judge) finish(p *offline.Plan, err error) rules.Evaluation {
	close(j.in)
	e := <-j.done
	if err != nil || p == nil {
		return rules.Evaluation{}
	}
	return e.Finish(p.Resources)
}

// writeText prints the resource tree, then the violations.
func writeText(w io.Writer, loaded *spec.Loaded, res Result) error {
	ew := &errWriter{w: w}
	ew.printf("Stack %s (%s): %d resources, offline plan under Pulumi mocks\n\n", res.Stack, loaded.Path, len(res.Resources))
	children := map[string][]inventory.Resource{}
	known := map[string]bool{}
	for _, r := range res.Resources {
		known[r.URN] = true
	}
	for _, r := range res.Resources {
		p := r.Parent
		if !known[p] {
			p = ""
		}
		children[p] = append(children[p], r)
	}
	var walk func(parent, indent string)
	walk = func(parent, indent string) {
		list := children[parent]
		for i, r := range list {
			branch, next := "├─ ", "│  "
			if i == len(list)-1 {
				branch, next = "└─ ", "   "
			}
			if parent == "" {
				branch, next = "", ""
			}
			ew.printf("%s%s%s  %s\n", indent, branch, r.Type, r.Name)
			walk(r.URN, indent+next)
		}
	}
	walk("", "")

	ew.printf("\n")
	if len(res.Violations) == 0 {
		ew.printf("Violations: none\n")
	} else {
		ew.printf("Violations:\n")
		for _, v := range res.Violations {
			at := v.Type
			if v.URN != "" {
				at = v.URN[strings.LastIndex(v.URN, "::")+2:] + " (" + v.Type + ")"
			}
			if v.Property != "" {
				at += " " + v.Property
			}
			ew.printf("  %-9s %s  %s\n    %s\n", strings.ToUpper(v.Severity), v.Policy, at, v.Message)
			if len(v.Controls) > 0 {
				ew.printf("    controls: %s\n", strings.Join(v.Controls, ", "))
			}
		}
	}
	var na []string
	for _, v := range res.Rules {
		if v.Status == rules.StatusNotApplicable {
			na = append(na, v.ID)
		}
	}
	if len(na) > 0 {
		ew.printf("Not applicable (nothing of their types in the plan): %s\n", strings.Join(na, ", "))
	}
	ew.printf("plan %s: %d resources, %d mandatory, %d advisory violation(s); rules: %d pass, %d fail, %d not-applicable\n",
		res.Stack, res.Summary.Resources, res.Summary.Mandatory, res.Summary.Advisory,
		res.Summary.Pass, res.Summary.Fail, res.Summary.NotApplicable)
	return ew.err
}

// errWriter keeps the first write error so printing code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
