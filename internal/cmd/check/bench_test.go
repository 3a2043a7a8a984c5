package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/test/bigexport"
)

// stackExport builds a `pulumi stack export` of n resources from the
// hardened stack (test/bigexport).
func stackExport(tb testing.TB, n int) []byte {
	tb.Helper()
	data, err := os.ReadFile(hardenedFile)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := bigexport.StackExport(data, n)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestGeneratedExportIsJudged(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(file, stackExport(t, 500), 0o600)
	out, errOut, code := run(t, "", "--input", file, "--format", "json")
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if res.Kind != "pulumi-stack-export" || res.Resources != 500 {
		t.Errorf("kind %s resources %d", res.Kind, res.Resources)
	}
	// The copies are all hardened; only copies cut short at the end may
	// miss a partner resource (a private endpoint, a diagnostic setting).
	data, _ := os.ReadFile(hardenedFile)
	var plan struct {
		Resources []json.RawMessage `json:"resources"`
	}
	json.Unmarshal(data, &plan)
	partial := fmt.Sprintf("::c%d-", (500-1)/len(plan.Resources))
	for _, v := range res.Violations {
		// The copies are many stacks in one input: the edge model refuses
		// to merge them (internal/edge), and the edge rules fail closed.
		if strings.HasPrefix(v.Policy, "edge-") && strings.Contains(v.Message, "one stack's edge at a time") {
			continue
		}
		if !strings.Contains(v.URN, partial) {
			t.Errorf("unexpected violation %s on %s: %s", v.Policy, v.URN, v.Message)
		}
	}
	if len(res.Violations) == 0 || code != 1 {
		t.Errorf("the cut-short copy should miss its partners: exit %d, %d violations", code, len(res.Violations))
	}
}

// BenchmarkCheckStackExport measures `streamsec check` (read, detect,
// convert, evaluate every rule, print JSON) on generated stack exports.
func BenchmarkCheckStackExport(b *testing.B) {
	for _, n := range []int{500, 5000, 50000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "state.json")
			if err := os.WriteFile(file, stackExport(b, n), 0o600); err != nil {
				b.Fatal(err)
			}
			opts := &CheckOptions{
				IO:     &cli.IOStreams{In: &bytes.Buffer{}, Out: io.Discard, ErrOut: io.Discard},
				Input:  file,
				Format: "json",
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := runCheck(context.Background(), opts); err != nil && cli.ExitCode(err) != cli.ExitFailed {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
			// CPU time (user+system, GC included) per resource: on a shared
			// machine wall time measures the neighbours too.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/resource")
		})
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
