package targets

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// releases.txt lists the real Streamlit releases the verify matrix runs,
// one a line: the version, then pins of older dependencies (NAME==X.Y.Z)
// where a deployment locked at the release's time behaves differently
// from a fresh install. .ci/run installs the same list with
// scripts/streamlit-venv.sh.
//
//go:embed releases.txt
var releasesTxt string

// Release is one Streamlit release as installed for the matrix.
type Release struct {
	Version string
	Pins    []string // e.g. tornado==6.4.2
}

// Name is the release and its pins, as its cache folder is named:
// "1.39.0+tornado-6.4.2".
func (r Release) Name() string {
	n := r.Version
	for _, p := range r.Pins {
		n += "+" + strings.Replace(p, "==", "-", 1)
	}
	return n
}

// Pinned reports whether the release is installed with pkg pinned.
func (r Release) Pinned(pkg string) bool {
	for _, p := range r.Pins {
		if strings.HasPrefix(p, pkg+"==") {
			return true
		}
	}
	return false
}

// Releases are the releases the matrix runs, oldest first: the oldest
// streamsec supports (also with the Tornado of its day), the last on
// Tornado, the first on Starlette and uvicorn, and the newest.
func Releases() []Release {
	var out []Release
	for _, line := range strings.Split(releasesTxt, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			out = append(out, Release{Version: f[0], Pins: f[1:]})
		}
	}
	return out
}

// Venv is the cached virtual environment of a release, where
// scripts/streamlit-venv.sh (the one place that knows the cache layout)
// installed it; without it the test skips (fails in CI).
func Venv(t TB, r Release) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "..", "..", "scripts", "streamlit-venv.sh")
	args := append([]string{script, "--check", r.Version}, r.Pins...)
	out, err := exec.Command("bash", args...).Output()
	if err != nil {
		Missing(t, fmt.Sprintf("Streamlit %s is not installed: %s", r.Name(), strings.Join(append([]string{"scripts/streamlit-venv.sh", r.Version}, r.Pins...), " ")))
	}
	return strings.TrimSpace(string(out))
}

// AppScript is the app every real release runs: one line of output is
// enough for the page, the socket and a session.
const AppScript = "import streamlit as st\n\nst.write(\"streamsec verify target\")\n"

// Streamlit is one running release.
type Streamlit struct {
	Version string
	Port    int
	Dir     string // the app folder (app.py, .streamlit/config.toml)
	log     *syncBuffer
}

// Log is what the process printed so far, for failure messages.
func (s *Streamlit) Log() string { return s.log.String() }

// StartStreamlit runs `streamlit run app.py` of the release in venv from
// dir (which holds .streamlit/config.toml, if any) on a free 127.0.0.1
// port; flags are extra command-line options (they beat config.toml, as the
// App Service startup command's do). It returns once /_stcore/health
// answers 200.
func StartStreamlit(t TB, version, venv, dir string, flags ...string) *Streamlit {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(AppScript), 0o600); err != nil {
		t.Fatalf("write app.py: %v", err)
	}
	// No user config (~/.streamlit) and no STREAMLIT_* variables of the
	// caller: only the config.toml under test and the flags count.
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STREAMLIT_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home)
	var lastErr string
	// A free port can be taken between the check and the bind by another
	// engineer's server; try a few.
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		args := append([]string{"-m", "streamlit", "run", "app.py", "--server.port", strconv.Itoa(port), "--server.address", "127.0.0.1"}, flags...)
		cmd := exec.Command(filepath.Join(venv, "bin", "python"), args...)
		cmd.Dir, cmd.Env = dir, env
		log := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatalf("start streamlit %s: %v", version, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if healthy(port, exited, 90*time.Second) {
			t.Cleanup(func() { stopWaited(cmd, exited) })
			return &Streamlit{Version: version, Port: port, Dir: dir, log: log}
		}
		stopWaited(cmd, exited)
		lastErr = log.String()
	}
	t.Fatalf("streamlit %s did not become healthy:\n%s", version, lastErr)
	return nil
}

// healthy polls /_stcore/health until 200, the process exits, or limit.
func healthy(port int, exited <-chan struct{}, limit time.Duration) bool {
	c := &http.Client{Timeout: 2 * time.Second}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/_stcore/health"
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 { // a log is for reading, not for filling memory
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
