package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A file backend keeps one lock file per running update in
// .pulumi/locks/organization/<project>/<stack>/<uuid>.json, holding the
// pid, user and host of the CLI that took it and when
// (pkg/backend/diy/lock.go in Pulumi v3.274.1). The CLI refuses to run
// while any other lock file is there, and `pulumi cancel` deletes all of
// them, whoever holds them. streamsec therefore never runs `pulumi cancel`:
// it removes only a lock whose CLI it started itself, known by a run record
// it writes next to the locks (.pulumi/streamsec-runs/...) when it starts a
// CLI and deletes when that CLI has ended.

// Lock is one lock file of the stack.
type Lock struct {
	Path      string    `json:"-"`
	Pid       int       `json:"pid"`
	Username  string    `json:"username"`
	Hostname  string    `json:"hostname"`
	Timestamp time.Time `json:"timestamp"`
}

// Holder says who holds the lock and since when.
func (l Lock) Holder() string {
	return fmt.Sprintf("%s@%s (pid %d) since %s", l.Username, l.Hostname, l.Pid, l.Timestamp.UTC().Format(time.RFC3339))
}

// runRecord is what streamsec writes for each CLI it starts.
type runRecord struct {
	path      string
	Tool      string    `json:"tool"`
	Pid       int       `json:"pid"`
	PulumiPid int       `json:"pulumiPid"`
	Hostname  string    `json:"hostname"`
	Username  string    `json:"username"`
	Started   time.Time `json:"started"`
	Command   string    `json:"command"`
}

// stackLocks is the lock folder of one stack in a file backend.
type stackLocks struct {
	stack string
	dir   string // the CLI's lock files
	runs  string // streamsec's run records
	host  string
	user  string
}

// newStackLocks returns the lock folders of project/stack in the file
// backend rooted at root (the folder that holds .pulumi).
func newStackLocks(root, project, stack string) *stackLocks {
	host, _ := os.Hostname()
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	state := filepath.Join(root, ".pulumi")
	return &stackLocks{
		stack: stack,
		dir:   filepath.Join(state, "locks", "organization", project, stack),
		runs:  filepath.Join(state, "streamsec-runs", project, stack),
		host:  host,
		user:  name,
	}
}

// record notes that this process started the CLI pulumiPid. A record that
// cannot be written only means a lock left by that CLI will not be
// recognised as ours later (and is then reported, not cleared).
func (s *stackLocks) record(pulumiPid int, args []string) *runRecord {
	cmd := ""
	if len(args) > 1 {
		cmd = strings.Join(args[1:min(len(args), 3)], " ")
	}
	r := &runRecord{Tool: "streamsec", Pid: os.Getpid(), PulumiPid: pulumiPid, Hostname: s.host, Username: s.user, Started: time.Now().UTC(), Command: cmd}
	r.path = filepath.Join(s.runs, s.host+"-"+strconv.Itoa(pulumiPid)+".json")
	data, _ := json.Marshal(r)
	if err := os.MkdirAll(s.runs, 0o700); err != nil {
		return r
	}
	tmp := r.path + ".tmp"
	if os.WriteFile(tmp, data, 0o600) == nil {
		_ = os.Rename(tmp, r.path)
	}
	return r
}

// forget removes a run record once its CLI has ended.
func (s *stackLocks) forget(r *runRecord) {
	if r != nil {
		_ = os.Remove(r.path)
	}
	_ = os.Remove(s.runs) // only when empty
}

func (s *stackLocks) readRecord(host string, pulumiPid int) (*runRecord, bool) {
	p := filepath.Join(s.runs, host+"-"+strconv.Itoa(pulumiPid)+".json")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	var r runRecord
	if json.Unmarshal(data, &r) != nil || r.Tool != "streamsec" || r.PulumiPid != pulumiPid || r.Hostname != host {
		return nil, false
	}
	r.path = p
	return &r, true
}

// list reads the stack's lock files.
func (s *stackLocks) list() ([]Lock, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the lock folder of stack %s: %w", s.stack, err)
	}
	var out []Lock
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := filepath.Join(s.dir, e.Name())
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // released meanwhile
		}
		l := Lock{Path: p}
		if err != nil || json.Unmarshal(data, &l) != nil {
			// Unreadable: someone's lock all the same; never ours.
			l = Lock{Path: p, Username: "?", Hostname: "?"}
		}
		l.Path = p
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out, nil
}

