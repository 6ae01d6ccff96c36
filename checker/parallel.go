package checker

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// partsResult is what checkParts found.
type partsResult struct {
	res   porcupine.CheckResult
	cause stopCause // for Unknown: the bound that stopped a search
	// bad is, for Illegal, the index in parts of the partition proved
	// illegal first.
	bad int
	// proved[i] reports that parts[i] was proved linearizable.
	proved []bool
}

// checkParts checks independent partitions of a history (keys, or segments
// of keys) on searchWorkers workers, largest first, each in a search under
// g that ends by deadline (zero: none). It is porcupine's own parallel
// check with the parallelism bounded rather than one goroutine per
// partition, and with porcupine's serial preparation of each partition
// (sorting its events) spread over the workers too. As in porcupine, the
// first illegal partition decides: no partition starts after it, and the
// running ones are cancelled. A partition whose search a bound stopped
// makes the result Unknown unless another is Illegal, and the returned
// cause names that bound (memory first, then time, then steps). Once g
// stops, no partition starts and the running ones unwind; an answer
// porcupine gave after a bound stopped its search is not the model's and
// counts as Unknown.
func checkParts(g *searchGuard, model porcupine.Model, parts [][]porcupine.Operation, deadline time.Time) partsResult {
	var illegal atomic.Bool
	return checkPartsWith(g, model, parts, deadline, &illegal)
}

// checkPartsWith is checkParts with the flag the first illegal partition
// sets, which cancels the others (tests watch it).
func checkPartsWith(g *searchGuard, model porcupine.Model, parts [][]porcupine.Operation, deadline time.Time, illegal *atomic.Bool) partsResult {
	model.Partition = nil // each part is checked whole
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(parts[b]) - len(parts[a]) })
	bad := atomic.Int64{}
	bad.Store(-1)
	var causes [stopCancel + 1]atomic.Bool
	proved := make([]bool, len(parts)) // each written by the one worker that checks it
	stop := func() bool { return illegal.Load() || g.hit() }
	forEachParallelOn(searchWorkers(len(order)), len(order), stop, func(i int) {
		s := g.search(deadline)
		s.cancel = illegal
		if !s.expired() {
			// No timeout for porcupine: the search's own bounds stop it.
			res := porcupine.CheckOperationsTimeout(s.model(model), parts[order[i]], 0)
			switch {
			case s.cause() != stopNone:
			case res == porcupine.Illegal:
				bad.CompareAndSwap(-1, int64(order[i]))
				illegal.Store(true)
			case res == porcupine.Ok:
				proved[order[i]] = true
			}
		}
		// Once stopped, steps may have been refused (see guard.go): the
		// answer proves nothing, even if it is Illegal.
		causes[s.cause()].Store(true)
	})
	if illegal.Load() {
		return partsResult{res: porcupine.Illegal, bad: int(bad.Load()), proved: proved}
	}
	if g.hit() {
		causes[stopMemory].Store(true) // partitions may have been left unchecked
	}
	for c := stopMemory; c <= stopSteps; c++ {
		if causes[c].Load() {
			return partsResult{res: porcupine.Unknown, cause: c, bad: -1, proved: proved}
		}
	}
	return partsResult{res: porcupine.Ok, bad: -1, proved: proved}
}

// minSearchWorkers is the fewest partitions checkParts searches at once,
// however few the cores. Porcupine searches every partition at once, so
// the quickest to refute ends an illegal check whatever the others cost;
// searching only as many as there are cores, largest first, an illegal
// history whose largest keys are slow to search (porcupine's c50-bad: the
// slowest takes seconds, the quickest 10ms) waits for them. A few more
// searches than cores keep that property for histories of a few keys, and
// segments (segment.go) keep each search small.
const minSearchWorkers = 16

// searchWorkers is how many of n partitions checkParts searches at once.
func searchWorkers(n int) int {
	return min(n, max(runtime.GOMAXPROCS(0), minSearchWorkers))
}

// forEachParallel calls do(i) for every i in [0, n), starting them in index
// order on at most GOMAXPROCS goroutines, and returns once all calls have.
// When stop (nil: never) reports true, no further call starts.
func forEachParallel(n int, stop func() bool, do func(i int)) {
	forEachParallelOn(min(runtime.GOMAXPROCS(0), n), n, stop, do)
}

// forEachParallelOn is forEachParallel on workers goroutines.
func forEachParallelOn(workers, n int, stop func() bool, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for stop == nil || !stop() {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				do(i)
			}
		})
	}
	wg.Wait()
}
