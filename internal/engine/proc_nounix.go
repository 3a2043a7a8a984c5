//go:build !unix

package engine

import (
	"context"
	"os"
)

func interrupt(p *os.Process) error { return p.Kill() }

// alive cannot tell on this OS: a lock is then never treated as stale.
func alive(int) bool { return true }

// lockFile: no advisory locks here; runs do not take turns.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