// releaseOwn removes the lock taken by the CLI pulumiPid that this process
// started and that has ended.
func (s *stackLocks) releaseOwn(pulumiPid int) {
	locks, _ := s.list()
	for _, l := range locks {
		if l.Pid == pulumiPid && l.Hostname == s.host {
			_ = removeLock(l.Path)
		}
	}
}

// reLockLine is how the CLI names each lock when it refuses to run
// (checkForLock in pkg/backend/diy/lock.go): "  <url>: created by
// user@host (pid N) at <RFC 3339 time>".
var reLockLine = regexp.MustCompile(`(?m)^\s*(\S+): created by (\S*)@(\S*) \(pid (\d+)\) at (\S+)`)

// locksInMessage reads the locks the CLI listed in its refusal: the lock
// may be gone by the time this run looks at the folder.
func locksInMessage(msg string) []Lock {
	var out []Lock
	for _, m := range reLockLine.FindAllStringSubmatch(msg, -1) {
		pid, _ := strconv.Atoi(m[4])
		ts, _ := time.Parse(time.RFC3339, m[5])
		path, _, _ := strings.Cut(m[1], "?")
		out = append(out, Lock{Path: strings.TrimPrefix(path, "file://"), Pid: pid, Username: m[2], Hostname: m[3], Timestamp: ts})
	}
	return out
}

// removeLock deletes a lock file and the metadata file the file backend's
// blob store keeps beside it (<lock>.json.attrs), as the CLI's own unlock
// does.
func removeLock(p string) error {
	err := os.Remove(p)
	_ = os.Remove(p + ".attrs")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// stale reports whether a lock was left by a streamsec run on this host
// whose CLI no longer exists.
func (s *stackLocks) stale(l Lock) (*runRecord, bool) {
	if l.Hostname != s.host || alive(l.Pid) {
		return nil, false
	}
	return s.readRecord(l.Hostname, l.Pid)
}

// LockedError: another run holds the stack's lock.
type LockedError struct {
	Stack string
	Locks []Lock
	// Waited is how long this run waited for the lock.
	Waited time.Duration
}

func (e *LockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s is locked by another run", e.Stack)
	if e.Waited > 0 {
		fmt.Fprintf(&b, " (waited %s)", e.Waited.Round(time.Second))
	}
	b.WriteString(":")
	for _, l := range e.Locks {
		fmt.Fprintf(&b, "\n  %s, lock file %s", l.Holder(), l.Path)
		if l.Hostname == hostname() && !alive(l.Pid) {
			b.WriteString(" (that process no longer runs on this host, but the lock is not from a streamsec run, so it is left alone)")
		}
	}
	fmt.Fprintf(&b, "\nwait for that run to end (or pass --lock-wait); if you are sure it is gone, delete its lock file. streamsec never runs `pulumi cancel`, which would delete every lock of the stack")
	return b.String()
}

func hostname() string { h, _ := os.Hostname(); return h }

// ErrLocked is matched by errors.Is on a *LockedError.
var ErrLocked = errors.New("stack locked")

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// settle clears stale locks of this tool (saying so on log) and returns a
// *LockedError while other locks remain, after waiting up to wait for them
// to go.
func (s *stackLocks) settle(ctx context.Context, wait time.Duration, log io.Writer) error {
	start := time.Now()
	announced := false
	for {
		locks, err := s.list()
		if err != nil {
			return err
		}
		var held []Lock
		for _, l := range locks {
			if rec, ok := s.stale(l); ok {
				if err := removeLock(l.Path); err != nil {
					return fmt.Errorf("clear the stale lock %s: %w", l.Path, err)
				}
				_ = os.Remove(rec.path)
				fmt.Fprintf(log, "cleared a stale lock of stack %s: taken by a streamsec run (`pulumi %s`, pid %d, pulumi pid %d) on this host at %s; that process no longer exists\n",
					s.stack, rec.Command, rec.Pid, l.Pid, l.Timestamp.UTC().Format(time.RFC3339))
				continue
			}
			held = append(held, l)
		}
		if len(held) == 0 {
			return nil
		}
		waited := time.Since(start)
		if waited >= wait {
			return &LockedError{Stack: s.stack, Locks: held, Waited: waited.Truncate(time.Second)}
		}
		if !announced {
			fmt.Fprintf(log, "waiting up to %s for the lock of stack %s, held by %s\n", wait, s.stack, held[0].Holder())
			announced = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
