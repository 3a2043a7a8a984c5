package pack

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestWatchParentNoticesTheEngineIsGone(t *testing.T) {
	var parent atomic.Int64
	parent.Store(100)
	done := make(chan struct{})
	go watchParent(func() int { return int(parent.Load()) }, 10*time.Millisecond, func() { close(done) })
	select {
	case <-done:
		t.Fatal("gone reported while the parent lives")
	case <-time.After(100 * time.Millisecond):
	}
	parent.Store(1) // reparented to init
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the parent's death went unnoticed")
	}
}
