// Package azurite starts Azurite's blob service (the Azure Storage emulator,
// npm package azurite, installed by scripts/get-azurite.sh into a cache
// outside the repository) for tests: on a free 127.0.0.1 port, in memory,
// stopped when the test ends.
package azurite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Azurite's published development account (a documented constant, not a
// secret): https://learn.microsoft.com/azure/storage/common/storage-use-azurite
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is one running blob service.
type Server struct {
	// Endpoint is the account's blob endpoint, http://127.0.0.1:PORT/devstoreaccount1.
	Endpoint string
}

// Bin finds azurite-blob: $STREAMSEC_AZURITE, else scripts/get-azurite.sh
// (which installs it on first use).
func Bin(repo string) (string, error) {
	if p := os.Getenv("STREAMSEC_AZURITE"); p != "" {
		return p, nil
	}
	cmd := exec.Command("bash", filepath.Join(repo, "scripts", "get-azurite.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/get-azurite.sh: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

var listening = regexp.MustCompile(`listens on (http://127\.0\.0\.1:\d+)`)

// Start runs the blob service; it stops when t ends. A missing Azurite
// skips the test, unless STREAMSEC_REQUIRE_INTEGRATION is set (CI).
func Start(t testing.TB, repo string) *Server {
	t.Helper()
	bin, err := Bin(repo)
	if err != nil {
		if os.Getenv("STREAMSEC_REQUIRE_INTEGRATION") != "" {
			t.Fatalf("azurite: %v", err)
		}
		t.Skipf("azurite not available: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence",
		"--disableTelemetry", "--skipApiVersionCheck", "--loose")
	cmd.Dir = t.TempDir() // its debug and lock files, if any
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start azurite: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	exited := make(chan string, 1)
	go func() {
		var said strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			said.WriteString(sc.Text() + "\n")
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		exited <- said.String()
	}()
	// Node starts slowly on a loaded machine.
	select {
	case base := <-found:
		return &Server{Endpoint: base + "/" + Account}
	case said := <-exited:
		t.Fatalf("azurite exited before listening:\n%s", said)
	case <-time.After(2 * time.Minute):
		t.Fatal(errors.New("azurite did not report its port within 2 minutes"))
	}
	return nil
}
