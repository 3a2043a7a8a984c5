package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/test/bigexport"
)

// helperArgs, when set, makes this test binary the streamsec command (a
// process of its own, so its peak memory can be read), and helperHWM
// names the file it writes its peak resident memory to.
const (
	helperArgs = "STREAMSEC_TEST_HELPER_ARGS"
	helperHWM  = "STREAMSEC_TEST_HELPER_HWM"
)

func TestHelperProcess(t *testing.T) {
	args := os.Getenv(helperArgs)
	if args == "" {
		t.Skip("runs only as a child of TestCheckPeakMemory")
	}
	code := run(context.Background(), cli.NewFactory("test"), strings.Split(args, "\n"))
	// VmHWM is this process's own high-water mark. getrusage's ru_maxrss
	// is not: Linux carries the parent's over the vfork and exec that
	// started it (fs/exec.c, setmax_mm_hiwater_rss).
	status, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				err = os.WriteFile(os.Getenv(helperHWM), []byte(strings.TrimSpace(v)), 0o600)
			}
		}
	}
	if err != nil {
		code = 3
	}
	os.Exit(code)
}

// TestCheckPeakMemory holds `streamsec check` on a 50,000-resource stack
// export, written as `pulumi stack export` writes it (72 MB), to a peak
// resident memory of twice the file, the binary's own pages included
// (issue 16; it was 425 MB, 5.9 times). Resident memory is the kernel's
// count for the child process (VmHWM), not a timing.
func TestCheckPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 72 MB export and judges it: not in -short")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("reads the peak from /proc (Linux)")
	}
	plan, err := os.ReadFile(filepath.Join("..", "..", bigexport.Hardened))
	if err != nil {
		t.Fatal(err)
	}
	data, err := bigexport.StackExport(plan, 50000)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	size := int64(len(data))
	data = nil // the child's memory is measured, not ours; keep ours small anyway

	out, err := os.Create(filepath.Join(t.TempDir(), "check.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperArgs+"="+strings.Join([]string{"check", "--input", file, "--format", "json"}, "\n"))
	hwm := filepath.Join(t.TempDir(), "hwm")
	cmd.Env = append(cmd.Env, helperHWM+"="+hwm, "GOMEMLIMIT=") // the budget is check's own, not the environment's
	cmd.Stdout = out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	// The last copy is cut short and misses partner resources: exit 1.
	if code := cmd.ProcessState.ExitCode(); code != cli.ExitFailed {
		t.Fatalf("check exited %d (%v), want 1\n%s", code, err, stderr.String())
	}
	kb, err := os.ReadFile(hwm)
	if err != nil {
		t.Fatalf("the child's peak: %v", err)
	}
	var peak int64
	if _, err := fmt.Sscanf(string(kb), "%d kB", &peak); err != nil {
		t.Fatalf("VmHWM %q: %v", kb, err)
	}
	peak *= 1024
	t.Logf("input %.1f MB, peak resident %.1f MB (%.2fx)", float64(size)/1e6, float64(peak)/1e6, float64(peak)/float64(size))
	if peak > 2*size {
		t.Errorf("peak resident memory %.1f MB is over twice the %.1f MB input", float64(peak)/1e6, float64(size)/1e6)
	}
	var res struct {
		Resources int `json:"resources"`
	}
	if _, err := out.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(out).Decode(&res); err != nil || res.Resources != 50000 {
		t.Errorf("check's JSON: %v, %d resources", err, res.Resources)
	}
}
