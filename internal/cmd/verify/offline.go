package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/armmap"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/edge"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/internal/spec"
)

// OfflineFlags select `verify --offline`: the suite judged on a model of
// the planned edge (internal/edge) instead of a live target.
type OfflineFlags struct {
	On               bool
	Input            string // a file streamsec check reads (plan, preview, stack export, ARM); "-" stdin
	StreamlitVersion string // with --input: the app's release ("" evaluates both server generations)
	Parameters       string // with --input: an ARM parameters file for an ARM template

	// Plan and LoadSpec are replaced in tests.
	Plan     func(context.Context, *spec.Spec) (*plan.Plan, error)
	LoadSpec func(cli.StackFlags) (*spec.Loaded, error)
}

// registerOffline adds the offline flags to the verify command.
func registerOffline(cmd *cobra.Command, f *OfflineFlags) {
	fl := cmd.Flags()
	fl.BoolVar(&f.On, "offline", false, "judge the planned edge instead of a live URL: with --stack ENV (the plan) or --input FILE (what streamsec check reads: plan, pulumi preview --json, pulumi stack export, ARM template, az resource show/list)")
	fl.StringVarP(&f.Input, "input", "i", "", "with --offline: the file to model (- reads standard input)")
	fl.StringVar(&f.StreamlitVersion, "streamlit-version", "", "with --offline --input: the app's Streamlit release (default: both server generations are evaluated)")
	fl.StringVarP(&f.Parameters, "parameters", "p", "", "with --offline --input: ARM parameters file for an ARM template (az deployment's --parameters @FILE)")
}

// flagUse is whether one flag was given.
type flagUse struct {
	name string
	set  bool
}

// misused is a problem for each flag given of those that do not apply,
// in the order listed, so the message is the same every time.
func misused(why string, flags ...flagUse) []error {
	var out []error
	for _, f := range flags {
		if f.set {
			out = append(out, fmt.Errorf("%s %s", f.name, why))
		}
	}
	return out
}

// liveArgs refuses the offline flags on a live run, where they would be
// ignored without a word.
func liveArgs(o *OfflineFlags) error {
	problems := misused("is for verify --offline; a live run reads the target",
		flagUse{"--input", o.Input != ""}, flagUse{"--streamlit-version", o.StreamlitVersion != ""}, flagUse{"--parameters", o.Parameters != ""})
	if len(problems) > 0 {
		return cli.InputError(errors.Join(problems...))
	}
	return nil
}

// offlineArgs checks the offline invocation's shape.
func offlineArgs(opts *VerifyOptions, args []string) error {
	o := &opts.Offline
	var problems []error
	if len(args) != 0 {
		problems = append(problems, fmt.Errorf("verify --offline takes no URL, got %d arguments", len(args)))
	}
	switch {
	case opts.UseStack && o.Input != "":
		problems = append(problems, errors.New("give one of --stack ENV and --input FILE, not both"))
	case !opts.UseStack && o.Input == "":
		problems = append(problems, errors.New("verify --offline needs --stack ENV (the plan) or --input FILE (what streamsec check reads: a plan, pulumi preview --json, pulumi stack export, an ARM template)"))
	}
	if opts.UseStack && o.StreamlitVersion != "" {
		problems = append(problems, errors.New("--streamlit-version is for --input; with --stack the Spec's streamlitVersion is used"))
	}
	if opts.UseStack && o.Parameters != "" {
		problems = append(problems, errors.New("--parameters is for an ARM template --input; --stack plans the program"))
	}
	problems = append(problems, misused("contacts a live target; it does not apply with --offline",
		flagUse{"--direct-host", opts.DirectHost != ""}, flagUse{"--resolve", len(opts.Resolve) > 0}, flagUse{"--connect-to", len(opts.ConnectTo) > 0},
		flagUse{"--ca-file", opts.CAFile != ""}, flagUse{"--insecure", opts.Insecure})...)
	if len(problems) > 0 {
		return cli.InputError(errors.Join(problems...))
	}
	return nil
}

func runOffline(ctx context.Context, opts *VerifyOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	o := &opts.Offline
	reporter, err := output.New(opts.Format)
	if err != nil {
		return cli.InputError(err)
	}
	if opts.Save != "" {
		if fi, err := os.Stat(filepath.Dir(opts.Save)); err != nil || !fi.IsDir() {
			return cli.InputError(fmt.Errorf("--save %s: folder %s does not exist", opts.Save, filepath.Dir(opts.Save)))
		}
	}
	suite := edge.SuiteOptions{Origins: opts.Origins, Version: opts.Factory.Version, Now: opts.Factory.Now}
	lopts := edge.LoadOptions{StreamlitVersion: o.StreamlitVersion}
	var resources []inventory.Resource
	target := o.Input
	if opts.UseStack {
		loadSpec, planRun := o.LoadSpec, o.Plan
		if loadSpec == nil {
			loadSpec = opts.Factory.LoadSpec
		}
		if planRun == nil {
			planRun = plan.Run
		}
		loaded, err := loadSpec(opts.Stack)
		if err != nil {
			return err
		}
		s := loaded.Spec
		p, err := planRun(ctx, s)
		if err != nil {
			return cli.FailedError(fmt.Errorf("plan stack %s: %w", s.Stack, err))
		}
		resources, target = p.Resources, "stack "+s.Stack
		if len(suite.Origins) == 0 {
			suite.Origins = s.Origins()
		}
		suite.BlockedPaths = s.BlockedPathsAll()
		suite.Burst = probe.BurstFor(s.RateLimitPerMinute)
		if s.MaxMessageSizeMB > 0 {
			suite.MessageLimit = int64(s.MaxMessageSizeMB) << 20
		}
		lopts.StreamlitVersion = s.StreamlitVersion
	} else {
		in, err := inventory.ReadFile(inventory.File{Flag: "--input", Path: o.Input, Stdin: opts.IO.In, Parameters: o.Parameters, ARM: armmap.Load})
		if err != nil {
			return cli.InputError(err)
		}
		resources = in.Resources
	}
	model, err := edge.Load(resources, lopts)
	if err != nil {
		return cli.InputError(fmt.Errorf("%s: %w", target, err))
	}
	run, err := edge.Verify(model, suite)
	if err != nil {
		return cli.InputError(fmt.Errorf("%s: %w", target, err))
	}
	if opts.Save != "" {
		if err := run.Save(opts.Save); err != nil {
			return cli.FailedError(fmt.Errorf("--save %s: %w", opts.Save, err))
		}
	}
	doc := Document(run, nil)
	doc.Command = "verify --offline"
	if err := reporter.Report(opts.IO.Out, doc); err != nil {
		return cli.FailedError(err)
	}
	for _, n := range run.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", n)
	}
	failed, live := 0, 0
	for _, p := range run.Probes {
		switch {
		case p.LiveOnly && p.Status == probe.Unknown:
			live++
		case p.Mandatory && p.Status != probe.Pass:
			failed++
		}
	}
	if live > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "note: %d probe(s) need the live target (streamsec verify URL); they do not count offline\n", live)
	}
	if run.Failed() {
		fmt.Fprintf(opts.IO.ErrOut, "streamsec verify --offline: %d mandatory probe(s) failed or could not be shown on the modelled edge of %s\n", failed, target)
		return cli.ErrFailed
	}
	return nil
}
