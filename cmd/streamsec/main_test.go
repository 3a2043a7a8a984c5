package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
)

// TestExitCodes pins the contract pipelines rely on: 0 ok, 1 a mandatory
// violation, 2 usage or input errors, with the reason on stderr.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     int
		inStderr string
	}{
		{"plan dev is clean", []string{"plan", "--stack", "dev", "--format", "json"}, 0, ""},
		{"policy blocks a weak stack", []string{"plan", "--stack", "dev", "--set", "wafMode=Detection"}, 1, ""},
		{"invalid spec value", []string{"plan", "--stack", "dev", "--set", "allowedOrigins=null"}, 2, "allowedOrigins"},
		{"unknown stack", []string{"plan", "--stack", "nosuchstack"}, 2, "not found"},
		{"unknown flag", []string{"plan", "--bogus"}, 2, "unknown flag"},
		{"unknown command", []string{"deploy-everything"}, 2, "unknown command"},
		{"unknown format", []string{"plan", "--format", "pdf"}, 2, "--format"},
		{"missing input file", []string{"check", "--input", "/nonexistent/preview.json"}, 2, "preview.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			f := &cli.Factory{
				IO:         &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
				Version:    "test",
				ProjectDir: "../..",
				Getenv:     func(string) string { return "" },
				Environ:    func() []string { return nil },
				Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			}
			got := run(context.Background(), f, tt.args)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, out.String(), errOut.String())
			}
			if tt.inStderr != "" && !strings.Contains(errOut.String(), tt.inStderr) {
				t.Errorf("stderr lacks %q: %s", tt.inStderr, errOut.String())
			}
			if tt.want == 2 && strings.Contains(out.String(), `"resources"`) {
				t.Errorf("usage error still printed a result: %s", out.String())
			}
		})
	}
}

// BenchmarkPlanCommand is `streamsec plan --stack prod` in process: the
// whole command (spec load, offline plan, rules, text output) without the
// binary's start-up, which scripts/bench-plan-start.sh measures.
func BenchmarkPlanCommand(b *testing.B) {
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			f := &cli.Factory{
				IO:         &cli.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
				Version:    "bench",
				ProjectDir: "../..",
				Getenv:     func(string) string { return "" },
				Environ:    func() []string { return nil },
				Now:        time.Now,
			}
			b.ReportAllocs()
			for b.Loop() {
				if code := run(context.Background(), f, []string{"plan", "--stack", "prod", "--format", format}); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
