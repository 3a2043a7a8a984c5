package destroy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
)

func factory(t *testing.T, in string, interactive bool) *cli.Factory {
	return &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(in), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InteractiveIn: interactive},
		ProjectDir: t.TempDir(),
		Getenv:     func(string) string { return "" },
	}
}

func TestStackIsRequired(t *testing.T) {
	cmd := NewCmdDestroy(factory(t, "", false), func(*DestroyOptions) error { return nil })
	cmd.SetArgs([]string{"--yes"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "stack") {
		t.Errorf("destroy without --stack: %v", err)
	}
}

func TestConfirmation(t *testing.T) {
	cases := []struct {
		name        string
		in          string
		interactive bool
		args        []string
		want        string
	}{
		{"pipeline without --yes", "", false, []string{"--stack", "dev"}, "pass --yes"},
		{"non-interactive flag", "dev\n", true, []string{"--stack", "dev", "--non-interactive"}, "pass --yes"},
		{"wrong answer", "prod\n", true, []string{"--stack", "dev"}, "not confirmed"},
		{"bad stack", "", false, []string{"--stack", "../x", "--yes"}, "--stack"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := factory(t, c.in, c.interactive)
			cmd := NewCmdDestroy(f, nil)
			cmd.SetArgs(c.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if code := cli.ExitCode(err); code != cli.ExitUsage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("exit %d, %v; want 2 and %q", code, err, c.want)
			}
		})
	}
	// The right answer goes on to the engine (which then needs a project).
	f := factory(t, "dev\n", true)
	cmd := NewCmdDestroy(f, nil)
	cmd.SetArgs([]string{"--stack", "dev"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "Pulumi.yaml") {
		t.Errorf("confirmed destroy did not reach the engine: %v", err)
	}
}
