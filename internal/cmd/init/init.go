// Package initcmd (folder init; "init" cannot name a Go package) implements `streamsec init`: create a new environment, a
// validated stacks/Pulumi.<env>.yaml (from flags, from an existing
// environment, or by asking on a terminal) plus Streamlit's cookie secret in
// the stack's encrypted config. Pipelines use it for short-lived
// environments: `init --stack pr-123 --from dev`, `up`, later
// `destroy --remove`.
package initcmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/engine"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/textfile"
)

// InitOptions are the inputs of one init.
type InitOptions struct {
	IO         *cli.IOStreams
	Factory    *cli.Factory
	Stack      string
	From       string
	Set        []string
	ConfigOnly bool
	Engine     engine.Flags
}

// NewCmdInit builds the command; runF lets tests intercept the run.
func NewCmdInit(f *cli.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new environment: a validated stack file and its cookie secret",
		Long: `Writes stacks/Pulumi.<stack>.yaml for a new environment, from --set values, from
an existing environment (--from, whose encrypted values are not copied), or by
asking when run on a terminal. The file is validated before it is written and
an existing file is never overwritten.

Then the stack is created in the state backend and Streamlit's cookie secret
(32 random bytes, hex) is generated into its encrypted config, the way
pulumi config set --secret stores it. --config-only skips that step (up
generates the secret later).

Exit codes: 0 created, 1 the backend failed, 2 bad usage, invalid values, or
the environment already exists.`,
		Example: `  streamsec init --stack pr-123 --from dev --non-interactive
  streamsec init --stack test --set appName=dashboard --set namePrefix=acme`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInit(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Stack, "stack", "s", "", "name of the new environment (required)")
	_ = cmd.MarkFlagRequired("stack")
	cmd.Flags().StringVar(&opts.From, "from", "", "copy the settings of this existing environment")
	cmd.Flags().StringArrayVar(&opts.Set, "set", nil, "set a spec key, key=value (repeatable)")
	cmd.Flags().BoolVar(&opts.ConfigOnly, "config-only", false, "only write the stack file; no backend, no cookie secret yet")
	opts.Engine.Register(cmd, false)
	return cmd
}

func runInit(ctx context.Context, opts *InitOptions) error {
	if err := engine.ValidStack(opts.Stack); err != nil {
		return cli.InputError(err)
	}
	if err := opts.Engine.Validate(); err != nil {
		return cli.InputError(err)
	}
	dir := opts.Factory.StacksDir()
	target := filepath.Join(dir, spec.StackFile(opts.Stack))
	if _, err := os.Stat(target); err == nil {
		return cli.InputError(fmt.Errorf("--stack %s: %s already exists; init never overwrites an environment (remove it with `streamsec destroy --stack %s --remove`)", opts.Stack, target, opts.Stack))
	}

	var doc *yaml.Node
	var err error
	switch {
	case opts.From != "":
		doc, err = fromEnvironment(dir, opts.From)
	case opts.IO.InteractiveIn && !opts.Engine.NonInteractive:
		doc, err = ask(opts.IO, opts.Set)
	default:
		doc, err = emptyDoc()
	}
	if err != nil {
		return err
	}
	if err := applySets(doc, opts.Set); err != nil {
		return cli.InputError(err)
	}
	header := fmt.Sprintf("Environment %s, created by streamsec init", opts.Stack)
	if opts.From != "" {
		header += " from " + spec.StackFile(opts.From)
	}
	doc.HeadComment = header + ".\n`streamsec plan --stack " + opts.Stack + "` shows what it creates."
	data, err := encode(doc)
	if err != nil {
		return cli.FailedError(err)
	}
	if err := validate(opts.Stack, data); err != nil {
		return cli.InputError(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cli.FailedError(fmt.Errorf("create %s: %w", dir, err))
	}
	if err := writeNew(target, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return cli.InputError(fmt.Errorf("--stack %s: %s already exists; init never overwrites an environment", opts.Stack, target))
		}
		return cli.FailedError(err)
	}
	fmt.Fprintf(opts.IO.Out, "wrote %s\n", target)
	if opts.ConfigOnly {
		fmt.Fprintf(opts.IO.Out, "cookie secret: not generated yet (`streamsec up --stack %s` generates it)\n", opts.Stack)
		return nil
	}

	eng, err := opts.Engine.Open(opts.Factory, opts.Stack, nil)
	if err != nil {
		_ = os.Remove(target)
		return engine.CommandError(fmt.Errorf("%w (removed %s again; use --config-only to write only the file)", err, target))
	}
	defer eng.Close()
	if _, err := eng.EnsureCookieSecret(ctx); err != nil {
		// Leave nothing half-made: no file, no stack.
		_ = eng.RemoveStack(context.Background())
		_ = os.Remove(target)
		return engine.CommandError(err)
	}
	fmt.Fprintf(opts.IO.Out, "created stack %s in %s with a generated cookie secret (encrypted in %s)\n", opts.Stack, eng.Backend(), target)
	return nil
}

