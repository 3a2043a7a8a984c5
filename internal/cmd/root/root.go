// Package root assembles the streamsec command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/internal/cli"
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
	return cmd
}
