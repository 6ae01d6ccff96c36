package checker

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Bounding the memory of porcupine's search.
//
// Porcupine caches every (linearized set, state) pair it visits, so a hard
// history can fill memory long before a timeout fires; it only offers a
// timeout, and its own context cannot be cancelled from outside. What it
// does call on every step is the model's Step, so a search is stopped
// through the model (search.go): each search gets a copy of the model whose
// Step first reads the guard's flag, and every tickSteps steps reads the
// heap (at most every memPoll of the clock) and sets that flag once the heap
// passes the bound. From then on every step is refused without work:
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
//
// The heap and the clock are read through probes (probes.go): the runtime's
// in a check, scripted fakes in tests.

// DefaultMemoryLimit is the heap bound of a linearizability search when
// LinOptions.MemoryLimit is 0: 4 GiB, far above what a search that finishes
// needs (a standard run peaks at ~40 MB of RSS, checking the 80 shared
// Jepsen logs at ~55 MB) and within what a developer machine or CI runner
// has. It is a fixed number rather than a share of the machine's memory so
// that a verdict does not depend on where it was computed.
const DefaultMemoryLimit int64 = 4 << 30

// memPoll is how often, by the clock, the searches read the heap: a search
// allocates a few hundred MiB/s, so a poll overshoots the bound by ~10 MiB,
// and each read costs well under a microsecond.
const memPoll = 25 * time.Millisecond

// While a guard watches, the runtime's soft memory limit
// (debug.SetMemoryLimit) is lowered to the bound, so the collector paces
// itself to keep the whole process's memory under it, whatever GOGC says:
// the CLI collects at 5× the live heap (GOGC=400), and without the limit a
// search grows its heap several times past the bound while one collection
// crawls through it (porcupine's kv test c50-bad, bounded at 512MiB, peaked
// at 3.2 GB of RSS). The limit is soft: it never fails an allocation, it
// only makes the collector work harder.
//
// The guard then stops the searches once the live heap fills more than
// liveShare of the bound. Garbage must not stop a search (garbage left by an
// earlier search, or by a simulation running beside this check), and the
// live heap the runtime reports is the one marked at the latest collection,
// which may count objects that have died since; so before stopping, the
// guard collects once itself and decides on the fresh figure. It also
// collects when the heap, garbage included, passes the bound. A collection
// the guard forced is never forced again for the same figure, so forced
// collections are at most one per collection the runtime started, and
// those are at least a quarter of the bound of allocation apart once the
// live heap is that high. The guarded searches wait while the guard
// collects (a collection of gigabytes takes seconds, and a search
// allocating all along ended 10 % past the bound at 4GiB); with both, c50-bad
// at 512MiB peaks at about 530 MB of RSS and at 4GiB at about 4.25 GB.
const liveShare = 0.75

// searchGuard holds the bounds shared by the porcupine searches of one
// check: the heap bound, which stops them all once the process's heap
// passes it (holding their steps while it collects garbage to decide), and
// the step bound each search gets (search.go). One guard serves one check:
// the verdict's search, and for an illegal history the verbose pass and the
// counterexample search after it (a later verbose pass for a page gets its
// own); its flag never resets.
type searchGuard struct {
	limit   int64 // bytes; ≤ 0: no bound
	steps   int64 // the step bound of each search; ≤ 0: none
	p       *probes
	stopped atomic.Bool
	heap    atomic.Int64 // the live heap (after a collection) that set the flag

	// paused holds the searches' steps while the guard collects (under
	// mu; resumed is broadcast when it clears).
	paused  atomic.Bool
	mu      sync.Mutex
	resumed *sync.Cond

	// polling serializes the heap polls of concurrent searches, and guards
	// lastPoll and forced.
	polling sync.Mutex
	// lastPoll is the clock's reading at the latest poll (zero: none yet).
	lastPoll time.Time
	// forced is the collection count after the guard's latest forced
	// collection.
	forced uint64
}

// newGuard returns a guard of limit bytes (≤ 0: none) whose searches stop
// after steps steps (≤ 0: no bound), reading the clock and the heap
// through p (nil: the real ones).
func newGuard(limit, steps int64, p *probes) *searchGuard {
	g := &searchGuard{limit: limit, steps: steps, p: p.orReal()}
	g.resumed = sync.NewCond(&g.mu)
	return g
}

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

