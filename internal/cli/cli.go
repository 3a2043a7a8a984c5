// Package cli holds what every streamsec command shares, in the GitHub CLI's
// pattern: injected IO streams, a Factory that commands take their
// dependencies from, and the exit-code contract (0 ok, 1 failed or blocked,
// 2 usage or input error).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// IOStreams are the streams a command reads and writes; tests pass buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InteractiveIn is true when In is a terminal a person can answer.
	InteractiveIn bool
}

// SystemIO returns the process's own streams.
func SystemIO() *IOStreams {
	interactive := false
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		interactive = true
	}
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, InteractiveIn: interactive}
}

// Factory carries the dependencies commands need, so each command can be
// built with fakes in tests.
type Factory struct {
	IO      *IOStreams
	Version string
	// ProjectDir is the folder holding Pulumi.yaml (the repo root by
	// default); stacks live in its stacks/ folder.
	ProjectDir string
	// Getenv reads the environment (STREAMSEC_* overrides, passphrases).
	Getenv func(string) string
	// Environ lists the environment as KEY=VALUE pairs.
	Environ func() []string
	// Now is the clock, injected so reports are reproducible in tests.
	Now func() time.Time
}

// NewFactory returns a Factory wired to the real process.
func NewFactory(version string) *Factory {
	return &Factory{
		IO:         SystemIO(),
		Version:    version,
		ProjectDir: ".",
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		Now:        time.Now,
	}
}

// Exit codes, the contract pipelines rely on.
const (
	ExitOK     = 0
	ExitFailed = 1 // a mandatory violation, a failed probe, a failed update
	ExitUsage  = 2 // bad flags, bad input files, invalid Spec
)

// ExitError carries an exit code with an error. A nil Err means the command
// already reported everything and exits quietly.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ErrFailed ends a command with exit 1 after it has printed its findings.
var ErrFailed error = &ExitError{Code: ExitFailed}

// InputError marks err as a usage or input problem (exit 2).
func InputError(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

// FailedError marks err as an operational failure (exit 1).
func FailedError(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitFailed, Err: err}
}

// ExitCode maps an error returned by a command to the process exit code.
// Errors that carry no code are failures (1).
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailed
}
