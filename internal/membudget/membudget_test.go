package membudget

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name         string
		budget, live int64
		want         int64
	}{
		{"room to spare: the budget", 100 * mb, 40 * mb, 100 * mb},
		{"just fits", 100 * mb, 60 * mb, 100 * mb},
		{"live too close: widened", 100 * mb, 90 * mb, 150 * mb},
		{"live over the budget: none", 100 * mb, 300 * mb, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Limit(tt.budget, tt.live); got != tt.want {
				t.Errorf("Limit(%d MB, %d MB live) = %.1f MB, want %d MB", tt.budget/mb, tt.live/mb, float64(got)/mb, tt.want/mb)
			}
		})
	}
}

// A budget too close to what is live is widened after a collection, and
// Stop restores the limit there was.
func TestStartWidensAndRestores(t *testing.T) {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set: Start keeps it")
	}
	live := make([][]byte, 48)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	stop := Start(64 << 20)
	defer stop()
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Fatalf("limit %d, want the 64 MB budget", got)
	}
	var got int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		if got = debug.SetMemoryLimit(-1); got >= 80<<20 && got != math.MaxInt64 {
			break
		}
	}
	runtime.KeepAlive(live)
	if got < 80<<20 || got == math.MaxInt64 {
		t.Fatalf("limit %.1f MB with 48 MB live: not widened to keep %.0f%% free", float64(got)/(1<<20), Headroom*100)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after stop the limit is %d, want none", got)
	}
}

// A limit the user set is theirs.
func TestStartKeepsAUserLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(1 << 40)
	defer debug.SetMemoryLimit(prev)
	stop := Start(16 << 20)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("limit %d, want the user's", got)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("after stop the limit is %d, want the user's", got)
	}
}
