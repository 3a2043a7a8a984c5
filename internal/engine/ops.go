package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/streamsec/streamsec/internal/textfile"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"gopkg.in/yaml.v3"
)

// RunOptions shape one engine operation.
type RunOptions struct {
	// PolicyPacks are pack paths (a folder with PulumiPolicy.yaml or a
	// prebuilt pack binary) passed as --policy-pack.
	PolicyPacks []string
	// Progress receives the engine's own progress output, as it happens.
	Progress io.Writer
	// Color is the CLI's --color: always, never, raw or auto.
	Color string
	// Diff shows property-level diffs.
	Diff bool
	// ExpectNoChanges fails the operation if anything would change.
	ExpectNoChanges bool
	// Message is the update message recorded in the history.
	Message string
}

// Violation is one policy violation the engine reported.
type Violation struct {
	PolicyPack       string `json:"policyPack"`
	Policy           string `json:"policy"`
	EnforcementLevel string `json:"enforcementLevel"`
	Severity         string `json:"severity,omitempty"`
	URN              string `json:"urn,omitempty"`
	Message          string `json:"message"`
}

// Mandatory reports whether the violation blocks the operation.
func (v Violation) Mandatory() bool { return v.EnforcementLevel == "mandatory" }

// Result is what an operation did.
type Result struct {
	// Changes counts resources by operation (create, update, same, delete...).
	Changes map[string]int `json:"changes"`
	// Violations the policy packs reported, mandatory or advisory.
	Violations []Violation `json:"violations"`
	// Outputs are the stack outputs after up (secrets masked).
	Outputs map[string]any `json:"outputs,omitempty"`
}

// NoChanges reports whether the operation left every resource as it was.
func (r *Result) NoChanges() bool {
	for op, n := range r.Changes {
		if op != "same" && n > 0 {
			return false
		}
	}
	return true
}

// Blocked reports whether a mandatory policy violation was seen.
func (r *Result) Blocked() bool {
	for _, v := range r.Violations {
		if v.Mandatory() {
			return true
		}
	}
	return false
}

// ErrBlocked is returned (wrapped) when a mandatory policy blocked the
// operation; the Result lists the violations.
var ErrBlocked = errors.New("blocked by policy")

// ErrCancelled is returned (wrapped) when the context was cancelled.
var ErrCancelled = errors.New("cancelled")

// Preview runs `pulumi preview` with the program and the packs. On a
// stack that exists that is the only CLI process it starts.
func (e *Engine) Preview(ctx context.Context, ro RunOptions) (*Result, error) {
	st, _, err := e.Stack(ctx)
	if err != nil {
		return nil, e.classify(ctx, err)
	}
	ec := newEventCollector()
	opts := []optpreview.Option{optpreview.EventStreams(ec.ch), optpreview.PolicyPacks(ro.PolicyPacks...)}
	if ro.Progress != nil {
		opts = append(opts, optpreview.ProgressStreams(ro.Progress), optpreview.ErrorProgressStreams(ro.Progress))
	}
	if ro.Color != "" {
		opts = append(opts, optpreview.Color(ro.Color))
	}
	if ro.Diff {
		opts = append(opts, optpreview.Diff())
	}
	if ro.ExpectNoChanges {
		opts = append(opts, optpreview.ExpectNoChanges())
	}
	res, err := st.Preview(ctx, opts...)
	out := &Result{Changes: map[string]int{}, Violations: ec.violations()}
	for op, n := range res.ChangeSummary {
		out.Changes[string(op)] = n
	}
	if err != nil {
		return out, e.failure(ctx, out, "preview", err)
	}
	return out, nil
}

// Up runs `pulumi up` with the program and the packs, after clearing a
// stale lock of ours and recovering what a killed run left (recover.go).
// The outputs come from the update's event stream; the CLI processes are
// the update and `stack history` (the summary).
func (e *Engine) Up(ctx context.Context, ro RunOptions) (*Result, error) {
	st, ws, err := e.Stack(ctx)
	if err != nil {
		return nil, e.classify(ctx, err)
	}
	if err := e.prepareUpdate(ctx, st, ro); err != nil {
		return nil, e.classify(ctx, err)
	}
	ec := newEventCollector()
	ws.events = ec
	opts := []optup.Option{optup.EventStreams(ec.ch), optup.PolicyPacks(ro.PolicyPacks...)}
	if ro.Progress != nil {
		opts = append(opts, optup.ProgressStreams(ro.Progress), optup.ErrorProgressStreams(ro.Progress))
	}
	if ro.Color != "" {
		opts = append(opts, optup.Color(ro.Color))
	}
	if ro.Diff {
		opts = append(opts, optup.Diff())
	}
	if ro.ExpectNoChanges {
		opts = append(opts, optup.ExpectNoChanges())
	}
	if ro.Message != "" {
		opts = append(opts, optup.Message(ro.Message))
	}
	res, err := st.Up(ctx, opts...)
	out := &Result{Changes: map[string]int{}, Violations: ec.violations()}
	if res.Summary.ResourceChanges != nil {
		out.Changes = *res.Summary.ResourceChanges
	}
	if err != nil {
		return out, e.failure(ctx, out, "up", err)
	}
	out.Outputs = plainOutputs(res.Outputs)
	return out, nil
}

