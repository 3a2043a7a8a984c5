package up

import (
	"bytes"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
)

func TestFlagsReachOptions(t *testing.T) {
	f := &cli.Factory{IO: &cli.IOStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, ProjectDir: "."}
	var got *UpOptions
	cmd := NewCmdUp(f, func(o *UpOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--stack", "pr-1", "--no-policy", "--expect-no-changes", "-m", "sha", "--backend", "file://x", "--format", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Stack.Stack != "pr-1" || !got.Engine.NoPolicy || !got.ExpectNoChanges || got.Message != "sha" || got.Engine.Backend != "file://x" || got.Format != "json" {
		t.Errorf("options %+v", got)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "xml"},
		{"--color", "sometimes"},
		{"--stack", "dev", "--set", "nope=1"},
		{"extra-arg"},
	} {
		f := &cli.Factory{IO: &cli.IOStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, ProjectDir: t.TempDir(), Getenv: func(string) string { return "" }}
		cmd := NewCmdUp(f, nil)
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if err == nil {
			t.Errorf("%v: accepted", args)
			continue
		}
		// cobra's own argument errors carry no code; main maps them to 2.
		if code := cli.ExitCode(err); code != cli.ExitUsage && args[0] != "extra-arg" {
			t.Errorf("%v: exit %d (%v), want 2", args, code, err)
		}
	}
}