// fromEnvironment reads an existing stack file (the project's, else the
// copy embedded in the binary) without what belongs to that stack alone:
// its secrets provider settings and its encrypted values.
func fromEnvironment(dir, from string) (*yaml.Node, error) {
	if err := engine.ValidStack(from); err != nil {
		return nil, cli.InputError(fmt.Errorf("--from: %w", err))
	}
	name := spec.StackFile(from)
	data, err := textfile.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		data, err = fs.ReadFile(streamsec.Stacks(), name)
	}
	if err != nil {
		return nil, cli.InputError(fmt.Errorf("--from %s: %s not found", from, filepath.Join(dir, name)))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, cli.InputError(fmt.Errorf("--from %s: %s is not valid YAML: %w", from, name, err))
	}
	root := rootMap(&doc)
	if root == nil {
		return nil, cli.InputError(fmt.Errorf("--from %s: %s is not a YAML mapping", from, name))
	}
	for _, k := range []string{"encryptionsalt", "secretsprovider", "encryptedkey"} {
		deleteKey(root, k)
	}
	cfg := configMap(root)
	for i := 0; i+1 < len(cfg.Content); {
		v := cfg.Content[i+1]
		if cfg.Content[i].Value == engine.CookieSecretKey || isSecure(v) {
			cfg.Content = append(cfg.Content[:i], cfg.Content[i+2:]...)
			continue
		}
		i += 2
	}
	doc.HeadComment = ""
	root.HeadComment = ""
	return &doc, nil
}

func emptyDoc() (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("config: {}\n"), &doc); err != nil {
		return nil, err
	}
	configMap(rootMap(&doc)).Style = 0
	return &doc, nil
}

type question struct{ key, prompt, def string }

// questions are asked on a terminal, with the defaults shown.
func questions() []question {
	return []question{
		{"appName", "App name (lowercase letters, digits, hyphens)", "dashboard"},
		{"namePrefix", "Name prefix for Azure resources (2-8 lowercase letters/digits)", ""},
		{"location", "Azure region", spec.Defaults().Location},
		{"domain", "Public domain (empty: use the Front Door endpoint)", ""},
		{"frontDoorSku", "Front Door tier (" + spec.FrontDoorStandard + " or " + spec.FrontDoorPremium + ")", spec.Defaults().FrontDoorSku},
		{"instanceCount", "App Service instances", "1"},
		{"authMode", "Sign-in before the WebSocket (" + spec.AuthNone + " or " + spec.AuthEntraID + ")", spec.AuthNone},
	}
}

// ask builds a stack file from answers on a terminal; keys given with
// --set are not asked.
func ask(ios *cli.IOStreams, sets []string) (*yaml.Node, error) {
	doc, err := emptyDoc()
	if err != nil {
		return nil, err
	}
	given := map[string]bool{}
	for _, kv := range sets {
		k, _, _ := strings.Cut(kv, "=")
		given[strings.TrimPrefix(strings.TrimSpace(k), spec.Namespace+":")] = true
	}
	in := bufio.NewReader(ios.In)
	var answers []string
	for _, q := range questions() {
		if given[q.key] {
			continue
		}
		if q.def != "" {
			fmt.Fprintf(ios.ErrOut, "%s [%s]: ", q.prompt, q.def)
		} else {
			fmt.Fprintf(ios.ErrOut, "%s: ", q.prompt)
		}
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, cli.InputError(fmt.Errorf("read answer: %w", err))
		}
		v := strings.TrimSpace(line)
		if v == "" {
			v = q.def
		}
		if v != "" {
			answers = append(answers, q.key+"="+v)
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if err := applySets(doc, answers); err != nil {
		return nil, cli.InputError(err)
	}
	return doc, nil
}

// applySets writes key=value pairs into the config mapping as strings,
// with the streamsec: namespace. Unknown keys are refused (all at once).
// streamsec:location also sets azure-native:location, the provider's
// default region.
func applySets(doc *yaml.Node, sets []string) error {
	known := map[string]string{}
	for _, k := range spec.Keys() {
		known[strings.ToLower(k)] = k
	}
	cfg := configMap(rootMap(doc))
	var errs []string
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimPrefix(strings.TrimSpace(k), spec.Namespace+":")
		key, isKey := known[strings.ToLower(k)]
		switch {
		case !ok || !isKey:
			errs = append(errs, fmt.Sprintf("--set %q: must be key=value with a key from: %s", kv, strings.Join(spec.Keys(), ", ")))
			continue
		case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
			errs = append(errs, fmt.Sprintf("--set %s: the value must be UTF-8 text without control characters", key))
			continue
		case key == "cookieSecret":
			errs = append(errs, "--set cookieSecret: not accepted on the command line (it would end up in shell history); init generates it into the encrypted config")
			continue
		}
		setKey(cfg, spec.Namespace+":"+key, v)
		if key == "location" {
			setKey(cfg, "azure-native:location", v)
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func rootMap(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		return doc.Content[0]
	}
	return nil
}

// configMap returns the "config" mapping, creating it if needed.
func configMap(root *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "config" {
			v := root.Content[i+1]
			if v.Kind != yaml.MappingNode {
				*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			return v
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "config"}, v)
	return v
}

func setKey(m *yaml.Node, key, value string) {
	// Quote values YAML would read as another type ("3", "3.10", "true").
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func isSecure(v *yaml.Node) bool {
	if v.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "secure" {
			return true
		}
	}
	return false
}

func encode(doc *yaml.Node) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode stack file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode stack file: %w", err)
	}
	return []byte(b.String()), nil
}

// validate loads the new file the way every command will, from a scratch
// folder, so a bad value never reaches stacks/.
func validate(stack string, data []byte) error {
	tmp, err := os.MkdirTemp("", "streamsec-init-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, spec.StackFile(stack)), data, 0o600); err != nil {
		return err
	}
	_, err = spec.Load(spec.LoadOptions{Stack: stack, Dir: tmp})
	if err != nil {
		// The error names the scratch file; name the real one.
		msg := strings.ReplaceAll(err.Error(), filepath.Join(tmp, spec.StackFile(stack)), "new "+spec.StackFile(stack))
		return errors.New(msg)
	}
	return nil
}

// writeNew writes data to path atomically and only if path does not exist:
// a temp file in the same folder, then a hard link (which fails if the
// target exists, unlike rename).
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".init-*.yaml")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