// Destroy deletes every resource of the stack, pending creates of a killed
// run included; with remove it also deletes the stack and its config file.
func (e *Engine) Destroy(ctx context.Context, ro RunOptions, remove bool) (*Result, error) {
	st, _, err := e.ExistingStack(ctx)
	if err != nil {
		return nil, e.classify(ctx, err)
	}
	if err := e.prepareUpdate(ctx, st, ro); err != nil {
		return nil, e.classify(ctx, err)
	}
	opts := []optdestroy.Option{}
	if ro.Progress != nil {
		opts = append(opts, optdestroy.ProgressStreams(ro.Progress), optdestroy.ErrorProgressStreams(ro.Progress))
	}
	if ro.Color != "" {
		opts = append(opts, optdestroy.Color(ro.Color))
	}
	if ro.Message != "" {
		opts = append(opts, optdestroy.Message(ro.Message))
	}
	if remove {
		opts = append(opts, optdestroy.Remove())
	}
	res, err := st.Destroy(ctx, opts...)
	out := &Result{Changes: map[string]int{}}
	if res.Summary.ResourceChanges != nil {
		out.Changes = *res.Summary.ResourceChanges
	}
	if err != nil {
		return out, e.failure(ctx, out, "destroy", err)
	}
	if remove {
		// `pulumi stack rm` deletes the config file; make sure of it, since
		// a leftover file would stop the next `init` of the same name.
		if err := os.Remove(e.StackFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("remove %s: %w", e.StackFile(), err)
		}
		if err := e.purgeLeftovers(); err != nil {
			return out, fmt.Errorf("remove the state backups of %s: %w", e.opts.Stack, err)
		}
	}
	return out, nil
}

// prepareUpdate runs before an operation that locks the stack: stale locks
// of this tool are cleared, another run's lock is waited for (LockWait) or
// reported, and pending operations of a killed run are resolved.
func (e *Engine) prepareUpdate(ctx context.Context, st auto.Stack, ro RunOptions) error {
	log := ro.Progress
	if log == nil {
		log = io.Discard
	}
	if e.cmd.locks != nil {
		if err := e.cmd.locks.settle(ctx, e.opts.LockWait, log); err != nil {
			return err
		}
	}
	return e.recoverPending(ctx, st, ro, log)
}

// Outputs returns the stack's outputs, secrets masked.
func (e *Engine) Outputs(ctx context.Context) (map[string]any, error) {
	st, _, err := e.ExistingStack(ctx)
	if err != nil {
		return nil, e.classify(ctx, err)
	}
	outs, err := st.Outputs(ctx)
	if err != nil {
		return nil, e.classify(ctx, fmt.Errorf("stack outputs: %w", err))
	}
	return plainOutputs(outs), nil
}

// StackOutput reads one plain output of the stack's latest state. On a
// file backend it comes from the checkpoint, with no CLI process (issue 11:
// a preview of a deployed stack starts exactly one); a secret output is
// encrypted there, so it, and every other backend, goes through Outputs.
// A stack that does not exist is ErrNoStack; a missing output is nil.
func (e *Engine) StackOutput(ctx context.Context, name string) (any, error) {
	if e.root == "" {
		return e.outputOf(ctx, name)
	}
	if _, err := e.checkpointPath(); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s in %s", ErrNoStack, e.opts.Stack, e.backend)
	}
	dep, err := e.deployment(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range dep.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			continue
		}
		v := r.Outputs[name]
		if m, ok := v.(map[string]any); ok && m[secretSignature] != nil {
			return e.outputOf(ctx, name)
		}
		return v, nil
	}
	return nil, nil
}

// secretSignature marks an encrypted value in Pulumi's state.
const secretSignature = "4dabf18193072939515e22adb298388d"

