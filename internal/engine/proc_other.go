//go:build !linux

package engine

import "os/exec"

// setProcAttr: outside Linux there is no parent-death signal; the next run
// clears a stale lock instead (locks.go).
func setProcAttr(*exec.Cmd) {}
