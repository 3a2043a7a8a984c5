// Package render implements `streamsec render`: it writes the app repo's
// .streamlit/config.toml for a stack, prints the matching App Settings and
// startup command, and with --check audits an existing config.toml.
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// ConfigPath is where Streamlit reads the project config, relative to the
// folder it is started from.
const ConfigPath = ".streamlit/config.toml"

// RenderOptions are the inputs of one `streamsec render` run.
type RenderOptions struct {
	IO       *cli.IOStreams
	Version  string
	Stack    cli.StackFlags
	LoadSpec func(cli.StackFlags) (*spec.Loaded, error)

	OutDir string
	Force  bool
	Check  string // path of a config.toml to audit instead of writing one
	// Standalone: --check without --stack judges the file on its own,
	// not against some default stack's origins and limits.
	Standalone bool
	Format     string
	Origins    []string // deploy-time origins (the Front Door endpoint)
	AppHost    string   // Host header Streamlit sees (server.allowedHosts); "" = the web app's default host name
}

// NewCmdRender builds the command; runF replaces the work in tests.
func NewCmdRender(f *cli.Factory, runF func(*RenderOptions) error) *cobra.Command {
	opts := &RenderOptions{IO: f.IO, Version: f.Version, LoadSpec: f.LoadSpec}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Write .streamlit/config.toml for a stack, or audit an existing one",
		Long: `render writes the Streamlit configuration that matches a stack into
DIR/.streamlit/config.toml (atomically; an existing different file is kept
unless --force) and prints the same settings as the STREAMLIT_* App Settings
the stack puts on the web app, plus the App Service startup command.

render --check PATH audits an existing config.toml against that baseline:
each weak or missing setting, the control it breaks, why, and the line to
write instead. With --stack it is judged against that stack (its origins,
limits and Streamlit release); without --stack on its own: value types, the
mandatory settings at streamsec's defaults, and an origin allowlist of
plain https origins with no wildcard.

Exit codes: 0 ok (or the audit passed), 1 a mandatory setting is weak,
2 bad usage, an invalid spec, or a file that is not TOML or cannot be read.`,
		Example: `  streamsec render --stack prod --out ../dashboard
  streamsec render --check .streamlit/config.toml --stack prod --format sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Check != "" && (cmd.Flags().Changed("out") || opts.Force) {
				return cli.InputError(errors.New("--check audits a file; it cannot be combined with --out or --force"))
			}
			opts.Standalone = opts.Check != "" && !cmd.Flags().Changed("stack")
			if opts.Standalone && (len(opts.Stack.Set) > 0 || len(opts.Origins) > 0) {
				return cli.InputError(errors.New("--check without --stack judges the file on its own; --set and --origin need --stack"))
			}
			if runF != nil {
				return runF(opts)
			}
			return runRender(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	cmd.Flags().StringVarP(&opts.OutDir, "out", "o", ".", "app folder to write .streamlit/config.toml into")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing config.toml that differs")
	cmd.Flags().StringVar(&opts.Check, "check", "", "audit this config.toml instead of writing one")
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: "+strings.Join(output.Formats(), ", "))
	cmd.Flags().StringArrayVar(&opts.Origins, "origin", nil, "extra allowed origin known at deploy time, https://host (repeatable)")
	cmd.Flags().StringVar(&opts.AppHost, "app-host", "", "Host header requests reach Streamlit with, for server.allowedHosts on 1.61+ (default: the web app's <name>.azurewebsites.net, which Front Door sends)")
	return cmd
}

func runRender(ctx context.Context, opts *RenderOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	reporter, err := output.New(opts.Format)
	if err != nil {
		return cli.InputError(err)
	}
	if opts.Standalone {
		return runCheck(ctx, opts, nil, streamlit.Runtime{}, reporter)
	}
	loaded, err := opts.LoadSpec(opts.Stack)
	if err != nil {
		return err // already an input error naming every problem
	}
	rt := streamlit.Runtime{ExtraOrigins: opts.Origins, AppHost: opts.AppHost}
	if opts.Check != "" {
		return runCheck(ctx, opts, loaded, rt, reporter)
	}
	return runWrite(ctx, opts, loaded, rt)
}

// writeResult is the JSON contract of render without --check.
type writeResult struct {
	Stack            string       `json:"stack"`
	StreamlitVersion string       `json:"streamlitVersion"`
	Path             string       `json:"path"`
	Written          bool         `json:"written"` // false: an identical file was already there
	AppSettings      []appSetting `json:"appSettings"`
	StartupCommand   string       `json:"startupCommand"`
	// Unverified is set when streamlitVersion is newer than the newest
	// release whose options streamsec read.
	Unverified string `json:"unverified,omitempty"`
}

type appSetting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Secret bool   `json:"secret,omitempty"`
}

func runWrite(ctx context.Context, opts *RenderOptions, loaded *spec.Loaded, rt streamlit.Runtime) error {
	format := strings.ToLower(opts.Format)
	if format != "text" && format != "json" {
		return cli.InputError(fmt.Errorf("--format %q: render prints text or json; the report formats are for --check", opts.Format))
	}
	s := loaded.Spec
	data, err := streamlit.ConfigTOML(s, rt)
	if err != nil {
		return cli.InputError(err)
	}
	settings, err := streamlit.AppSettings(s, rt)
	if err != nil {
		return cli.InputError(err)
	}
	// The cookie secret always reaches the app as a Key Vault reference
	// resolved at deploy time; show that the setting exists, never a value.
	settings = append(settings, streamlit.Setting{Name: streamlit.EnvName(streamlit.CookieSecretOption), Secret: true})
	if err := ctx.Err(); err != nil {
		return err
	}
	path := filepath.Join(opts.OutDir, filepath.FromSlash(ConfigPath))
	written, err := writeAtomic(path, data, opts.Force)
	if err != nil {
		return err
	}

	res := writeResult{Stack: s.Stack, StreamlitVersion: s.StreamlitVersion, Path: path, Written: written, StartupCommand: streamlit.StartupCommand(s),
		Unverified: streamlitopts.UnverifiedNote(streamlitopts.MustParse(s.StreamlitVersion))}
	for _, st := range sortSettings(settings) {
		v := st.Value
		if st.Secret {
			v = spec.Mask
		}
		res.AppSettings = append(res.AppSettings, appSetting{Name: st.Name, Value: v, Secret: st.Secret})
	}
	if format == "json" {
		return output.JSON{}.Report(opts.IO.Out, output.Document{JSON: res})
	}
	return printWrite(opts.IO.Out, res, len(rt.ExtraOrigins) == 0)
}

func sortSettings(in []streamlit.Setting) []streamlit.Setting {
	out := append([]streamlit.Setting(nil), in...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func printWrite(w io.Writer, res writeResult, noDeployOrigins bool) error {
	var b strings.Builder
	if res.Written {
		fmt.Fprintf(&b, "wrote %s (stack %s, Streamlit %s)\n", res.Path, res.Stack, res.StreamlitVersion)
	} else {
		fmt.Fprintf(&b, "%s is already up to date (stack %s, Streamlit %s)\n", res.Path, res.Stack, res.StreamlitVersion)
	}
	if res.Unverified != "" {
		fmt.Fprintf(&b, "UNVERIFIED: %s.\n", res.Unverified)
	}
	b.WriteString("\nApp Settings on the web app (they override config.toml on App Service):\n")
	for _, st := range res.AppSettings {
		note := ""
		if st.Secret {
			note = "   (Key Vault reference, set at deploy)"
		}
		fmt.Fprintf(&b, "  %s=%s%s\n", st.Name, st.Value, note)
	}
	if noDeployOrigins {
		b.WriteString("  (the Front Door endpoint origin is added to the allowed origins at deploy time)\n")
	}
	fmt.Fprintf(&b, "\nStartup command (App Service):\n  %s\n", res.StartupCommand)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAtomic writes data to path through a temporary file in the same
// folder and a rename, so readers never see half a file. An identical file
// is left alone (written=false); a different one is kept unless force.
func writeAtomic(path string, data []byte, force bool) (written bool, err error) {
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return false, nil
	case err == nil && !force:
		return false, cli.InputError(fmt.Errorf("%s exists and differs from the rendered config; review it with `streamsec render --check %s`, or pass --force to replace it", path, path))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false, cli.InputError(fmt.Errorf("read %s: %w", path, err))
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, cli.InputError(fmt.Errorf("create %s: %w", dir, err))
	}
	tmp, err := os.CreateTemp(dir, ".config.toml.*.tmp")
	if err != nil {
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	if err = tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	if err = tmp.Close(); err != nil {
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return false, cli.FailedError(fmt.Errorf("write %s: %w", path, err))
	}
	return true, nil
}
