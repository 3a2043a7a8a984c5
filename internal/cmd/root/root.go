// Package root assembles the streamsec command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/check"
	deploycmd "github.com/streamsec/streamsec/internal/cmd/deploy"
	"github.com/streamsec/streamsec/internal/cmd/destroy"
	initcmd "github.com/streamsec/streamsec/internal/cmd/init"
	"github.com/streamsec/streamsec/internal/cmd/outputs"
	plancmd "github.com/streamsec/streamsec/internal/cmd/plan"
	"github.com/streamsec/streamsec/internal/cmd/preview"
	"github.com/streamsec/streamsec/internal/cmd/render"
	"github.com/streamsec/streamsec/internal/cmd/report"
	"github.com/streamsec/streamsec/internal/cmd/up"
	"github.com/streamsec/streamsec/internal/cmd/verify"
)

// NewCmdRoot returns the top-level command with every subcommand attached.
func NewCmdRoot(f *cli.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "streamsec",
		Short: "Put a Streamlit dashboard on the public internet, hardened and with evidence",
		Long: `streamsec provisions a hardened Azure stack for a Streamlit app (App Service
behind Front Door with WAF, private Storage and Key Vault), renders the
matching Streamlit config, enforces the WebSocket hardening rules as policy,
probes the live deployment and writes the evidence report.

Exit codes: 0 ok, 1 a mandatory control failed (or an update failed), 2 bad
usage or input.`,
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.PersistentFlags().StringVar(&f.ProjectDir, "project-dir", f.ProjectDir, "folder holding Pulumi.yaml and stacks/")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cli.InputError(err)
	})

	// Subcommands, one package each under internal/cmd.
	cmd.AddCommand(initcmd.NewCmdInit(f, nil))
	cmd.AddCommand(plancmd.NewCmdPlan(f, nil))
	cmd.AddCommand(preview.NewCmdPreview(f, nil))
	cmd.AddCommand(up.NewCmdUp(f, nil))
	cmd.AddCommand(destroy.NewCmdDestroy(f, nil))
	cmd.AddCommand(deploycmd.NewCmdDeploy(f, nil))
	cmd.AddCommand(outputs.NewCmdOutputs(f, nil))
	cmd.AddCommand(verify.NewCmdVerify(f, nil))
	cmd.AddCommand(render.NewCmdRender(f, nil))
	cmd.AddCommand(check.NewCmdCheck(f, nil))
	cmd.AddCommand(report.NewCmdReport(f, nil))
	return cmd
}
