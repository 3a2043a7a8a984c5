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
	os.Exit(run())
}

func run() int {
	// Ctrl-C and SIGTERM cancel the context; long commands (preview, up,
	// verify) pass it on so the engine and probes stop cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f := cli.NewFactory(version)
	cmd := root.NewCmdRoot(f)
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
