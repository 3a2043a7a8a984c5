// Package engine drives the real Pulumi engine through the Automation API:
// preview, up, destroy and outputs of one streamsec environment, with the
// program run inline (the same program `pulumi up` runs from stacks/), the
// policy packs attached, the state in a file backend under the project by
// default, and progress streamed as plain text a pipeline log can show.
package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/streamsec/streamsec/internal/textfile"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

// PulumiVersion is the CLI version the project pins (scripts/get-pulumi.sh).
const PulumiVersion = "v3.274.1"

// DefaultStateDir is where the file backend keeps state, relative to the
// project (gitignored).
const DefaultStateDir = ".streamsec/state"

// Options say which environment to drive and how.
type Options struct {
	// ProjectDir holds Pulumi.yaml and the stacks/ folder (stackConfigDir).
	ProjectDir string
	// Stack is the environment (Pulumi stack) name.
	Stack string
	// Backend is a Pulumi backend URL (file://, azblob://, https://...).
	// Empty means file://<ProjectDir>/.streamsec/state.
	Backend string
	// PulumiPath is the pulumi binary; empty means $STREAMSEC_PULUMI, then
	// PATH, then the cache folder scripts/get-pulumi.sh builds into.
	PulumiPath string
	// Getenv reads the environment (passphrase, cache locations).
	Getenv func(string) string
	// Program is the inline Pulumi program; nil for operations that do not
	// run it (outputs, destroy).
	Program pulumi.RunFunc
	// LockWait is how long an update waits for another run's lock to go
	// before it gives up (0: it fails at once, naming the holder).
	LockWait time.Duration
}

// Engine is one environment opened for engine operations.
type Engine struct {
	opts    Options
	project string
	backend string
	cmd     *cliCommand
	// root is the file backend's folder (holding .pulumi), "" for other
	// backends.
	root string
}

// Open checks the prerequisites (the stack file, a passphrase for
// self-managed backends, the pulumi CLI) and prepares the engine. Problems
// with the caller's setup come back as *SetupError.
func Open(opts Options) (*Engine, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.ProjectDir == "" {
		opts.ProjectDir = "."
	}
	abs, err := filepath.Abs(opts.ProjectDir)
	if err != nil {
		return nil, fmt.Errorf("project dir %s: %w", opts.ProjectDir, err)
	}
	opts.ProjectDir = abs
	project, err := projectName(filepath.Join(abs, "Pulumi.yaml"))
	if err != nil {
		return nil, &SetupError{fmt.Errorf("--project-dir %s: %w (run from the repository root or pass --project-dir)", abs, err)}
	}
	backend, err := ResolveBackend(abs, opts.Backend)
	if err != nil {
		return nil, &SetupError{err}
	}
	if NeedsPassphrase(backend) && opts.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && opts.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		return nil, &SetupError{errors.New("the state backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (from your pipeline's secret store)")}
	}
	bin, err := findPulumi(opts)
	if err != nil {
		return nil, &SetupError{err}
	}
	cmd, err := newCLICommand(context.Background(), bin, cacheDir(opts.Getenv))
	if err != nil {
		return nil, &SetupError{err}
	}
	e := &Engine{opts: opts, project: project, backend: backend, cmd: cmd, root: fileRoot(backend)}
	if e.root != "" {
		cmd.locks = newStackLocks(e.root, project, opts.Stack)
	}
	return e, nil
}

// fileRoot is the folder of a file:// backend, "" for other backends.
func fileRoot(backend string) string {
	p, ok := strings.CutPrefix(backend, "file://")
	if !ok {
		return ""
	}
	if p == "" || p == "~" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		return home
	}
	return filepath.FromSlash(p)
}

// cacheDir is streamsec's cache folder: $STREAMSEC_CACHE, else
// $XDG_CACHE_HOME/streamsec, else ~/.cache/streamsec.
func cacheDir(getenv func(string) string) string {
	if c := getenv("STREAMSEC_CACHE"); c != "" {
		return c
	}
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "streamsec")
}

