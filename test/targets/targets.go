// Package targets starts the real servers the verify tests probe: real
// Streamlit releases from PyPI (cached virtual environments, see
// scripts/streamlit-venv.sh) and nginx in front of them as the edge (weak,
// or hardened as Front Door + WAF would be), with a throwaway CA. Every server listens on
// 127.0.0.1 on a free port and is stopped by the test that started it.
//
// Without nginx (or a release's venv) the tests skip, unless
// STREAMSEC_REQUIRE_INTEGRATION=1 (set by .ci/run) or STREAMSEC_REQUIRE_E2E=1
// turn the skip into a failure.
package targets

import (
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// TB is the part of testing.TB the helpers use (tests and benchmarks).
type TB interface {
	Helper()
	Fatalf(string, ...any)
	Skipf(string, ...any)
	TempDir() string
	Cleanup(func())
	Logf(string, ...any)
}

// Missing skips the test (or, in CI, fails it) because what is missing.
func Missing(t TB, what string) {
	t.Helper()
	msg := what + " (STREAMSEC_REQUIRE_INTEGRATION=1 makes this a failure)"
	if os.Getenv("STREAMSEC_REQUIRE_INTEGRATION") == "1" || os.Getenv("STREAMSEC_REQUIRE_E2E") == "1" {
		t.Fatalf("%s", msg)
	}
	t.Skipf("%s", msg)
}

// Nginx returns the nginx binary, or skips (fails in CI) without one.
func Nginx(t TB) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		Missing(t, "the verify targets need a Linux host")
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	Missing(t, "nginx is missing: apt-get install -y nginx")
	return ""
}

// FreePort is a port on 127.0.0.1 nothing listens on right now.
func FreePort(t TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// stopWaited ends a process whose Wait runs in another goroutine and
// closes exited: SIGTERM, then SIGKILL after 5 s.
func stopWaited(cmd *exec.Cmd, exited <-chan struct{}) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// waitListen waits until 127.0.0.1:port accepts connections or until the
// deadline; it reports whether it did.
func waitListen(port int, deadline time.Time, alive func() bool) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for time.Now().Before(deadline) && alive() {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
