// Command programhost serves the streamsec program (stacks/main.go's
// program.Run) to a bare pulumi CLI, the way the Automation API hosts an
// inline program: it listens on a loopback port, prints the address, and
// runs the program when the CLI connects with
//
//	pulumi preview --client=ADDR --exec-kind=auto.inline --stack S ...
//
// The CLI built here has no Go language plugin (it cannot be fetched), so
// this is how scripts/bench-plan-preview.sh measures bare `pulumi preview`
// and `pulumi up` on the same program and packs as `streamsec preview` and
// `up`. It serves until interrupted or its standard input closes. A bench
// helper, not part of the product.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/streamsec/streamsec/internal/program"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	fn pulumi.RunFunc
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "1.0.0"}, nil
}

func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return nil
}

// Run runs the program once against the engine's resource monitor.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	engine := ""
	if len(req.GetArgs()) > 0 {
		engine = req.GetArgs()[0]
	}
	pctx, err := pulumi.NewContext(ctx, pulumi.RunInfo{
		EngineAddr: engine, MonitorAddr: req.GetMonitorAddress(),
		Config: req.GetConfig(), ConfigSecretKeys: req.GetConfigSecretKeys(),
		Project: req.GetProject(), Stack: req.GetStack(), Parallel: req.GetParallel(),
		DryRun: req.GetDryRun(), Organization: req.GetOrganization(),
	})
	if err != nil {
		return nil, err
	}
	defer pctx.Close()
	if err := pulumi.RunWithContext(pctx, h.fn); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{fn: program.Run})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "programhost:", err)
		os.Exit(1)
	}
	fmt.Printf("127.0.0.1:%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, "programhost:", err)
		os.Exit(1)
	}
}