// projectName reads the project's name from Pulumi.yaml.
func projectName(path string) (string, error) {
	data, err := textfile.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no readable Pulumi.yaml: %w", err)
	}
	var p struct {
		Name string `yaml:"name"`
	}
	if err := yaml.Unmarshal(data, &p); err != nil || p.Name == "" {
		return "", fmt.Errorf("%s: not a Pulumi project file (no name)", path)
	}
	return p.Name, nil
}

// Close releases what Open prepared (nothing outlives a run today; kept so
// callers need not change when that does).
func (e *Engine) Close() {}

// Backend is the resolved backend URL.
func (e *Engine) Backend() string { return e.backend }

// SetupError is a problem with the caller's setup (missing passphrase,
// missing CLI, bad backend URL): a usage error, exit 2.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// ResolveBackend returns the backend URL: the given one (validated) or the
// default file backend under the project.
func ResolveBackend(projectDir, backend string) (string, error) {
	if backend == "" {
		dir := filepath.Join(projectDir, filepath.FromSlash(DefaultStateDir))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("create state folder %s: %w", dir, err)
		}
		return "file://" + filepath.ToSlash(dir), nil
	}
	u, err := url.Parse(backend)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("--backend %q: must be a URL such as file:///path, azblob://container or https://api.pulumi.com", backend)
	}
	switch u.Scheme {
	case "file", "azblob", "s3", "gs", "https", "http", "postgres":
	default:
		return "", fmt.Errorf("--backend %q: scheme %q is not a Pulumi backend (file, azblob, https for Pulumi Cloud)", backend, u.Scheme)
	}
	if u.Scheme == "file" {
		p := strings.TrimPrefix(backend, "file://")
		if p == "" || p == "~" {
			return backend, nil
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(projectDir, p)
		}
		if err := os.MkdirAll(p, 0o700); err != nil {
			return "", fmt.Errorf("create state folder %s: %w", p, err)
		}
		return "file://" + filepath.ToSlash(p), nil
	}
	return backend, nil
}

// NeedsPassphrase reports whether the backend keeps secrets with the
// passphrase provider (self-managed backends), as opposed to Pulumi Cloud.
func NeedsPassphrase(backend string) bool {
	return !(strings.HasPrefix(backend, "https://") || strings.HasPrefix(backend, "http://"))
}

// findPulumi locates the pulumi binary.
func findPulumi(opts Options) (string, error) {
	if opts.PulumiPath != "" {
		return checkExec(opts.PulumiPath)
	}
	if p := opts.Getenv("STREAMSEC_PULUMI"); p != "" {
		return checkExec(p)
	}
	if p, err := exec.LookPath("pulumi"); err == nil {
		return p, nil
	}
	p := filepath.Join(cacheDir(opts.Getenv), "pulumi", PulumiVersion, "pulumi")
	if _, err := checkExec(p); err == nil {
		return p, nil
	}
	return "", errors.New("the pulumi CLI was not found: install it (https://www.pulumi.com/docs/install/), or run scripts/get-pulumi.sh where the installer cannot run, or set STREAMSEC_PULUMI to its path")
}

func checkExec(p string) (string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("pulumi CLI %s: %w", p, err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("pulumi CLI %s: not an executable file", p)
	}
	return p, nil
}

