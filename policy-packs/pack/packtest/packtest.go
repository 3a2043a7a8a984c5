// Package packtest starts a policy pack binary the way the Pulumi engine
// does, for the packs' gRPC tests: build it, run it with the engine address
// as its argument, read the port from the first line of stdout, dial it.
package packtest

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// Start builds the pack in dir (a main package) into a temp folder, starts
// it and returns a connected Analyzer client. The process ends with the test.
func Start(t *testing.T, dir string) pulumirpc.AnalyzerClient {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the pack binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	bin := filepath.Join(t.TempDir(), "pack")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	build := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "127.0.0.1:1") // the engine address; the pack only keeps it
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the port: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || port <= 0 {
		t.Fatalf("pack printed %q, not a port", line)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pulumirpc.NewAnalyzerClient(conn)
}

// Configure performs the engine's start-up calls: Handshake, then
// ConfigureStack with the stack's config.
func Configure(t *testing.T, ctx context.Context, c pulumirpc.AnalyzerClient, dir, stack string, config map[string]string) {
	t.Helper()
	if _, err := c.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if _, err := c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: stack, Project: "streamsec", DryRun: true, Config: config}); err != nil {
		t.Fatalf("ConfigureStack: %v", err)
	}
}

// Props marshals plain values (and resource.MakeComputed/MakeSecret ones)
// the way the engine sends them.
func Props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
