package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeCLI writes a shell script standing in for the pulumi CLI: it logs
// each call to $FAKE_LOG; `version` prints a version; `hang` takes a lock
// file like the CLI does (its own pid and host), ignores SIGINT and sleeps.
func fakeCLI(t *testing.T) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "pulumi")
	log = filepath.Join(dir, "calls.log")
	script := `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1" in
version) echo v3.274.1 ;;
hang) trap '' INT; printf '{"pid":%d,"username":"ci","hostname":"%s","timestamp":"2026-01-01T00:00:00Z"}' $$ "$FAKE_HOST" > "$FAKE_LOCKDIR/own.json"; : > "$FAKE_LOCKDIR/own.json.attrs"; exec sleep 30 ;;
fail) echo "boom" >&2; exit 3 ;;
esac
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_LOG", log)
	return bin, log
}

func calls(t *testing.T, log string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func TestCLIVersionIsCachedPerBinary(t *testing.T) {
	bin, log := fakeCLI(t)
	cache := t.TempDir()
	for i := 0; i < 2; i++ {
		c, err := newCLICommand(context.Background(), bin, cache)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Version().String(); got != "3.274.1" {
			t.Errorf("version %s", got)
		}
	}
	if got := calls(t, log); len(got) != 1 || got[0] != "version" {
		t.Errorf("calls %q, want one `version`", got)
	}
	// A replaced binary (new modification time) is asked again.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(bin, later, later); err != nil {
		t.Fatal(err)
	}
	if _, err := newCLICommand(context.Background(), bin, cache); err != nil {
		t.Fatal(err)
	}
	if got := calls(t, log); len(got) != 2 {
		t.Errorf("calls after replacing the binary %q, want a second `version`", got)
	}
}

func TestRunAddsNonInteractiveAndReportsExitCode(t *testing.T) {
	bin, log := fakeCLI(t)
	c := &cliCommand{bin: bin, grace: time.Second}
	_, stderr, code, err := c.Run(context.Background(), t.TempDir(), nil, nil, nil, nil, "fail", "--", "x")
	if err == nil || code != 3 || !strings.Contains(stderr, "boom") {
		t.Errorf("code %d, err %v, stderr %q", code, err, stderr)
	}
	if got := calls(t, log); len(got) != 1 || got[0] != "fail --non-interactive -- x" {
		t.Errorf("args %q", got)
	}
	if got := nonInteractive([]string{"up", "--non-interactive"}); !slices.Equal(got, []string{"up", "--non-interactive"}) {
		t.Errorf("doubled flag: %q", got)
	}
}

// A cancelled CLI that does not stop is killed after the grace period, and
// the lock it left (its pid, this host) is removed; another run's lock in
// the same folder stays.
func TestCancelRemovesOnlyTheKilledCLIsLock(t *testing.T) {
	bin, _ := fakeCLI(t)
	locks := newStackLocks(t.TempDir(), "streamsec", "dev")
	if err := os.MkdirAll(locks.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_LOCKDIR", locks.dir)
	t.Setenv("FAKE_HOST", locks.host)
	other := writeLock(t, locks, "other", Lock{Pid: os.Getpid(), Username: "ci", Hostname: locks.host, Timestamp: time.Now()})
	c := &cliCommand{bin: bin, grace: 300 * time.Millisecond, locks: locks}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the fake CLI holds its lock.
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(filepath.Join(locks.dir, "own.json")); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, _, _, err := c.Run(ctx, t.TempDir(), nil, nil, nil, nil, "hang")
	if err == nil {
		t.Fatal("a killed CLI reported success")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled CLI was not killed after the grace period (%s)", d)
	}
	for _, f := range []string{"own.json", "own.json.attrs"} {
		if _, err := os.Stat(filepath.Join(locks.dir, f)); !os.IsNotExist(err) {
			t.Errorf("the killed CLI's %s is still there", f)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another run's lock was removed: %v", err)
	}
	if entries, _ := os.ReadDir(locks.runs); len(entries) != 0 {
		t.Errorf("run records left: %v", entries)
	}
}
