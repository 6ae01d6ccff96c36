package checker

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// Bounding the memory of porcupine's search.
//
// Porcupine caches every (linearized set, state) pair it visits, so a hard
// history can fill memory long before a timeout fires; it only offers a
// timeout, and its own context cannot be cancelled from outside. What it
// does call on every step is the model's Step, so a search is stopped
// through the model: each search gets a copy of the model whose Step first
// reads a per-search flag, and a watchdog goroutine sets that flag once the
// heap passes the bound. From then on every step is refused without work:
// porcupine unwinds its stack (each level scans to the next return and
// backtracks), allocates nothing more, and returns "illegal" within
// O(depth × concurrency) steps. That answer is then thrown away and the
// verdict is unknown. Refusing rather than accepting everything keeps the
// partial linearizations porcupine reports genuine (it records only
// accepted steps), so the page of a stopped search still draws what was
// really found, and it cannot wander through fresh parts of the search
// space the way an always-accepting model would when its cache blocks the
// greedy path.
//
// A flag read after porcupine returns tells whether any step was refused:
// the flag only goes from false to true, so if it still reads false, every
// step of that search ran the real model and its answer stands.

// DefaultMemoryLimit is the heap bound of a linearizability search when
// LinOptions.MemoryLimit is 0: 4 GiB, far above what a search that finishes
// needs (a standard run peaks at ~40 MB of RSS, checking the 80 shared
// Jepsen logs at ~55 MB) and within what a developer machine or CI runner
// has. It is a fixed number rather than a share of the machine's memory so
// that a verdict does not depend on where it was computed.
const DefaultMemoryLimit int64 = 4 << 30

// memPoll is how often the watchdog reads the heap while a search runs: a
// search allocates a few hundred MiB/s, so a poll overshoots the bound by
// ~10 MiB, and each read costs well under a microsecond.
const memPoll = 25 * time.Millisecond

// heapMetric is the heap's size including garbage not yet collected: what
// the process's resident memory follows, and updated at every allocation
// rather than once per GC cycle as the live-heap metric is.
const heapMetric = "/memory/classes/heap/objects:bytes"

// Once the heap reaches the bound, the watchdog collects garbage before
// deciding: Go's collector (GOGC=100) lets garbage grow as large as the live
// heap, and garbage (left by an earlier search, or by a simulation running
// beside this check) must not stop a search. The search is stopped if the
// live heap still fills more than liveShare of the bound: the collection
// takes a while, the search allocates meanwhile, and a live heap that close
// to the bound would otherwise force a collection at every poll. Forced
// collections are thus at least a quarter of the bound of allocation apart.
// The heap overshoots the bound by what the search allocates during that
// one collection: 10–20 % at 1 GiB (seeds that hit it peak at 1.05–1.1 GiB
// of RSS).
const liveShare = 0.75

// searchGuard stops porcupine searches from outside once the process's heap
// passes limit. One guard serves one pass (the verdict, the verbose pass of
// the page, the counterexample search); its flag never resets.
type searchGuard struct {
	limit   int64 // bytes; ≤ 0: no bound
	stopped atomic.Bool
	heap    atomic.Int64 // the live heap (after a collection) that set the flag
}

func newGuard(limit int64) *searchGuard { return &searchGuard{limit: limit} }

// resolveMemoryLimit turns LinOptions.MemoryLimit into a bound in bytes
// (≤ 0: none).
func resolveMemoryLimit(opt int64) int64 {
	switch {
	case opt == 0:
		return DefaultMemoryLimit
	case opt < 0:
		return 0
	}
	return opt
}

// model returns a copy of m whose steps are refused, without work, once the
// guard has stopped.
func (g *searchGuard) model(m porcupine.Model) porcupine.Model {
	if step := m.Step; step != nil {
		m.Step = func(state, input, output any) (bool, any) {
			if g.stopped.Load() {
				return false, state
			}
			return step(state, input, output)
		}
	}
	if step := m.StepContext; step != nil {
		m.StepContext = func(ctx context.Context, state, input, output any) (bool, any) {
			if g.stopped.Load() {
				return false, state
			}
			return step(ctx, state, input, output)
		}
	}
	return m
}

// stop sets the flag (tests, and the watchdog).
func (g *searchGuard) stop(heap int64) {
	g.heap.Store(heap)
	g.stopped.Store(true)
}

// hit reports whether the guard stopped; a porcupine answer obtained before
// hit first reports true is the real model's.
func (g *searchGuard) hit() bool { return g.stopped.Load() }

// reason says why the guard stopped a search, for an unknown verdict.
func (g *searchGuard) reason() string {
	return fmt.Sprintf("the search was stopped at the memory bound of %s (live heap %s)", FormatBytes(g.limit), roughBytes(g.heap.Load()))
}

// check stops the guard if the heap is over the bound and, once garbage is
// collected, still fills more than liveShare of it.
func (g *searchGuard) check(sample []metrics.Sample) {
	if heapBytes(sample) <= g.limit {
		return
	}
	runtime.GC()
	if h := heapBytes(sample); float64(h) > liveShare*float64(g.limit) {
		g.stop(h)
	}
}

// watch starts the watchdog and returns the function that ends it (and
// waits for it). The heap is the whole process's: checks that run at the
// same time share the bound. A heap already over the bound is checked
// before the search starts.
func (g *searchGuard) watch() (end func()) {
	if g.limit <= 0 {
		return func() {}
	}
	sample := []metrics.Sample{{Name: heapMetric}}
	if g.check(sample); g.hit() {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(memPoll)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if g.check(sample); g.hit() {
					return
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// heapBytes reads heapMetric into sample.
func heapBytes(sample []metrics.Sample) int64 {
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0 // not supported by this runtime: no bound rather than a false stop
	}
	return int64(sample[0].Value.Uint64())
}

// roughBytes writes n to about three significant digits in the largest
// binary unit that keeps it at least 1 ("1.02GiB", "996MiB").
func roughBytes(n int64) string {
	v, u := float64(n), 0
	for v >= 1024 && u < len(byteUnits)-1 {
		v /= 1024
		u++
	}
	digits := 0
	switch {
	case u == 0:
	case v < 10:
		digits = 2
	case v < 100:
		digits = 1
	}
	return strconv.FormatFloat(v, 'f', digits, 64) + byteUnits[u].name
}