func (e *Engine) outputOf(ctx context.Context, name string) (any, error) {
	outs, err := e.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	return outs[name], nil
}

// Export returns `pulumi stack export` of the stack (secrets stay
// encrypted, as the CLI prints them).
func (e *Engine) Export(ctx context.Context) ([]byte, error) {
	stdout, _, err := e.run(ctx, nil, "stack", "export", "--stack", e.opts.Stack)
	if err != nil {
		if strings.Contains(err.Error(), "no stack named") {
			return nil, fmt.Errorf("%w: %s in %s", ErrNoStack, e.opts.Stack, e.backend)
		}
		return nil, e.classify(ctx, err)
	}
	return []byte(stdout), nil
}

// RemoveStack deletes an empty stack from the backend and its config file.
func (e *Engine) RemoveStack(ctx context.Context) error {
	if _, _, err := e.run(ctx, nil, "stack", "rm", "--yes", "--stack", e.opts.Stack); err != nil {
		if !strings.Contains(err.Error(), "no stack named") {
			return e.classify(ctx, err)
		}
	}
	if err := os.Remove(e.StackFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", e.StackFile(), err)
	}
	return e.purgeLeftovers()
}

func plainOutputs(m auto.OutputMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v.Secret {
			out[k] = "[secret]"
			continue
		}
		out[k] = v.Value
	}
	return out
}

// StackFile is the environment's config file.
func (e *Engine) StackFile() string {
	return filepath.Join(e.opts.ProjectDir, "stacks", "Pulumi."+e.opts.Stack+".yaml")
}

// CookieSecretKey is the config key of Streamlit's cookie secret.
const CookieSecretKey = "streamsec:cookieSecret"

// EnsureCookieSecret makes sure the stack's config holds the cookie secret,
// generating 32 random bytes (hex) into the encrypted config when it is
// missing. An existing value is never replaced. The value goes to the CLI
// on stdin, so it never shows in a process list, a log or an error. Runs of
// the same project take turns here (a file lock), so two first runs of a
// new stack never write two secrets.
func (e *Engine) EnsureCookieSecret(ctx context.Context) (created bool, err error) {
	has, err := fileHasKey(e.StackFile(), CookieSecretKey)
	if err != nil || has {
		return false, err
	}
	unlock, err := lockFile(ctx, filepath.Join(e.opts.ProjectDir, ".streamsec", "locks", e.opts.Stack+".secret.lock"))
	if err != nil {
		return false, fmt.Errorf("stack %s: %w", e.opts.Stack, err)
	}
	defer unlock()
	// Another run may have written it while this one waited.
	if has, err := fileHasKey(e.StackFile(), CookieSecretKey); err != nil || has {
		return false, err
	}
	ws, err := e.workspace(ctx, nil)
	if err != nil {
		return false, err
	}
	exists, err := e.stackExists(ctx, ws)
	if err != nil {
		return false, e.classify(ctx, err)
	}
	fresh := false
	if !exists {
		// The stack must exist first: it holds the encryption salt.
		if fresh, err = e.createStack(ctx); err != nil {
			return false, e.classify(ctx, err)
		}
	}
	if !fresh {
		// A deployed stack whose file lacks the secret was deployed from a
		// file that is not this one (a pipeline that never committed it): a
		// new secret would replace the one every instance shares and sign
		// every user out, on every run. Refuse rather than rotate silently.
		deployed, err := e.deployedResources(ctx)
		if err != nil {
			return false, err
		}
		if deployed > 0 {
			return false, &SetupError{Err: fmt.Errorf("stack %s is deployed (%d resources) but %s has no %s: generating a new one would replace the secret all instances share; commit the stack file that holds the encrypted secret, or set it with `pulumi config set --secret %s --stack %s`", e.opts.Stack, deployed, e.StackFile(), CookieSecretKey, CookieSecretKey, e.opts.Stack)}
		}
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return false, fmt.Errorf("generate cookie secret: %w", err)
	}
	secret := hex.EncodeToString(buf)
	if _, _, err := e.run(ctx, strings.NewReader(secret), "config", "set", "--secret", "--stack", e.opts.Stack, CookieSecretKey); err != nil {
		return false, e.classify(ctx, fmt.Errorf("store the cookie secret in the stack config: %w", err))
	}
	return true, nil
}

// deployedResources counts the resources in the stack's state, the root
// stack and provider resources aside.
func (e *Engine) deployedResources(ctx context.Context) (int, error) {
	dep, err := e.deployment(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range dep.Resources {
		if r.Type != stackType && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			n++
		}
	}
	return n, nil
}

