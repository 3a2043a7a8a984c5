// Package verify is `streamsec verify URL`: it probes a live deployment for
// the WebSocket hardening only the running system can prove, and reports
// each probe with its controls and evidence.
package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/probe"
)

// VerifyOptions are the command's inputs.
type VerifyOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory
	// Dialer opens the probes' connections; nil is the system's. Tests
	// record through it that bad input reaches no network.
	Dialer probe.Dialer

	URL        string
	Stack      cli.StackFlags
	UseStack   bool // --stack or --set given: origins, paths and limits come from the Spec
	Origins    []string
	DirectHost string
	Resolve    []string
	ConnectTo  []string
	CAFile     string
	Insecure   bool
	Active     bool
	Timeout    time.Duration
	Format     string
	Save       string
	// Offline: --offline judges the planned edge (offline.go).
	Offline OfflineFlags
}

// NewCmdVerify builds the command; runF replaces the work in tests.
func NewCmdVerify(f *cli.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "verify URL",
		Short: "Probe a live deployment's WebSocket hardening (TLS, Origin, headers, exposure)",
		Long: `Probe the public URL of a deployed dashboard for what only the running system
can prove: TLS 1.0/1.1 refused and 1.2/1.3 accepted, a valid certificate,
http redirected, HSTS, the WebSocket handshake at <base>/_stcore/stream
accepted for the allowed origin and refused for foreign, null, file://,
other-scheme, other-port, suffixed, prefixed and missing origins, no
compression, no legacy WebSocket versions, security headers, internal paths
refused, and (with --direct-host) the app refusing traffic that bypasses
Front Door. --active adds a handshake burst (rate limit) and an oversized
frame (1009); they load the target and are never on by default.

--offline judges the same probes on a model of the planned edge (the WAF's
custom rules, security policy, routes, rule sets, the app's access
restrictions and its Streamlit settings) from --stack ENV or --input FILE
(anything streamsec check reads: a plan, a preview, a stack export, an ARM
template or az resource show/list output, UTF-8 or UTF-16 with a byte order
mark): no request is sent. TLS and certificate probes need the live target; they
are unknown and do not count. Managed rule sets are not modelled.

Only the URL host and --direct-host are contacted; redirects are recorded,
never followed; every request and the whole run are time bound.

Exit codes: 0 every mandatory probe passed; 1 a mandatory probe failed or
could not be shown (an unreachable target ends here, within --timeout);
2 bad usage (URL, --resolve, --ca-file, --origin, --format).`,
		Example: `  streamsec verify https://dash.example.com --stack prod
  streamsec verify https://dash.example.com --direct-host app-dash.azurewebsites.net
  streamsec verify https://dash.example.com --resolve dash.example.com:443:203.0.113.7
  streamsec verify https://dash.example.com --format json --save verify.json
  streamsec verify --offline --stack prod
  streamsec verify --offline --input preview.json --format json
  streamsec verify --offline --input template.json --streamlit-version 1.67.0 --origin https://dash.example.com`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Offline.On {
				return nil // offlineArgs checks, once the flags are read
			}
			if len(args) != 1 {
				return cli.InputError(fmt.Errorf("verify takes exactly one URL, got %d arguments", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UseStack = cmd.Flags().Changed("stack") || cmd.Flags().Changed("set")
			if opts.Offline.On {
				if err := offlineArgs(opts, args); err != nil {
					return err
				}
				if runF != nil {
					return runF(opts)
				}
				return runOffline(cmd.Context(), opts)
			}
			if err := liveArgs(&opts.Offline); err != nil {
				return err
			}
			opts.URL = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runVerify(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	registerOffline(cmd, &opts.Offline)
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Origins, "origin", nil, "a browser origin that must be accepted (repeatable); default: the Spec's origins with --stack, else the URL's own")
	fl.StringVar(&opts.DirectHost, "direct-host", "", "the app's own host (e.g. app.azurewebsites.net, HOST:PORT or http://HOST:PORT); it must refuse direct traffic")
	fl.StringArrayVar(&opts.Resolve, "resolve", nil, "HOST:PORT:ADDR: connect to ADDR for HOST:PORT, keeping SNI and Host (as curl; repeatable)")
	fl.StringArrayVar(&opts.ConnectTo, "connect-to", nil, "HOST:PORT:ADDR:PORT2: connect to ADDR:PORT2 for HOST:PORT (as curl; repeatable)")
	fl.StringVar(&opts.CAFile, "ca-file", "", "PEM file of extra CA certificates to trust (a private CA)")
	fl.BoolVar(&opts.Insecure, "insecure", false, "do not require valid certificates for the probes; the certificate probe then fails")
	fl.BoolVar(&opts.Active, "active", false, "also run the probes that load the target: a handshake burst and an oversized frame")
	fl.DurationVar(&opts.Timeout, "timeout", probe.DefaultTimeout, "time bound for the whole run (each request gets at most 10s of it)")
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(output.Formats(), ", "))
	fl.StringVar(&opts.Save, "save", "", "also write the run as JSON to this FILE, for the evidence report")
	return cmd
}

func runVerify(ctx context.Context, opts *VerifyOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	reporter, err := output.New(opts.Format)
	if err != nil {
		return cli.InputError(err)
	}
	if opts.Save != "" {
		// Checked before any probe runs: a run must not be lost to a typo.
		if fi, err := os.Stat(filepath.Dir(opts.Save)); err != nil || !fi.IsDir() {
			return cli.InputError(fmt.Errorf("--save %s: folder %s does not exist", opts.Save, filepath.Dir(opts.Save)))
		}
	}
	popts, err := probeOptions(opts)
	if err != nil {
		return err
	}
	target, err := probe.Prepare(popts)
	if err != nil {
		return cli.InputError(err)
	}

	run := probe.Execute(ctx, target)

	if opts.Save != "" {
		if err := run.Save(opts.Save); err != nil {
			return cli.FailedError(fmt.Errorf("--save %s: %w", opts.Save, err))
		}
	}
	if err := reporter.Report(opts.IO.Out, Document(run, target)); err != nil {
		return cli.FailedError(err)
	}
	if run.Failed() {
		n := 0
		for _, p := range run.Probes {
			if p.Mandatory && p.Status != probe.Pass {
				n++
			}
		}
		fmt.Fprintf(opts.IO.ErrOut, "streamsec verify: %d mandatory probe(s) failed or could not be shown\n", n)
		return cli.ErrFailed
	}
	return nil
}

// probeOptions turns flags (and the Spec, with --stack) into probe options.
func probeOptions(opts *VerifyOptions) (probe.Options, error) {
	po := probe.Options{
		URL:        opts.URL,
		Origins:    opts.Origins,
		DirectHost: opts.DirectHost,
		Resolve:    opts.Resolve,
		ConnectTo:  opts.ConnectTo,
		Insecure:   opts.Insecure,
		Active:     opts.Active,
		Timeout:    opts.Timeout,
		Version:    opts.Factory.Version,
		Now:        opts.Factory.Now,
		Dialer:     opts.Dialer,
	}
	if opts.Timeout <= 0 {
		return po, cli.InputError(fmt.Errorf("--timeout %s: must be positive, e.g. 30s", opts.Timeout))
	}
	po.RequestTimeout = min(probe.DefaultRequestTimeout, opts.Timeout)
	if opts.UseStack {
		loaded, err := opts.Factory.LoadSpec(opts.Stack)
		if err != nil {
			return po, err
		}
		s := loaded.Spec
		if len(po.Origins) == 0 {
			po.Origins = s.Origins()
		}
		po.BlockedPaths = s.BlockedPathsAll()
		po.Burst = probe.BurstFor(s.RateLimitPerMinute)
		if s.MaxMessageSizeMB > 0 {
			po.MessageLimit = int64(s.MaxMessageSizeMB) << 20
		}
		// A stack with a custom domain must be verified on it: the origins
		// the Spec allows are https://domain.
		if s.Domain != "" {
			if u, err := url.Parse(opts.URL); err == nil && !strings.EqualFold(u.Hostname(), s.Domain) && len(opts.Origins) == 0 {
				fmt.Fprintf(opts.IO.ErrOut, "note: %s is not the stack's domain %s; the origin probes use the stack's origins\n", u.Hostname(), s.Domain)
			}
		}
	}
	if opts.CAFile != "" {
		pool, err := loadCA(opts.CAFile)
		if err != nil {
			return po, cli.InputError(err)
		}
		po.RootCAs = pool
	}
	return po, nil
}

// loadCA returns the system roots plus the PEM file's certificates.
func loadCA(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, errors.New("--ca-file " + path + ": no PEM certificate found")
	}
	return pool, nil
}

// Document is the run in the shared reporter shape; JSON is the run itself.
func Document(run *probe.Run, t *probe.Target) output.Document {
	d := output.Document{Tool: "streamsec", Version: run.Version, Command: "verify", Target: run.Target, JSON: run}
	seen := map[string]bool{}
	rule := func(p probe.Result) {
		if seen[p.ID] {
			return
		}
		seen[p.ID] = true
		lvl := output.LevelWarning
		if p.Mandatory {
			lvl = output.LevelError
		}
		d.Rules = append(d.Rules, output.Rule{ID: p.ID, Title: p.Title, Controls: p.Controls, Level: lvl})
	}
	if t != nil {
		for _, p := range t.Describe() {
			rule(p)
		}
	}
	for _, p := range run.Probes {
		rule(p)
		lvl := output.LevelWarning
		if p.Mandatory {
			lvl = output.LevelError
		}
		ev := map[string]string{}
		for k, v := range map[string]string{"request": p.Evidence.Request, "status": p.Evidence.Status, "headers": p.Evidence.Headers} {
			if v != "" {
				ev[k] = v
			}
		}
		d.Results = append(d.Results, output.Result{
			RuleID:   p.ID,
			Status:   output.Status(p.Status),
			Level:    lvl,
			Message:  p.Evidence.Detail,
			Location: run.Target,
			Controls: p.Controls,
			Evidence: ev,
		})
	}
	return d
}
