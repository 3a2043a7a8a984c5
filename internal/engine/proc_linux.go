//go:build linux

package engine

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the CLI in a process group of its own (a terminal's
// Ctrl-C reaches streamsec, which then interrupts the CLI once) and has the
// kernel interrupt it when streamsec dies: the CLI then cancels the update
// and releases its lock instead of running on without its program.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT}
}