// workspace opens the project's workspace with the engine's CLI (see
// stackWorkspace for what it changes).
func (e *Engine) workspace(ctx context.Context, program pulumi.RunFunc) (*stackWorkspace, error) {
	if program == nil {
		program = func(*pulumi.Context) error { return nil }
	}
	ws, err := auto.NewLocalWorkspace(ctx,
		// The project's own Pulumi.yaml (stackConfigDir: stacks) is read,
		// never rewritten, because WorkDir holds one.
		auto.WorkDir(e.opts.ProjectDir),
		auto.Program(program),
		auto.Pulumi(e.cmd),
		auto.EnvVars(map[string]string{
			"PULUMI_BACKEND_URL":       e.backend,
			"PULUMI_SKIP_UPDATE_CHECK": "true",
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("open the workspace of %s: %w", e.opts.ProjectDir, err)
	}
	return &stackWorkspace{Workspace: ws}, nil
}

// Stack opens the stack, creating it in the backend when it has none of
// that name. The stack is named on each CLI command (--stack), never
// selected: selecting costs a CLI process and writes the workspace's
// "current stack" that parallel runs would race on.
func (e *Engine) Stack(ctx context.Context) (auto.Stack, *stackWorkspace, error) {
	ws, err := e.workspace(ctx, e.opts.Program)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	exists, err := e.stackExists(ctx, ws)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	if !exists {
		if _, err := e.createStack(ctx); err != nil {
			return auto.Stack{}, nil, err
		}
	}
	st, err := auto.SelectStack(ctx, e.opts.Stack, ws)
	return st, ws, err
}

// ExistingStack opens the stack, failing with ErrNoStack when the backend
// has none of that name.
func (e *Engine) ExistingStack(ctx context.Context) (auto.Stack, *stackWorkspace, error) {
	ws, err := e.workspace(ctx, e.opts.Program)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	exists, err := e.stackExists(ctx, ws)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	if !exists {
		return auto.Stack{}, nil, fmt.Errorf("%w: %s in %s", ErrNoStack, e.opts.Stack, e.backend)
	}
	st, err := auto.SelectStack(ctx, e.opts.Stack, ws)
	return st, ws, err
}

// stackExists asks the file backend's folder, or else the CLI.
func (e *Engine) stackExists(ctx context.Context, ws *stackWorkspace) (bool, error) {
	if e.root != "" {
		_, err := e.checkpointPath()
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	err := ws.Workspace.SelectStack(ctx, e.opts.Stack)
	if err == nil {
		return true, nil
	}
	if auto.IsSelectStack404Error(err) || strings.Contains(err.Error(), "no stack named") {
		return false, nil
	}
	return false, fmt.Errorf("select stack %s: %w", e.opts.Stack, summarize(err))
}

// createStack runs `pulumi stack init`; created is false when another run
// created it first (two first runs of a new stack at once).
func (e *Engine) createStack(ctx context.Context) (created bool, err error) {
	_, _, err = e.run(ctx, nil, "stack", "init", "--no-select", e.opts.Stack)
	if err == nil {
		return true, nil
	}
	if strings.Contains(err.Error(), "already exists") {
		return false, nil
	}
	return false, fmt.Errorf("create stack %s: %w", e.opts.Stack, err)
}

// checkpointPath is the file backend's state file of the stack.
func (e *Engine) checkpointPath() (string, error) {
	base := filepath.Join(e.root, ".pulumi", "stacks", e.project, e.opts.Stack)
	for _, p := range []string{base + ".json", base + ".json.gz"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("stack %s: %w", e.opts.Stack, err)
		}
	}
	return "", fmt.Errorf("stack %s: %w", e.opts.Stack, os.ErrNotExist)
}

// ErrNoStack: the backend holds no stack of that name.
var ErrNoStack = errors.New("no such stack")

// run executes a pulumi CLI command in the project with the engine's
// environment; stdin feeds values that must not appear in argv.
func (e *Engine) run(ctx context.Context, stdin io.Reader, args ...string) (string, string, error) {
	env := []string{"PULUMI_BACKEND_URL=" + e.backend, "PULUMI_SKIP_UPDATE_CHECK=true"}
	stdout, stderr, code, err := e.cmd.Run(ctx, e.opts.ProjectDir, stdin, nil, nil, env, args...)
	if err != nil && code < 0 {
		return stdout, stderr, fmt.Errorf("pulumi %s: %w", args[0], err)
	}
	if err != nil {
		return stdout, stderr, fmt.Errorf("pulumi %s: exit %d: %w: %s", args[0], code, err, strings.TrimSpace(stderr))
	}
	return stdout, stderr, nil
}
