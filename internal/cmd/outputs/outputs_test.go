package outputs

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
)

func TestWriteOrdersMainOutputsFirst(t *testing.T) {
	out := &bytes.Buffer{}
	io := &cli.IOStreams{Out: out}
	outs := map[string]any{"zeta": "z", "appHostName": "a.azurewebsites.net", "publicUrl": "https://x", "frontDoorEndpointHost": "x.azurefd.net", "list": []any{"a"}, "cookie": "[secret]"}
	if err := Write(io, "text", outs); err != nil {
		t.Fatal(err)
	}
	want := "publicUrl: https://x\nfrontDoorEndpointHost: x.azurefd.net\nappHostName: a.azurewebsites.net\ncookie: [secret]\nlist: [\"a\"]\nzeta: z\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	out.Reset()
	if err := Write(io, "json", outs); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back["publicUrl"] != "https://x" {
		t.Errorf("json: %v %v", back, err)
	}
	out.Reset()
	if err := Write(io, "json", nil); err != nil || strings.TrimSpace(out.String()) != "{}" {
		t.Errorf("empty json: %q %v", out, err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--format", "yaml"}, {"--stack", "UP"}, {"--color", "x"}} {
		f := &cli.Factory{IO: &cli.IOStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, ProjectDir: t.TempDir(), Getenv: func(string) string { return "" }}
		cmd := NewCmdOutputs(f, nil)
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if code := cli.ExitCode(cmd.Execute()); code != cli.ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