// wait returns once the guard has resumed the searches.
func (g *searchGuard) wait() {
	g.mu.Lock()
	for g.paused.Load() {
		g.resumed.Wait()
	}
	g.mu.Unlock()
}

// pause holds every step of the guarded searches until resume.
func (g *searchGuard) pause() {
	g.mu.Lock()
	g.paused.Store(true)
	g.mu.Unlock()
}

func (g *searchGuard) resume() {
	g.mu.Lock()
	g.paused.Store(false)
	g.resumed.Broadcast()
	g.mu.Unlock()
}

// stop sets the flag (tests, and check).
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

// poll checks the heap if memPoll has passed on the clock since the
// latest poll; a search calls it every tickSteps steps with the clock's
// reading.
func (g *searchGuard) poll(now time.Time) {
	if g.limit <= 0 {
		return
	}
	g.polling.Lock()
	defer g.polling.Unlock()
	if g.hit() || (!g.lastPoll.IsZero() && now.Sub(g.lastPoll) < memPoll) {
		return
	}
	g.lastPoll = now
	g.check()
}

// check stops the guard if the live heap fills more than liveShare of the
// bound, as measured by a collection the guard forces when the runtime's
// figures suggest it (see liveShare). The caller holds polling, or is the
// only one to use the guard.
func (g *searchGuard) check() {
	r := g.p.heap()
	over := float64(r.live) > liveShare*float64(g.limit)
	switch {
	case over && r.cycles == g.forced:
		g.stop(r.live) // the figure of the guard's own collection
		return
	case !over && (r.total <= g.limit || r.cycles == g.forced):
		// Under the live bound: garbage alone over the bound is the
		// runtime's to collect, and the guard forces at most one
		// collection per collection the runtime started.
		return
	}
	// The searches wait meanwhile: a collection of a heap of gigabytes
	// takes seconds, and a search allocating all along would end it far
	// past the bound.
	g.pause()
	defer g.resume()
	g.p.collect()
	r = g.p.heap()
	g.forced = r.cycles
	if float64(r.live) > liveShare*float64(g.limit) {
		g.stop(r.live)
	}
}

// watch readies the guard for its searches and returns the function that
// ends its watch. The heap is the whole process's: checks that run at the
// same time share the bound. A heap already over the bound is checked
// before the search starts; the searches then poll it as they step. Until
// end is called, the runtime's memory limit is at most the bound (see
// lowerMemoryLimit).
func (g *searchGuard) watch() (end func()) {
	if g.limit <= 0 {
		return func() {}
	}
	restore := g.p.lowerLimit(g.limit)
	g.polling.Lock()
	g.check()
	g.polling.Unlock()
	return restore
}

// memLimits are the bounds of the guards watching now, and the runtime's
// memory limit from before the first of them started.
var memLimits struct {
	sync.Mutex
	active []int64
	saved  int64
}

// lowerMemoryLimit sets the runtime's soft memory limit to the smallest of
// limit, the bounds of the other guards watching, and the limit in force
// before any of them started (GOMEMLIMIT, or a caller's SetMemoryLimit,
// still wins when lower). The returned function undoes it; once the last
// guard is done, the earlier limit is back. A limit the program changes
// while guards watch is overwritten.
func lowerMemoryLimit(limit int64) (restore func()) {
	memLimits.Lock()
	defer memLimits.Unlock()
	if len(memLimits.active) == 0 {
		memLimits.saved = debug.SetMemoryLimit(-1)
	}
	memLimits.active = append(memLimits.active, limit)
	debug.SetMemoryLimit(min(memLimits.saved, slices.Min(memLimits.active)))
	var once sync.Once
	return func() {
		once.Do(func() {
			memLimits.Lock()
			defer memLimits.Unlock()
			i := slices.Index(memLimits.active, limit)
			memLimits.active = slices.Delete(memLimits.active, i, i+1)
			if len(memLimits.active) == 0 {
				debug.SetMemoryLimit(memLimits.saved)
				return
			}
			debug.SetMemoryLimit(min(memLimits.saved, slices.Min(memLimits.active)))
		})
	}
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
