// Package membudget keeps a process's heap within a memory budget while the
// budget can hold what is live, and widens it when it cannot.
//
// The Go collector lets the heap grow to twice what is live (GOGC=100); a
// soft memory limit (debug.SetMemoryLimit) holds it lower, but a limit
// close to the live heap makes the collector run almost back to back, and
// one below it keeps it at its cap of half the CPU: on a 50,000-resource
// export whose values are all distinct, a fixed budget tripled check's
// time. So after every collection the limit is raised, if need be, so
// that Headroom of it stays free of live data (never lowered below the
// budget), and dropped once the live heap alone is over the budget, which
// then cannot be kept: memory stays within the budget when the input
// allows, and the collector's default pacing, with its time, takes over
// when it does not.
package membudget

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Headroom is the share of the limit kept free of live data after a
// collection: with less, collections come too often to pay.
const Headroom = 0.4

// Limit is the memory limit for a live heap of live bytes under budget
// (math.MaxInt64: none).
func Limit(budget, live int64) int64 {
	if live >= budget {
		return math.MaxInt64
	}
	need := int64(math.Ceil(float64(live) / (1 - Headroom)))
	return max(budget, need)
}

// budget is one Start's state, shared with the per-collection callback.
type budget struct {
	bytes   int64
	prev    int64
	stopped atomic.Bool
	sample  []metrics.Sample
}

// sentinel is allocated to be collected: its cleanup runs after each
// collection. It holds a pointer so the tiny allocator, whose blocks may
// outlive their objects, does not take it.
type sentinel struct {
	_ *byte
	_ [8]byte
}

// Start sets the process's memory limit to bytes and keeps adjusting it
// after each collection; the returned function stops that and restores the
// previous limit. A limit already set (GOMEMLIMIT, or a caller) is kept:
// Start then does nothing.
func Start(bytes int64) (stop func()) {
	prev := debug.SetMemoryLimit(-1)
	if prev != math.MaxInt64 || bytes <= 0 {
		return func() {}
	}
	b := &budget{bytes: bytes, prev: prev, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	debug.SetMemoryLimit(bytes)
	b.arm()
	return func() {
		b.stopped.Store(true)
		debug.SetMemoryLimit(b.prev)
	}
}

func (b *budget) arm() {
	runtime.AddCleanup(new(sentinel), func(b *budget) { b.afterGC() }, b)
}

func (b *budget) afterGC() {
	if b.stopped.Load() {
		return
	}
	metrics.Read(b.sample)
	if b.sample[0].Value.Kind() == metrics.KindUint64 {
		live := int64(b.sample[0].Value.Uint64())
		if want := Limit(b.bytes, live); want != debug.SetMemoryLimit(-1) && !b.stopped.Load() {
			debug.SetMemoryLimit(want)
		}
	}
	b.arm()
}
