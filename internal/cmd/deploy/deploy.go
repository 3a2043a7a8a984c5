// Package deploy implements `streamsec deploy`: package the app for a
// deployed stack, upload it to the stack's package store with the
// deploying identity, and have App Service pull it (OneDeploy through the
// management plane) in one Pulumi update that records the package digest.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec/components"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/preview"
	"github.com/streamsec/streamsec/internal/deploy"
	"github.com/streamsec/streamsec/internal/engine"
	"github.com/streamsec/streamsec/internal/program"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// EmulatorEnv points the package store at a storage emulator (Azurite's
// blob endpoint, http://127.0.0.1:PORT/devstoreaccount1) instead of the
// stack's account. For tests on this machine only: the emulator's
// well-known development account signs the read URI.
const EmulatorEnv = "STREAMSEC_PACKAGE_STORE_EMULATOR"

// Azurite's published development account (a documented constant, not a
// secret: https://learn.microsoft.com/azure/storage/common/storage-use-azurite).
const (
	emulatorAccount = "devstoreaccount1"
	emulatorKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// DeployOptions are the inputs of one deploy.
type DeployOptions struct {
	IO      *cli.IOStreams
	Factory *cli.Factory
	Stack   cli.StackFlags
	Engine  engine.Flags
	App     string
	Format  string
	// OpenStore opens the package store at endpoint; tests replace it.
	OpenStore func(ctx context.Context, endpoint, container string) (deploy.Store, error)
}

// Summary is the JSON contract of deploy.
type Summary struct {
	Stack      string             `json:"stack"`
	App        string             `json:"app"`
	Status     string             `json:"status"` // shipped, unchanged, refused, not-deployed, blocked, failed
	Digest     string             `json:"digest,omitempty"`
	Blob       string             `json:"blob,omitempty"`
	Uploaded   bool               `json:"uploaded"`
	Files      []string           `json:"files,omitempty"`
	Bytes      int                `json:"bytes,omitempty"`
	Changes    map[string]int     `json:"changes,omitempty"`
	Problems   []deploy.Problem   `json:"problems,omitempty"`
	Violations []engine.Violation `json:"violations,omitempty"`
	Error      string             `json:"error,omitempty"`
}

// NewCmdDeploy builds the command; runF lets tests intercept the run.
func NewCmdDeploy(f *cli.Factory, runF func(*DeployOptions) error) *cobra.Command {
	opts := &DeployOptions{IO: f.IO, Factory: f, OpenStore: openStore(f.Getenv)}
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Package the app and ship it to a deployed environment",
		Long: `deploy packages the app folder (the stack's entry file, requirements.txt, the
other files of the app, and the stack's rendered .streamlit/config.toml) into
a deterministic zip: the same app always gives the same sha256 digest.

Before anything is contacted it refuses an app whose entry file is missing,
whose requirements.txt does not pin exactly the Streamlit version the stack
targets, or that holds secrets (.streamlit/secrets.toml, .env files, private
keys, and keys, tokens or SAS found in any file's content).

Then it uploads the zip to the stack's package store with your Entra ID
identity (DefaultAzureCredential: OIDC in a pipeline, az login on a laptop),
signs a read-only URI valid for minutes with a user-delegation key, and runs
one update with the real Pulumi engine and the policy packs: an ARM
deployment asks App Service to pull the zip (OneDeploy) and build it
(requirements.txt installed by App Service's build). The SCM site stays
closed and no basic credentials or long-lived secrets are used. The digest
is recorded in the stack output appPackage; deploying the same package again
changes nothing.

Exit codes: 0 shipped or unchanged, 1 the deployment failed or a policy
blocked it, 2 bad app, bad usage, or the stack is not deployed.`,
		Example: `  streamsec deploy --stack dev --app examples/dashboard
  streamsec deploy --stack pr-123 --app . --format json --color never --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDeploy(cmd.Context(), opts)
		},
	}
	opts.Stack.Register(cmd)
	opts.Engine.Register(cmd, true)
	cmd.Flags().StringVar(&opts.App, "app", ".", "the app folder to package")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "summary format: text or json (progress goes to stderr with json)")
	return cmd
}

// openStore is the real package store, or the emulator for tests.
func openStore(getenv func(string) string) func(context.Context, string, string) (deploy.Store, error) {
	return func(ctx context.Context, endpoint, container string) (deploy.Store, error) {
		if emu := getenv(EmulatorEnv); emu != "" {
			st, err := deploy.NewSharedKeyStore(emu, container, emulatorAccount, emulatorKey)
			if err != nil {
				return nil, err
			}
			return st, st.EnsureContainer(ctx)
		}
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("Entra ID credential for the package store (OIDC in a pipeline, az login locally): %w", err)
		}
		return deploy.NewAzureStore(endpoint, container, cred)
	}
}

func runDeploy(ctx context.Context, opts *DeployOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	sum := &Summary{Stack: opts.Stack.Stack, App: opts.App}
	if err := preview.CheckFormat(opts.Format); err != nil {
		return err
	}
	progress := preview.ProgressWriter(opts.IO, opts.Format)

	// 1. The app, before anything else is touched.
	loaded, err := opts.Factory.LoadSpec(opts.Stack)
	if err != nil {
		return err
	}
	s := loaded.Spec
	fmt.Fprintf(progress, "checking app %s for stack %s (entry %s, Streamlit %s)\n", opts.App, s.Stack, s.AppEntry, s.StreamlitVersion)
	files, err := deploy.Collect(opts.App, s)
	var refused *deploy.RefusedError
	if errors.As(err, &refused) {
		sum.Status, sum.Problems = "refused", refused.Problems
		if opts.Format != "json" {
			// The summary lists every problem; the error need not repeat them.
			err = fmt.Errorf("app %s refused: %d problem(s), listed above", opts.App, len(refused.Problems))
		}
		return finish(opts, sum, cli.InputError(err))
	}
	if err != nil {
		return cli.InputError(err)
	}

	// 2. The stack must be deployed: its outputs name the app and the store.
	sess, err := preview.Open(ctx, opts.Factory, opts.Stack, &opts.Engine, opts.Format)
	if err != nil {
		return err
	}
	defer sess.Engine.Close()
	outs, err := sess.Engine.Outputs(ctx)
	if errors.Is(err, engine.ErrNoStack) {
		sum.Status = "not-deployed"
		return finish(opts, sum, cli.InputError(fmt.Errorf("stack %s is not deployed (%v): run `streamsec up --stack %s` first", s.Stack, err, s.Stack)))
	}
	if err != nil {
		sum.Status = "failed"
		return finish(opts, sum, engine.CommandError(err))
	}
	target, err := targetOf(s, outs)
	if err != nil {
		sum.Status = "not-deployed"
		return finish(opts, sum, cli.InputError(err))
	}
	deployed, err := program.DeployedRelease(outs)
	if err != nil {
		sum.Status = "failed"
		return finish(opts, sum, cli.FailedError(err))
	}

	// 3. The package: the app plus the stack's config.toml.
	config, err := streamlit.ConfigTOML(s, target.runtime)
	if err != nil {
		return cli.InputError(err)
	}
	pkg, err := deploy.Build(files, config)
	if err != nil {
		return cli.InputError(err)
	}
	sum.Digest, sum.Blob, sum.Files, sum.Bytes = pkg.Digest, pkg.BlobName(), pkg.Files, len(pkg.Data)
	fmt.Fprintf(progress, "package %s: %d files, %d bytes\n", pkg.Digest, len(pkg.Files), len(pkg.Data))

	rel := &components.Release{Digest: pkg.Digest, Blob: pkg.BlobName()}
	if deployed != nil && deployed.Digest == pkg.Digest {
		fmt.Fprintf(progress, "stack %s already runs this package; checking that nothing changes\n", s.Stack)
	} else {
		// 4. Upload with the deploying identity, then a read URI for minutes.
		store, err := opts.OpenStore(ctx, target.storeEndpoint, target.container)
		if err != nil {
			sum.Status = "failed"
			return finish(opts, sum, cli.FailedError(fmt.Errorf("package store: %w", err)))
		}
		fmt.Fprintf(progress, "uploading to %s%s/%s\n", target.storeEndpoint, target.container, pkg.BlobName())
		sum.Uploaded, err = store.Put(ctx, pkg.BlobName(), pkg.Data)
		if err != nil {
			sum.Status = "failed"
			return finish(opts, sum, cli.FailedError(err))
		}
		if !sum.Uploaded {
			fmt.Fprintln(progress, "  already in the package store (same content)")
		}
		uri, err := store.ReadURI(ctx, pkg.BlobName(), deploy.URITTL)
		if err != nil {
			sum.Status = "failed"
			return finish(opts, sum, cli.FailedError(err))
		}
		rel.PackageURI = uri
		fmt.Fprintf(progress, "signed a read-only URI for the platform, valid %s\n", deploy.URITTL)
	}

	// 5. One update: the stack as it is, plus the release.
	if err := sess.EnsureCookieSecret(ctx, opts.IO, s.Stack); err != nil {
		return err
	}
	sess.Release = rel
	fmt.Fprintf(progress, "running the update (OneDeploy of %s to %s)\n", pkg.Digest, target.app)
	res, runErr := sess.Engine.Up(ctx, engine.RunOptions{
		PolicyPacks: sess.Packs,
		Progress:    sess.Progress,
		Color:       sess.Color,
		Message:     "streamsec deploy " + pkg.Digest,
	})
	if res != nil {
		sum.Changes, sum.Violations = res.Changes, res.Violations
	}
	same := deployed != nil && deployed.Digest == pkg.Digest
	switch {
	case runErr == nil && same && res != nil && res.NoChanges():
		sum.Status = "unchanged"
	case runErr == nil && same:
		sum.Status = "updated" // the stack changed, the package did not
	case runErr == nil:
		sum.Status = "shipped"
	case errors.Is(runErr, engine.ErrBlocked):
		sum.Status = "blocked"
	default:
		sum.Status = "failed"
	}
	if runErr != nil {
		return finish(opts, sum, engine.CommandError(runErr))
	}
	return finish(opts, sum, nil)
}

// target is where a package goes, read from the stack's outputs.
type target struct {
	app, storeEndpoint, container string
	runtime                       streamlit.Runtime
}

// targetOf reads the deployed stack's outputs; a missing one means the
// stack was never brought up with this version of streamsec.
func targetOf(s *spec.Spec, outs map[string]any) (*target, error) {
	str := func(k string) string { v, _ := outs[k].(string); return v }
	t := &target{app: str("appName"), storeEndpoint: str("packageStoreEndpoint"), container: str("packageContainer")}
	var missing []string
	for k, v := range map[string]string{"appName": t.app, "packageStoreEndpoint": t.storeEndpoint, "packageContainer": t.container} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if s.Domain == "" {
		host := str("frontDoorEndpointHost")
		if host == "" {
			missing = append(missing, "frontDoorEndpointHost")
		} else {
			// The browser's origin is the endpoint host: the same origin
			// the stack's App Settings allow.
			t.runtime.ExtraOrigins = []string{"https://" + host}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("stack %s is not deployed (outputs %s missing): run `streamsec up --stack %s` first", s.Stack, strings.Join(missing, ", "), s.Stack)
	}
	return t, nil
}

// finish prints the summary and returns err.
func finish(opts *DeployOptions, sum *Summary, err error) error {
	if err != nil {
		sum.Error = err.Error()
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(sum); werr != nil && err == nil {
			return cli.FailedError(fmt.Errorf("write summary: %w", werr))
		}
		return err
	}
	writeText(opts.IO.Out, sum)
	return err
}

func writeText(w io.Writer, sum *Summary) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "streamsec deploy --stack %s --app %s: %s\n", sum.Stack, sum.App, strings.ToUpper(sum.Status))
	if sum.Digest != "" {
		fmt.Fprintf(w, "  package: %s (%d files, %d bytes)\n", sum.Digest, len(sum.Files), sum.Bytes)
	}
	for _, p := range sum.Problems {
		fmt.Fprintf(w, "  - %s: %s\n", p.Path, p.Message)
	}
	if sum.Changes != nil {
		fmt.Fprintf(w, "  changes: %s\n", engine.Changes(sum.Changes))
	}
	for _, v := range sum.Violations {
		fmt.Fprintf(w, "  [%s] %s: %s\n", v.EnforcementLevel, v.Policy, v.Message)
	}
	if sum.Error != "" && len(sum.Problems) == 0 {
		fmt.Fprintf(w, "  error: %s\n", sum.Error)
	}
}
