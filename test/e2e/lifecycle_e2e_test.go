//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests here drive runs that overlap, get interrupted or killed, the
// way pipelines treat jobs (issue 11): locks, recovery, orphans and the
// number of CLI processes per command.

// bg is a streamsec run in the background whose output is watched.
type bg struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	seen chan string // each line, for waitFor
	done chan struct{}
	err  error
}

func (p *project) start(extra []string, args ...string) *bg {
	p.t.Helper()
	cmd := exec.Command(setup.streamsec, args...)
	cmd.Dir = p.dir
	cmd.Env = append(append([]string{}, p.env...), extra...)
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	b := &bg{t: p.t, cmd: cmd, seen: make(chan string, 10000), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			b.mu.Lock()
			b.out.WriteString(sc.Text() + "\n")
			b.mu.Unlock()
			select {
			case b.seen <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		b.err = cmd.Wait()
		pw.Close()
		close(b.done)
	}()
	p.t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			_ = cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// waitFor returns once a line contains one of subs.
func (b *bg) waitFor(timeout time.Duration, subs ...string) {
	b.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line := <-b.seen:
			for _, s := range subs {
				if strings.Contains(line, s) {
					return
				}
			}
		case <-b.done:
			b.t.Fatalf("run ended before printing %q:\n%s", subs, tail(b.output(), 60))
		case <-deadline:
			b.t.Fatalf("no %q within %s:\n%s", subs, timeout, tail(b.output(), 60))
		}
	}
}

func (b *bg) wait(timeout time.Duration) int {
	b.t.Helper()
	select {
	case <-b.done:
	case <-time.After(timeout):
		b.t.Fatalf("run did not end within %s:\n%s", timeout, tail(b.output(), 60))
	}
	if ee, ok := b.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if b.err != nil {
		return -1
	}
	return 0
}

func (b *bg) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

func (p *project) lockDir(stack string) string {
	return filepath.Join(p.dir, ".streamsec", "state", ".pulumi", "locks", "organization", "streamsec", stack)
}

func (p *project) lockFiles(stack string) []string {
	entries, _ := os.ReadDir(p.lockDir(stack))
	var out []string
	for _, e := range entries {
		// The blob store's metadata sidecar goes with its lock file.
		if !strings.HasSuffix(e.Name(), ".attrs") {
			out = append(out, e.Name())
		}
	}
	return out
}

