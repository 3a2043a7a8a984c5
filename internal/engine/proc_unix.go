//go:build unix

package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// interrupt asks a CLI to cancel gracefully, as Ctrl-C does.
func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }

// alive reports whether a process of that id runs on this host. EPERM
// means it exists but belongs to someone else. A zombie (ended, not yet
// reaped: a container's init may never reap it) does not run.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// pid (comm) state ...; comm may hold spaces and parentheses.
		s := string(data)
		if i := strings.LastIndex(s, ")"); i >= 0 && i+2 < len(s) {
			if st := s[i+2]; st == 'Z' || st == 'X' {
				return false
			}
		}
	}
	return true
}

// lockFile takes an exclusive advisory lock on path (created if missing),
// waiting for another process that holds it; unlock releases it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
