package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// cliCommand runs the pulumi CLI for the Automation API (it implements
// auto.PulumiCommand). Unlike auto.NewPulumiCommand it does not start
// `pulumi version` on every run: the version is cached per CLI path and
// modification time. It also knows the process id of each CLI it starts,
// so the lock that CLI took can be recognised as ours afterwards, and it
// ties the CLI's life to ours (see startProcess).
type cliCommand struct {
	bin     string
	version semver.Version
	// grace is how long a cancelled CLI gets to stop cleanly (it finishes
	// the resource operations under way) before it is killed.
	grace time.Duration
	// locks is the file backend's lock folder of the stack, nil for other
	// backends: there the service owns the locks.
	locks *stackLocks
}

var _ auto.PulumiCommand = (*cliCommand)(nil)

// newCLICommand prepares the CLI at bin, reading its version from the
// cache folder (or running `pulumi version` once and caching it).
func newCLICommand(ctx context.Context, bin, cacheDir string) (*cliCommand, error) {
	v, err := cliVersion(ctx, bin, cacheDir)
	if err != nil {
		return nil, err
	}
	return &cliCommand{bin: bin, version: v, grace: 60 * time.Second}, nil
}

// cliVersion returns the CLI's version, cached in cacheDir under a key made
// of the binary's path, size and modification time: a replaced binary gets
// a new key.
func cliVersion(ctx context.Context, bin, cacheDir string) (semver.Version, error) {
	fi, err := os.Stat(bin)
	if err != nil {
		return semver.Version{}, fmt.Errorf("pulumi CLI %s: %w", bin, err)
	}
	abs, _ := filepath.Abs(bin)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%d", abs, fi.Size(), fi.ModTime().UnixNano())))
	cacheFile := filepath.Join(cacheDir, "pulumi-version", hex.EncodeToString(sum[:12]))
	if data, err := os.ReadFile(cacheFile); err == nil {
		if v, err := semver.ParseTolerant(strings.TrimSpace(string(data))); err == nil {
			return v, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.Env = append(os.Environ(), "PULUMI_SKIP_UPDATE_CHECK=true")
	out, err := cmd.Output()
	if err != nil {
		return semver.Version{}, fmt.Errorf("pulumi CLI %s: `pulumi version`: %w", bin, err)
	}
	text := strings.TrimSpace(string(out))
	v, err := semver.ParseTolerant(text)
	if err != nil {
		return semver.Version{}, fmt.Errorf("pulumi CLI %s: version %q: %w", bin, text, err)
	}
	// A cache that cannot be written only costs the next run one process.
	if err := os.MkdirAll(filepath.Dir(cacheFile), 0o755); err == nil {
		tmp := fmt.Sprintf("%s.%d.tmp", cacheFile, os.Getpid())
		if os.WriteFile(tmp, []byte(v.String()+"\n"), 0o644) == nil {
			_ = os.Rename(tmp, cacheFile)
		}
	}
	return v, nil
}

// Version is the cached CLI version.
func (c *cliCommand) Version() semver.Version { return c.version }

// Run starts the CLI with args in workdir. A cancelled ctx interrupts it
// (SIGINT: the CLI cancels gracefully and releases its lock); one still
// running after the grace period is killed, and the lock it left, found by
// its process id, is removed. No other lock is ever touched.
func (c *cliCommand) Run(ctx context.Context, workdir string, stdin io.Reader, additionalOutput, additionalErrorOutput []io.Writer, additionalEnv []string, args ...string) (string, string, int, error) {
	args = nonInteractive(args)
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), additionalEnv...), "PULUMI_AUTOMATION_API=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(slices.Clone(additionalOutput), &stdout)...)
	cmd.Stderr = io.MultiWriter(append(slices.Clone(additionalErrorOutput), &stderr)...)
	cmd.Stdin = stdin
	err := c.runProcess(ctx, cmd)
	code := -2
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err == nil {
		code = 0
	}
	return stdout.String(), stderr.String(), code, err
}

// runProcess starts cmd on an OS thread of its own (the parent-death
// signal is tied to the thread that started the child), records the run
// next to the stack's locks, and waits.
func (c *cliCommand) runProcess(ctx context.Context, cmd *exec.Cmd) error {
	type result struct{ err error }
	done := make(chan result, 1)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the
		// child is gone, so the child never sees a false parent death.
		setProcAttr(cmd)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		done <- result{cmd.Wait()}
	}()
	if err := <-started; err != nil {
		return err
	}
	pid := cmd.Process.Pid
	var rec *runRecord
	if c.locks != nil {
		rec = c.locks.record(pid, cmd.Args)
	}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		_ = interrupt(cmd.Process)
		select {
		case res = <-done:
		case <-time.After(c.grace):
			_ = cmd.Process.Kill()
			res = <-done
		}
	}
	if c.locks != nil {
		// Gone either way: a lock it still holds is stale and ours.
		c.locks.releaseOwn(pid)
		c.locks.forget(rec)
	}
	return res.err
}

// nonInteractive adds --non-interactive (before a "--" separator): the CLI
// must fail rather than prompt.
func nonInteractive(args []string) []string {
	head, tail := args, []string(nil)
	if i := slices.Index(args, "--"); i >= 0 {
		head, tail = args[:i], args[i:]
	}
	if slices.Contains(head, "--non-interactive") {
		return args
	}
	out := append(slices.Clone(head), "--non-interactive")
	return append(out, tail...)
}
