// Package report is `streamsec report`: the evidence report that answers
// every control of the WebSocket hardening guide for one environment, from
// its plan, the policy rules, the Streamlit settings and (when given) the
// live probe results.
package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/armmap"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/edge"
	"github.com/streamsec/streamsec/internal/evidence"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/textfile"
	"github.com/streamsec/streamsec/policy-packs/rules"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// PlanFunc produces the planned resources of a Spec (the offline plan).
type PlanFunc func(ctx context.Context, s *spec.Spec) ([]inventory.Resource, error)

// ReportOptions are the command's inputs.
type ReportOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory

	Stack    cli.StackFlags
	Verify   string
	URL      string
	PlanFile string
	// Parameters is an ARM parameters file for an ARM template --plan.
	Parameters string
	Format     string
	Out        string
	Timeout    time.Duration

	// Plan runs the offline plan; tests and --plan replace it.
	Plan PlanFunc
}

// NewCmdReport builds the command; runF replaces the work in tests.
func NewCmdReport(f *cli.Factory, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: f.IO, Factory: f, Plan: offlinePlan}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the evidence report: every control of the WebSocket hardening guide answered",
		Long: `Answer every control of the WebSocket Security Hardening Guide (websocket.org)
for one environment as met, not-met, not-applicable or residual, with its
evidence: planned resource properties, policy rule verdicts, the Streamlit
settings, the Azure Policy built-ins judging the same properties, ready-to-run
Log Analytics queries and, with --verify FILE (a saved streamsec verify run)
or --url URL (probe now), the live probe results. Without probes, what only
a live probe can show is stated as not yet shown, never as met.

The summary comes first (counts, what is not met and what to do), details
after. No secret ever appears. The report states when it was generated and
the SHA-256 digest of its inputs.

Exit codes: 0 the report was written (whatever it says: a report is
evidence, not a gate; use plan, check or verify to gate a pipeline);
2 bad usage or input.`,
		Example: `  streamsec report --stack prod --format html --out report.html
  streamsec verify https://dash.example.com --stack prod --save verify.json
  streamsec report --stack prod --verify verify.json --format markdown
  streamsec report --stack dev --url https://dash-dev.azurefd.net --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runReport(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Verify, "verify", "", "a saved streamsec verify run (verify --save FILE) to include")
	fl.StringVar(&opts.URL, "url", "", "probe this deployed URL now (the default verify suite) and include the results")
	fl.StringVarP(&opts.Parameters, "parameters", "p", "", "with --plan: ARM parameters file for an ARM template (az deployment's --parameters @FILE)")
	fl.StringVar(&opts.PlanFile, "plan", "", "read the resources from this file (what streamsec check reads: streamsec plan --format json, pulumi preview --json, pulumi stack export, an ARM template, az resource show/list) instead of planning offline")
	fl.StringVar(&opts.Format, "format", "markdown", "output format: "+strings.Join(evidence.Formats(), ", "))
	fl.StringVarP(&opts.Out, "out", "o", "", "write the report to this file (atomically) instead of standard output")
	fl.DurationVar(&opts.Timeout, "timeout", probe.DefaultTimeout, "time bound for --url probing")
	return cmd
}

func runReport(ctx context.Context, opts *ReportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Every usage problem at once, before any work.
	var problems []string
	format := strings.ToLower(opts.Format)
	if format == "md" {
		format = "markdown"
	}
	validFormat := false
	for _, f := range evidence.Formats() {
		validFormat = validFormat || f == format
	}
	if !validFormat {
		problems = append(problems, fmt.Sprintf("--format %q: allowed values are %s", opts.Format, strings.Join(evidence.Formats(), ", ")))
	}
	if opts.Verify != "" && opts.URL != "" {
		problems = append(problems, "--verify and --url: give one source of probe results, not both")
	}
	if opts.Parameters != "" && opts.PlanFile == "" {
		problems = append(problems, "--parameters is for an ARM template --plan; without --plan the stack is planned offline")
	}
	if opts.Out != "" {
		if fi, err := os.Stat(filepath.Dir(opts.Out)); err != nil || !fi.IsDir() {
			problems = append(problems, fmt.Sprintf("--out %s: folder %s does not exist", opts.Out, filepath.Dir(opts.Out)))
		}
	}
	if len(problems) > 0 {
		return cli.InputError(errors.New(strings.Join(problems, "\n")))
	}

	loaded, err := opts.Factory.LoadSpec(opts.Stack)
	if err != nil {
		return err
	}
	s := loaded.Spec

	cat, err := controls.Load()
	if err != nil {
		return cli.FailedError(err)
	}

	var resources []inventory.Resource
	if opts.PlanFile != "" {
		// Read as check reads its --input (and verify --offline its): the
		// Pulumi formats, ARM documents, UTF-8 or UTF-16 with a BOM.
		in, err := inventory.ReadFile(inventory.File{Flag: "--plan", Path: opts.PlanFile, Stdin: opts.IO.In, Parameters: opts.Parameters, ARM: armmap.Load})
		if err != nil {
			return cli.InputError(err)
		}
		resources = in.Resources
	} else {
		resources, err = opts.Plan(ctx, s)
		if err != nil {
			return cli.FailedError(fmt.Errorf("plan stack %s: %w", s.Stack, err))
		}
	}

	in := evidence.Inputs{
		Tool: "streamsec", Version: opts.Factory.Version, Now: opts.Factory.Now(),
		Spec: s, SpecSource: loaded.Path, Resources: resources, EnvName: streamlit.EnvName,
	}
	in.Rules, in.Violations = ruleVerdicts(s, resources)
	in.Settings, err = settings(s, resources)
	if err != nil {
		return cli.InputError(err)
	}

	switch {
	case opts.Verify != "":
		data, err := textfile.ReadFile(opts.Verify)
		if err != nil {
			return cli.InputError(fmt.Errorf("--verify: %w", err))
		}
		run, err := probe.Decode(data)
		if err != nil {
			return cli.InputError(fmt.Errorf("--verify %s: %w", opts.Verify, err))
		}
		if run.Mode == probe.ModeOffline {
			// An offline run is evidence on the plan, never live evidence.
			in.Offline, in.OfflineSource = evidence.FromProbeRun(run), opts.Verify
			break
		}
		in.Probes, in.ProbeSource, in.ProbeData = evidence.FromProbeRun(run), opts.Verify, data
	case opts.URL != "":
		run, data, err := probeNow(ctx, opts, s)
		if err != nil {
			return err
		}
		in.Probes, in.ProbeSource, in.ProbeData = evidence.FromProbeRun(run), opts.URL, data
	}

	if in.Offline == nil {
		// The plan is here: judge the same probes on its modelled edge.
		if run, err := offlineRun(s, resources, opts.Factory.Version, opts.Factory.Now); err == nil {
			in.Offline, in.OfflineSource = evidence.FromProbeRun(run), "the plan's modelled edge"
		}
	}
	rep, err := evidence.Build(cat, in)
	if err != nil {
		return cli.FailedError(err)
	}
	var buf bytes.Buffer
	if err := evidence.Render(&buf, format, rep); err != nil {
		return cli.FailedError(err)
	}
	if opts.Out == "" {
		_, err := opts.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := writeAtomic(opts.Out, buf.Bytes()); err != nil {
		return cli.FailedError(fmt.Errorf("--out %s: %w", opts.Out, err))
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %s: %d met, %d not met, %d not applicable, %d residual\n", opts.Out,
		rep.Summary.Counts[evidence.Met], rep.Summary.Counts[evidence.NotMet],
		rep.Summary.Counts[evidence.NotApplicable], rep.Summary.Counts[evidence.Residual])
	return nil
}

// ruleVerdicts runs the policy rules on the plan with the Spec's limits.
func ruleVerdicts(s *spec.Spec, resources []inventory.Resource) ([]evidence.RuleInfo, []evidence.Violation) {
	cfg := rules.DefaultConfig()
	cfg.MaxMessageSizeMB = s.MaxMessageSizeMB
	cfg.MaxUploadSizeMB = s.MaxUploadSizeMB
	cfg.InstanceCount = s.InstanceCount
	cfg.BlockedPaths = s.BlockedPathsAll()
	cfg.StreamlitVersion = s.StreamlitVersion
	cfg.AllowedHosts = []string{streamlit.AppHostName(s)}
	cfg.MaxWidgetStateSizeMB = s.MaxWidgetStateSizeMB
	var infos []evidence.RuleInfo
	for _, r := range rules.All() {
		infos = append(infos, evidence.RuleInfo{
			ID: r.ID, Title: r.Title, Controls: r.Controls, AzurePolicyIDs: r.AzurePolicyIDs,
			Enforcement: string(cfg.Level(r)), Types: r.Types, Stack: r.IsStack(),
		})
	}
	var vs []evidence.Violation
	for _, v := range rules.Evaluate(resources, cfg) {
		vs = append(vs, evidence.Violation{Policy: v.Policy, Severity: v.Severity, URN: v.URN, Type: v.Type,
			Message: v.Message, Controls: v.Controls, Property: v.Property})
	}
	return infos, vs
}

// settings generates the Streamlit App Settings, with the deploy-time
// values (the cookie secret's Key Vault reference) taken from the plan's
// web app when it has them.
func settings(s *spec.Spec, resources []inventory.Resource) ([]evidence.Setting, error) {
	var rt streamlit.Runtime
	for _, r := range resources {
		if inventory.BaseType(r.Type) != "azure-native:web:WebApp" {
			continue
		}
		v, _ := r.Get("siteConfig.appSettings")
		list, _ := v.([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			if name, _ := m["name"].(string); name == streamlit.EnvName(streamlit.CookieSecretOption) {
				if ref, _ := m["value"].(string); streamlit.IsKeyVaultReference(ref) {
					rt.CookieSecretRef = ref
				}
			}
		}
	}
	gen, err := streamlit.AppSettings(s, rt)
	if err != nil {
		return nil, fmt.Errorf("streamlit settings: %w", err)
	}
	out := make([]evidence.Setting, len(gen))
	for i, g := range gen {
		out[i] = evidence.Setting{Name: g.Name, Value: g.Value, Secret: g.Secret}
	}
	return out, nil
}

// probeNow runs the default verify suite against --url with the Spec's
// origins, paths and limits, as `streamsec verify URL --stack ENV` does.
// offlineRun is `verify --offline` on the report's own resources; a stack
// with no Front Door to model has no offline evidence.
func offlineRun(s *spec.Spec, resources []inventory.Resource, version string, now func() time.Time) (*probe.Run, error) {
	model, err := edge.Load(resources, edge.LoadOptions{StreamlitVersion: s.StreamlitVersion})
	if err != nil {
		return nil, err
	}
	opts := edge.SuiteOptions{Origins: s.Origins(), BlockedPaths: s.BlockedPathsAll(), Burst: probe.BurstFor(s.RateLimitPerMinute), Version: version, Now: now}
	if s.MaxMessageSizeMB > 0 {
		opts.MessageLimit = int64(s.MaxMessageSizeMB) << 20
	}
	return edge.Verify(model, opts)
}

func probeNow(ctx context.Context, opts *ReportOptions, s *spec.Spec) (*probe.Run, []byte, error) {
	if opts.Timeout <= 0 {
		return nil, nil, cli.InputError(fmt.Errorf("--timeout %s: must be positive, e.g. 30s", opts.Timeout))
	}
	po := probe.Options{
		URL: opts.URL, Origins: s.Origins(), BlockedPaths: s.BlockedPathsAll(),
		Timeout: opts.Timeout, RequestTimeout: min(probe.DefaultRequestTimeout, opts.Timeout),
		Version: opts.Factory.Version, Now: opts.Factory.Now,
	}
	if s.MaxMessageSizeMB > 0 {
		po.MessageLimit = int64(s.MaxMessageSizeMB) << 20
	}
	target, err := probe.Prepare(po)
	if err != nil {
		return nil, nil, cli.InputError(fmt.Errorf("--url: %w", err))
	}
	run := probe.Execute(ctx, target)
	data, err := json.Marshal(run)
	if err != nil {
		return nil, nil, cli.FailedError(fmt.Errorf("encode probe run: %w", err))
	}
	return run, data, nil
}

// writeAtomic writes through a temp file in the same folder and a rename,
// so a reader never sees half a report.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
