// Command streamsec: see `streamsec --help` and README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/root"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// Ctrl-C and SIGTERM cancel the context; long commands (preview, up,
	// verify) pass it on so the engine and probes stop cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, cli.NewFactory(version), os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code (0 ok, 1 failed,
// 2 usage or input), printing the error, if any, on the error stream.
func run(ctx context.Context, f *cli.Factory, args []string) int {
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return cli.ExitOK
	}
	code := cli.ExitCode(err)
	var ee *cli.ExitError
	if !errors.As(err, &ee) && isUsageError(err) {
		code = cli.ExitUsage
	}
	if !(errors.As(err, &ee) && ee.Err == nil) {
		fmt.Fprintf(f.IO.ErrOut, "streamsec: %v\n", err)
	}
	return code
}

// isUsageError recognises cobra's own argument errors, which carry no type.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
