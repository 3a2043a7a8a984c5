package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// maxInputBytes bounds what --input reads (as `streamsec check`).
const maxInputBytes = 512 << 20

// OfflineFlags select `verify --offline`: the suite judged on a model of
// the planned edge (internal/edge) instead of a live target.
type OfflineFlags struct {
	On               bool
	Input            string // a file streamsec check reads (plan, preview, stack export, ARM); "-" stdin
	StreamlitVersion string // with --input: the app's release ("" evaluates both server generations)

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
		problems = append(problems, errors.New("verify --offline needs --stack ENV (the plan) or --input FILE (a plan, pulumi preview --json or pulumi stack export)"))
	}
	if opts.UseStack && o.StreamlitVersion != "" {
		problems = append(problems, errors.New("--streamlit-version is for --input; with --stack the Spec's streamlitVersion is used"))
	}
	for name, set := range map[string]bool{"--direct-host": opts.DirectHost != "", "--resolve": len(opts.Resolve) > 0, "--connect-to": len(opts.ConnectTo) > 0, "--ca-file": opts.CAFile != "", "--insecure": opts.Insecure} {
		if set {
			problems = append(problems, fmt.Errorf("%s contacts a live target; it does not apply with --offline", name))
		}
	}
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
		in, err := readOfflineInput(opts.IO.In, o.Input)
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

// readOfflineInput reads --input as `streamsec check` does (inventory.Read):
// any of the formats check takes, ARM documents among them, in UTF-8 with or
// without a BOM or UTF-16 with one (issue 16: a file PowerShell wrote was
// refused as "not a JSON object").
func readOfflineInput(stdin io.Reader, path string) (inventory.Input, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return inventory.Input{}, fmt.Errorf("--input: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return inventory.Input{}, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxInputBytes {
		return inventory.Input{}, fmt.Errorf("%s is larger than %d MB; not a plan, preview, export or ARM document", path, maxInputBytes>>20)
	}
	in, err := inventory.Read(bytes.NewReader(data), inventory.ReadOptions{Name: path, ARM: armmap.Load})
	if err != nil {
		return inventory.Input{}, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}
