package preview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/engine"
)

func ios() (*cli.IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &cli.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}, out, errOut
}

func TestFlagsReachOptions(t *testing.T) {
	io, _, _ := ios()
	f := &cli.Factory{IO: io, ProjectDir: "."}
	var got *PreviewOptions
	cmd := NewCmdPreview(f, func(o *PreviewOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--stack", "prod", "--set", "wafMode=Detection", "--policy-pack", "a", "--policy-pack", "b",
		"--backend", "azblob://c", "--color", "never", "--non-interactive", "--format", "json", "--diff"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Stack.Stack != "prod" || got.Stack.Set[0] != "wafMode=Detection" || len(got.Engine.PolicyPacks) != 2 ||
		got.Engine.Backend != "azblob://c" || got.Engine.Color != "never" || !got.Engine.NonInteractive || got.Format != "json" || !got.Diff {
		t.Errorf("options: %+v", got)
	}
}

func TestUsageErrorsBeforeAnyWork(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "yaml"},
		{"--color", "pink"},
		{"--no-policy", "--policy-pack", "x"},
		{"--stack", "Not_Valid"},
	} {
		io, _, _ := ios()
		f := &cli.Factory{IO: io, ProjectDir: t.TempDir(), Getenv: func(string) string { return "" }}
		cmd := NewCmdPreview(f, nil)
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if code := cli.ExitCode(err); code != cli.ExitUsage {
			t.Errorf("%v: exit %d (%v), want 2", args, code, err)
		}
	}
}

func TestReportVerdicts(t *testing.T) {
	blocked := &engine.Result{
		Changes: map[string]int{"create": 3},
		Violations: []engine.Violation{{PolicyPack: "websocket-hardening", Policy: "waf-prevention-mode",
			EnforcementLevel: "mandatory", URN: "urn:pulumi:dev::streamsec::azure-native:network:Policy::waf", Message: "Detection mode only logs\nmore"}},
	}
	cases := []struct {
		name   string
		res    *engine.Result
		err    error
		code   int
		status string
		text   []string
	}{
		{"ok", &engine.Result{Changes: map[string]int{"same": 2}}, nil, 0, "ok", []string{"OK", "same 2", "policy packs: p1"}},
		{"blocked", blocked, fmt.Errorf("preview dev: %w", engine.ErrBlocked), 1, "blocked",
			[]string{"BLOCKED", "[mandatory] websocket-hardening/waf-prevention-mode", "Detection mode only logs"}},
		{"blocked without a change summary", &engine.Result{Violations: blocked.Violations}, fmt.Errorf("preview dev: %w", engine.ErrBlocked), 1, "blocked",
			[]string{"BLOCKED", "changes: not summarised"}},
		{"cancelled", &engine.Result{}, fmt.Errorf("up dev: %w", engine.ErrCancelled), 1, "cancelled", []string{"CANCELLED"}},
		{"failed", &engine.Result{}, fmt.Errorf("up dev: boom"), 1, "failed", []string{"FAILED"}},
		{"setup", nil, &engine.SetupError{Err: fmt.Errorf("no passphrase")}, 2, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				io, out, _ := ios()
				err := Report(io, format, "preview", "dev", []string{"p1"}, c.res, c.err)
				if code := cli.ExitCode(err); code != c.code {
					t.Errorf("%s: exit %d, want %d", format, code, c.code)
				}
				if c.status == "" {
					continue
				}
				if format == "json" {
					var s Summary
					if err := json.Unmarshal(out.Bytes(), &s); err != nil {
						t.Fatalf("json: %v\n%s", err, out)
					}
					if s.Status != c.status || s.Violations == nil || s.PolicyPack == nil {
						t.Errorf("json summary %+v", s)
					}
					continue
				}
				for _, w := range c.text {
					if !strings.Contains(out.String(), w) {
						t.Errorf("text lacks %q:\n%s", w, out)
					}
				}
			}
		})
	}
}