// lockLeftovers are all files in the lock folder, sidecars included.
func (p *project) lockLeftovers(stack string) []string {
	entries, _ := os.ReadDir(p.lockDir(stack))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// exportState returns the stack's resources and pending operations.
func (p *project) exportState(stack string) (resources []map[string]any, pending []map[string]any) {
	p.t.Helper()
	out, err := p.pulumiCLI("stack", "export", "--stack", stack)
	if err != nil {
		p.t.Fatal(err)
	}
	var doc struct {
		Deployment struct {
			Resources []map[string]any `json:"resources"`
			Pending   []map[string]any `json:"pending_operations"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		p.t.Fatalf("stack export: %v\n%s", err, out)
	}
	return doc.Deployment.Resources, doc.Deployment.Pending
}

// TestOverlappingRunsKeepTheRunningLock: while run A updates the stack, a
// run B that queues behind A's lock (--lock-wait) is interrupted, and a run
// C without --lock-wait is refused. Neither touches A's lock; A finishes
// and leaves a state without pending operations.
func TestOverlappingRunsKeepTheRunningLock(t *testing.T) {
	p := newProject(t)
	if out, code := p.run("preview", "--stack", "dev", "--color", "never"); code != 0 {
		t.Fatalf("preview: exit %d\n%s", code, tail(out, 40))
	}
	slow := []string{"STANDIN_CREATE_DELAY=700ms"}
	a := p.start(slow, "up", "--stack", "dev", "--color", "never", "--non-interactive")
	a.waitFor(3*time.Minute, "creating")
	locks := p.lockFiles("dev")
	if len(locks) != 1 {
		t.Fatalf("run A holds %d lock files, want 1: %v", len(locks), locks)
	}

	b := p.start(nil, "up", "--stack", "dev", "--color", "never", "--non-interactive", "--lock-wait", "10m")
	b.waitFor(time.Minute, "waiting up to 10m0s for the lock of stack dev")
	if err := b.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := b.wait(time.Minute); code == 0 {
		t.Errorf("interrupted queued run exited 0:\n%s", tail(b.output(), 30))
	}
	mustContain(t, b.output(), "CANCELLED")
	if got := p.lockFiles("dev"); len(got) != 1 || got[0] != locks[0] {
		t.Fatalf("after the queued run was interrupted the locks are %v, want A's %v", got, locks)
	}

	out, code := p.run("up", "--stack", "dev", "--color", "never", "--non-interactive")
	if code != 1 {
		t.Errorf("up while A runs: exit %d, want 1\n%s", code, tail(out, 30))
	}
	mustContain(t, out, "stack dev is locked by another run", " since ", "never runs `pulumi cancel`")
	if got := p.lockFiles("dev"); len(got) != 1 || got[0] != locks[0] {
		t.Fatalf("after the refused run the locks are %v, want A's %v", got, locks)
	}

	if code := a.wait(5 * time.Minute); code != 0 {
		t.Fatalf("run A: exit %d\n%s", code, tail(a.output(), 60))
	}
	if _, pending := p.exportState("dev"); len(pending) != 0 {
		t.Errorf("run A left %d pending operations", len(pending))
	}
	if got := p.lockLeftovers("dev"); len(got) != 0 {
		t.Errorf("lock files left after A: %v", got)
	}
}

// procs lists the processes whose executable is one of paths (the pack
// binaries and the stand-in provider this suite built: no one else runs
// those files), with their parent pids.
func procs(paths ...string) map[int]int {
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	out := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || !want[exe] {
			continue
		}
		out[pid] = ppidOf(pid)
	}
	return out
}

func ppidOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may hold spaces.
	s := string(data)
	i := strings.LastIndex(s, ")")
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// childPulumi finds the pulumi CLI streamsec pid started.
func childPulumi(pid int) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		c, err := strconv.Atoi(e.Name())
		if err != nil || ppidOf(c) != pid {
			continue
		}
		if exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); filepath.Base(exe) == "pulumi" {
			return c
		}
	}
	return 0
}

func pluginPaths() []string {
	return append(append([]string{}, setup.packs...), filepath.Join(setup.bin, "pulumi-resource-azure-native"))
}

// TestKilledUpIsRecoveredByTheNextRun SIGKILLs an up in the middle of its
// creates (streamsec, its pulumi CLI, or both). The policy packs and the
// provider end within seconds; the next up succeeds with no manual step
// (a stale lock of ours cleared, pending creates resolved), and destroy
// then leaves neither resources nor pending operations.
func TestKilledUpIsRecoveredByTheNextRun(t *testing.T) {
	cases := []struct {
		name                  string
		streamsec, pulumiProc bool
	}{
		{"both", true, true},
		{"pulumi", false, true},
		{"streamsec", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t)
			if out, code := p.run("preview", "--stack", "dev", "--color", "never"); code != 0 {
				t.Fatalf("preview: exit %d\n%s", code, tail(out, 40))
			}
			before := procs(pluginPaths()...)
			up := p.start([]string{"STANDIN_CREATE_DELAY=1s"}, "up", "--stack", "dev", "--color", "never", "--non-interactive")
			up.waitFor(3*time.Minute, "creating")
			time.Sleep(2 * time.Second) // some creates done, others under way
			cli := childPulumi(up.cmd.Process.Pid)
			if cli == 0 {
				t.Fatal("no pulumi CLI under streamsec")
			}
			var plugins []int
			for pid := range procs(pluginPaths()...) {
				if _, old := before[pid]; !old {
					plugins = append(plugins, pid)
				}
			}
			if len(plugins) < 2 {
				t.Fatalf("found %d pack/provider processes of this run, want the packs and the provider", len(plugins))
			}
			if c.pulumiProc {
				_ = syscall.Kill(cli, syscall.SIGKILL)
			}
			if c.streamsec {
				_ = up.cmd.Process.Kill()
			}
			up.wait(time.Minute)
			// No pack or provider outlives its engine by more than a few
			// seconds (the CLI, when only streamsec was killed, cancels
			// and ends first).
			deadline := time.Now().Add(20 * time.Second)
			for {
				left := 0
				now := procs(pluginPaths()...)
				for _, pid := range plugins {
					if _, ok := now[pid]; ok {
						left++
					}
				}
				if left == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d pack/provider process(es) still run 20s after the kill", left)
				}
				time.Sleep(250 * time.Millisecond)
			}
			// Wait for a surviving CLI (streamsec-only kill) to end.
			for i := 0; i < 120 && syscall.Kill(cli, 0) == nil && ppidOf(cli) != 0; i++ {
				if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", cli)); filepath.Base(exe) != "pulumi" {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
			_, pendingBefore := p.exportState("dev")
			t.Logf("the killed run left %d lock file(s) and %d pending operation(s)", len(p.lockFiles("dev")), len(pendingBefore))

			out, code := p.run("up", "--stack", "dev", "--color", "never", "--non-interactive")
			if code != 0 {
				t.Fatalf("up after the kill: exit %d\n%s", code, tail(out, 80))
			}
			if c.streamsec && c.pulumiProc {
				mustContain(t, out, "cleared a stale lock of stack dev: taken by a streamsec run")
			}
			if len(pendingBefore) > 0 {
				mustContain(t, out, "pending operation(s) left by an interrupted run", "resolved:")
			}
			res, pending := p.exportState("dev")
			if len(pending) != 0 {
				t.Errorf("after the recovering up: %d pending operations", len(pending))
			}
			// Every resource the program declares is in the state once.
			again, code := p.run("up", "--stack", "dev", "--color", "never", "--non-interactive", "--expect-no-changes")
			if code != 0 {
				t.Errorf("the state after recovery does not match the program: exit %d\n%s", code, tail(again, 40))
			}

			out, code = p.run("destroy", "--stack", "dev", "--yes", "--non-interactive", "--color", "never")
			if code != 0 {
				t.Fatalf("destroy: exit %d\n%s", code, tail(out, 60))
			}
			res, pending = p.exportState("dev")
			if len(res) != 0 || len(pending) != 0 {
				t.Errorf("after destroy: %d resources, %d pending operations", len(res), len(pending))
			}
			if got := p.lockLeftovers("dev"); len(got) != 0 {
				t.Errorf("lock files left: %v", got)
			}
		})
	}
}

// TestTwoFirstUpsOfANewStack: the loser gets a lock message naming the
// holder, not the Automation API's "stack already exists" dump, and only
// one cookie secret is generated.
func TestTwoFirstUpsOfANewStack(t *testing.T) {
	p := newProject(t)
	slow := []string{"STANDIN_CREATE_DELAY=300ms"}
	a := p.start(slow, "up", "--stack", "dev", "--color", "never", "--non-interactive")
	b := p.start(slow, "up", "--stack", "dev", "--color", "never", "--non-interactive")
	ca, cb := a.wait(5*time.Minute), b.wait(5*time.Minute)
	outs := a.output() + b.output()
	if (ca == 0) == (cb == 0) {
		t.Fatalf("exits %d and %d, want one success and one refusal\nA:\n%s\nB:\n%s", ca, cb, tail(a.output(), 30), tail(b.output(), 30))
	}
	loser := a.output()
	if ca == 0 {
		loser = b.output()
	}
	mustContain(t, loser, "is locked by another run", " since ")
	if strings.Contains(loser, "already exists") {
		t.Errorf("the loser shows the raw stack-exists error:\n%s", tail(loser, 30))
	}
	if n := strings.Count(outs, "generated streamsec:cookieSecret"); n != 1 {
		t.Errorf("%d cookie secrets generated, want 1", n)
	}
}

// TestEngineProcessCounts counts the pulumi CLI processes each command
// starts, through a wrapper that logs every start and runs the real CLI.
func TestEngineProcessCounts(t *testing.T) {
	p := newProject(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "starts.log")
	wrapper := filepath.Join(dir, "pulumi")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexec %q \"$@\"\n", log, setup.pulumi)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"STREAMSEC_PULUMI=" + wrapper, "STREAMSEC_CACHE=" + filepath.Join(dir, "cache")}
	counted := func(args ...string) []string {
		t.Helper()
		_ = os.Remove(log)
		out, code := p.runEnv(env, args...)
		if code != 0 {
			t.Fatalf("streamsec %s: exit %d\n%s", strings.Join(args, " "), code, tail(out, 60))
		}
		data, _ := os.ReadFile(log)
		return strings.Split(strings.TrimSpace(string(data)), "\n")
	}
	// The first command of a machine asks the CLI its version once.
	warm := counted("preview", "--stack", "prod", "--color", "never")
	if !strings.HasPrefix(warm[0], "version") {
		t.Errorf("first command's first CLI process %q, want `version` (then cached)", warm[0])
	}
	cases := []struct {
		what string
		args []string
		max  int
		min  int
	}{
		{"first up of a new stack", []string{"up", "--stack", "dev", "--color", "never"}, 4, 1},
		{"no-change up", []string{"up", "--stack", "dev", "--color", "never", "--expect-no-changes"}, 2, 1},
		{"preview of a deployed stack", []string{"preview", "--stack", "dev", "--color", "never"}, 1, 1},
	}
	for _, c := range cases {
		starts := counted(c.args...)
		t.Logf("%s: %d CLI process(es): %q", c.what, len(starts), starts)
		if len(starts) > c.max || len(starts) < c.min {
			t.Errorf("%s started %d CLI processes, want %d..%d: %q", c.what, len(starts), c.min, c.max, starts)
		}
		for _, s := range starts {
			if strings.HasPrefix(s, "version") || strings.HasPrefix(s, "stack select") || strings.HasPrefix(s, "stack output") || strings.HasPrefix(s, "cancel") {
				t.Errorf("%s ran `pulumi %s`", c.what, s)
			}
		}
	}
	// The outputs of the update came from its event stream, and match the
	// state's.
	out, code := p.runEnv(env, "up", "--stack", "dev", "--color", "never", "--format", "json")
	if code != 0 {
		t.Fatalf("up: exit %d\n%s", code, tail(out, 40))
	}
	js := out[strings.Index(out, "{\n  \"stack\""):]
	upOuts, _ := summary(t, js)["outputs"].(map[string]any)
	state, code := p.runEnv(env, "outputs", "--stack", "dev", "--format", "json")
	if code != 0 {
		t.Fatalf("outputs: exit %d\n%s", code, state)
	}
	var stateOuts map[string]any
	if err := json.Unmarshal([]byte(state), &stateOuts); err != nil {
		t.Fatal(err)
	}
	if len(upOuts) == 0 || fmt.Sprint(upOuts) != fmt.Sprint(stateOuts) {
		t.Errorf("up's outputs %v differ from the stack's %v", upOuts, stateOuts)
	}
}