// fileHasKey reports whether a stack file's config holds key.
func fileHasKey(path, key string) (bool, error) {
	data, err := textfile.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	var f struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return false, fmt.Errorf("%s: not valid YAML: %w", path, err)
	}
	_, ok := f.Config[key]
	return ok, nil
}

// failure turns an operation error into the error the caller returns:
// cancellation, a policy block, another run's lock, or the engine's
// failure. A cancelled CLI released its lock itself, or cliCommand removed
// the one it left; no other lock is touched.
func (e *Engine) failure(ctx context.Context, res *Result, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", op, e.opts.Stack, ErrCancelled)
	}
	if res != nil && res.Blocked() {
		return fmt.Errorf("%s %s: %w", op, e.opts.Stack, ErrBlocked)
	}
	if auto.IsConcurrentUpdateError(err) || strings.Contains(err.Error(), "the stack is currently locked") || lockListRace(err) {
		var locks []Lock
		if e.cmd.locks != nil {
			locks, _ = e.cmd.locks.list()
		}
		if len(locks) == 0 {
			// Released meanwhile: the CLI's refusal still names it.
			locks = locksInMessage(err.Error())
		}
		if len(locks) > 0 {
			return fmt.Errorf("%s %s: %w", op, e.opts.Stack, &LockedError{Stack: e.opts.Stack, Locks: locks})
		}
		return fmt.Errorf("%s %s: another run holds the stack's lock; wait for it to end: %w", op, e.opts.Stack, summarize(err))
	}
	return fmt.Errorf("%s %s: %w", op, e.opts.Stack, summarize(err))
}

func (e *Engine) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", e.opts.Stack, ErrCancelled)
	}
	return err
}

// lockListRace: the CLI listed the stack's lock folder while another run
// was writing its lock there. The file backend's blob store (gocloud.dev
// fileblob) writes "<lock>.json.<random>.tmp" and renames it; a listing
// that meets the temporary name and then misses it fails with "could not
// list bucket: ... lstat .../.pulumi/locks/....tmp: no such file or
// directory" (seen in CI, TestTwoFirstUpsOfANewStack). It means what a
// lock means: another run is taking the stack.
func lockListRace(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "could not list bucket") && strings.Contains(msg, "/.pulumi/locks/") && strings.Contains(msg, ".tmp")
}

// summarize shortens an Automation API error (which embeds the whole
// stdout and stderr of the CLI, already streamed to the progress writer)
// to its first line.
func summarize(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	return errors.New(strings.TrimSpace(msg))
}

// Changes formats a change summary as "create 3, same 2".
func Changes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "no resources"
	}
	return strings.Join(parts, ", ")
}

// PolicyViolationsText is for the summary line.
func PolicyViolationsText(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  [%s] %s/%s", v.EnforcementLevel, v.PolicyPack, v.Policy)
		if v.URN != "" {
			fmt.Fprintf(&b, " on %s", v.URN)
		}
		fmt.Fprintf(&b, ": %s\n", firstLine(v.Message))
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.Index(s, "\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// purgeLeftovers removes what the file backend keeps of a removed stack
// (checkpoint backups, history, the .bak copy, an empty lock folder), so a
// short-lived environment leaves nothing behind, not even old encrypted
// checkpoints. Other backends manage their own retention.
func (e *Engine) purgeLeftovers() error {
	root, ok := strings.CutPrefix(e.backend, "file://")
	if !ok {
		return nil
	}
	state := filepath.Join(filepath.FromSlash(root), ".pulumi")
	project := e.project
	stackJSON := filepath.Join(state, "stacks", project, e.opts.Stack+".json")
	if _, err := os.Stat(stackJSON); err == nil {
		return nil // the stack still exists
	}
	var errs []error
	for _, p := range []string{
		filepath.Join(state, "backups", project, e.opts.Stack),
		filepath.Join(state, "history", project, e.opts.Stack),
		filepath.Join(state, "streamsec-runs", project, e.opts.Stack),
	} {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	for _, suffix := range []string{".json.bak", ".json.bak.attrs", ".json.attrs", ".json.gz.bak", ".json.gz.bak.attrs"} {
		if err := os.Remove(filepath.Join(state, "stacks", project, e.opts.Stack+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// Only an empty lock folder: a lock file would mean an update runs.
	_ = os.Remove(filepath.Join(state, "locks", "organization", project, e.opts.Stack))
	return errors.Join(errs...)
}
