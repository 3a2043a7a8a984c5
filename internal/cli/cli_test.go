package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain error is a failure", errors.New("boom"), ExitFailed},
		{"input error", InputError(errors.New("bad flag")), ExitUsage},
		{"wrapped input error", fmt.Errorf("plan: %w", InputError(errors.New("bad"))), ExitUsage},
		{"failed error", FailedError(errors.New("update failed")), ExitFailed},
		{"silent failure", ErrFailed, ExitFailed},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: ExitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
	if InputError(nil) != nil || FailedError(nil) != nil {
		t.Error("wrapping nil must stay nil")
	}
}

func testFactory(dir string, env map[string]string) *Factory {
	return &Factory{
		IO:         &IOStreams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}},
		ProjectDir: dir,
		Getenv:     func(k string) string { return env[k] },
	}
}

// TestLoadSpec: the project's stack files, STREAMSEC_* variables on top,
// the embedded copy when the folder has none, and exit 2 on bad values.
func TestLoadSpec(t *testing.T) {
	l, err := testFactory("../..", map[string]string{"STREAMSEC_WAF_MODE": "Detection"}).LoadSpec(StackFlags{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.Domain != "dash.example.com" || l.Spec.WAFMode != "Detection" {
		t.Errorf("prod from disk with env override: domain %q, wafMode %q", l.Spec.Domain, l.Spec.WAFMode)
	}
	l, err = testFactory(t.TempDir(), nil).LoadSpec(StackFlags{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Path != "embedded:Pulumi.dev.yaml" || l.Spec.AppName == "" {
		t.Errorf("embedded fallback: path %q, appName %q", l.Path, l.Spec.AppName)
	}
	_, err = testFactory("../..", nil).LoadSpec(StackFlags{Stack: "dev", Set: []string{"wafMode=Off", "allowedOrigins=null"}})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "wafMode") || !strings.Contains(err.Error(), "allowedOrigins") {
		t.Errorf("bad values: exit %d, %v", ExitCode(err), err)
	}
}
