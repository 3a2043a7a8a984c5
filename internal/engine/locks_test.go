package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// deadPid returns the id of a process that has ended.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no `true` to start:", err)
	}
	return cmd.Process.Pid
}

func writeLock(t *testing.T, s *stackLocks, name string, l Lock) string {
	t.Helper()
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(l)
	p := filepath.Join(s.dir, name+".json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSettleClearsOnlyStaleLocksOfThisTool(t *testing.T) {
	dead := deadPid(t)
	cases := []struct {
		name       string
		lock       func(s *stackLocks) Lock
		record     bool // a streamsec run record for the lock's pid
		wantClear  bool
		wantInErr  []string
		wantLogged string
	}{
		{"ours, process gone", func(s *stackLocks) Lock {
			return Lock{Pid: dead, Username: "ci", Hostname: s.host, Timestamp: time.Now()}
		}, true, true, nil, "cleared a stale lock"},
		{"ours, process alive", func(s *stackLocks) Lock {
			return Lock{Pid: os.Getpid(), Username: "ci", Hostname: s.host, Timestamp: time.Now()}
		}, true, false, []string{"locked by another run", "ci@"}, ""},
		{"plain pulumi run, process gone", func(s *stackLocks) Lock {
			return Lock{Pid: dead, Username: "bob", Hostname: s.host, Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		}, false, false, []string{"bob@", "since 2026-01-02T03:04:05Z", "not from a streamsec run", "never runs `pulumi cancel`"}, ""},
		{"other host", func(s *stackLocks) Lock {
			return Lock{Pid: dead, Username: "ann", Hostname: "elsewhere", Timestamp: time.Now()}
		}, true, false, []string{"ann@elsewhere"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStackLocks(t.TempDir(), "streamsec", "dev")
			l := c.lock(s)
			p := writeLock(t, s, "3f1c", l)
			if c.record {
				if err := os.MkdirAll(s.runs, 0o755); err != nil {
					t.Fatal(err)
				}
				rec, _ := json.Marshal(runRecord{Tool: "streamsec", Pid: dead, PulumiPid: l.Pid, Hostname: l.Hostname, Command: "up --yes"})
				if err := os.WriteFile(filepath.Join(s.runs, l.Hostname+"-"+strconv.Itoa(l.Pid)+".json"), rec, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var log bytes.Buffer
			err := s.settle(context.Background(), 0, &log)
			_, statErr := os.Stat(p)
			if cleared := os.IsNotExist(statErr); cleared != c.wantClear {
				t.Errorf("lock cleared %v, want %v", cleared, c.wantClear)
			}
			if c.wantClear {
				if err != nil {
					t.Errorf("settle: %v", err)
				}
				if !strings.Contains(log.String(), c.wantLogged) {
					t.Errorf("log %q lacks %q", log.String(), c.wantLogged)
				}
				return
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("error %v, want ErrLocked", err)
			}
			for _, w := range c.wantInErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestSettleWaitsForTheLockToGo(t *testing.T) {
	s := newStackLocks(t.TempDir(), "streamsec", "dev")
	p := writeLock(t, s, "a", Lock{Pid: os.Getpid(), Username: "ci", Hostname: s.host, Timestamp: time.Now()})
	go func() {
		time.Sleep(1500 * time.Millisecond)
		os.Remove(p)
	}()
	var log bytes.Buffer
	if err := s.settle(context.Background(), time.Minute, &log); err != nil {
		t.Fatalf("settle: %v", err)
	}
	if !strings.Contains(log.String(), "waiting up to 1m0s for the lock of stack dev") {
		t.Errorf("no waiting message: %q", log.String())
	}
	// A cancelled wait ends at once.
	writeLock(t, s, "b", Lock{Pid: os.Getpid(), Username: "ci", Hostname: s.host, Timestamp: time.Now()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.settle(ctx, time.Minute, &log); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestReleaseOwnTouchesNoOtherLock(t *testing.T) {
	s := newStackLocks(t.TempDir(), "streamsec", "dev")
	mine := writeLock(t, s, "mine", Lock{Pid: 4242, Hostname: s.host})
	theirs := writeLock(t, s, "theirs", Lock{Pid: 4343, Hostname: s.host})
	sameHostElsewhere := writeLock(t, s, "remote", Lock{Pid: 4242, Hostname: "other"})
	s.releaseOwn(4242)
	if _, err := os.Stat(mine); !os.IsNotExist(err) {
		t.Errorf("own lock left")
	}
	for _, p := range []string{theirs, sameHostElsewhere} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", filepath.Base(p))
		}
	}
}

func TestRecordAndForget(t *testing.T) {
	s := newStackLocks(t.TempDir(), "streamsec", "dev")
	r := s.record(777, []string{"pulumi", "up", "--yes", "--stack", "dev"})
	got, ok := s.readRecord(s.host, 777)
	if !ok || got.Pid != os.Getpid() || got.Command != "up --yes" {
		t.Fatalf("record %+v, %v", got, ok)
	}
	s.forget(r)
	if _, ok := s.readRecord(s.host, 777); ok {
		t.Errorf("record left after forget")
	}
}

func TestLocksInMessage(t *testing.T) {
	msg := "failed to run update: exit status 255\nstderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
		"  file:///tmp/p/.streamsec/state/.pulumi/locks/organization/streamsec/dev/88b0.json?no_tmp_dir=true: created by root@vm (pid 15183) at 2026-12-01T23:12:26Z\n"
	got := locksInMessage(msg)
	if len(got) != 1 {
		t.Fatalf("locks %+v", got)
	}
	l := got[0]
	if l.Pid != 15183 || l.Username != "root" || l.Hostname != "vm" || l.Path != "/tmp/p/.streamsec/state/.pulumi/locks/organization/streamsec/dev/88b0.json" ||
		!l.Timestamp.Equal(time.Date(2026, 12, 1, 23, 12, 26, 0, time.UTC)) {
		t.Errorf("lock %+v", l)
	}
	if got := locksInMessage("some other failure"); len(got) != 0 {
		t.Errorf("locks from an unrelated message: %+v", got)
	}
}

func TestAliveTreatsAZombieAsGone(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	// Not waited for yet: once it exits it is a zombie of this process.
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		t.Error("a zombie counts as alive")
	}
	_ = cmd.Wait()
	if !alive(os.Getpid()) {
		t.Error("this process counts as gone")
	}
}

// TestLockListRaceIsALock: the CLI failing to list the lock folder because
// another run's lock was being written there (the blob store's temporary
// file vanished under the listing) is that run's lock, named as such.
func TestLockListRaceIsALock(t *testing.T) {
	s := newStackLocks(t.TempDir(), "streamsec", "dev")
	writeLock(t, s, "ded5", Lock{Pid: os.Getpid(), Username: "ci", Hostname: s.host, Timestamp: time.Date(2026, 12, 2, 15, 48, 0, 0, time.UTC)})
	e := &Engine{opts: Options{Stack: "dev"}, cmd: &cliCommand{locks: s}}
	race := errors.New("failed to run update: exit status 1\ncode: 255\nstderr: error: could not list bucket: blob (code=NotFound): lstat " +
		s.dir + "/ded5.json.18ed7a8b9e926ce1.tmp: no such file or directory\n")
	if !strings.Contains(s.dir, "/.pulumi/locks/") {
		t.Fatalf("lock folder %s is not where the CLI keeps them", s.dir)
	}
	err := e.failure(context.Background(), nil, "up", race)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is locked by another run") || !strings.Contains(err.Error(), " since ") {
		t.Errorf("got %v, want the lock named", err)
	}
	// Another listing failure is the engine's, not a lock.
	other := errors.New("error: could not list bucket: blob (code=Unknown): permission denied")
	if err := e.failure(context.Background(), nil, "up", other); errors.Is(err, ErrLocked) {
		t.Errorf("%v taken for a lock", err)
	}
}
