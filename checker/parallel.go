package checker

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// checkParts checks independent partitions of a history (keys, or segments
// of keys) on GOMAXPROCS workers, largest first, each in a search under g
// that ends by deadline (zero: none). It is porcupine's own parallel check
// with the parallelism bounded by the cores rather than one goroutine per
// partition, and with porcupine's serial preparation of each partition
// (sorting its events) spread over the workers too. The first illegal
// partition stops workers from starting more; a partition whose search a
// bound stopped makes the result Unknown unless another is Illegal, and the
// returned cause names that bound (memory first, then time, then steps).
// Once g stops, no partition starts and the running ones unwind; an answer
// porcupine gave after a bound stopped its search is not the model's and
// counts as Unknown.
func checkParts(g *searchGuard, model porcupine.Model, parts [][]porcupine.Operation, deadline time.Time) (porcupine.CheckResult, stopCause) {
	model.Partition = nil // each part is checked whole
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(parts[b]) - len(parts[a]) })
	var illegal atomic.Bool
	var causes [stopSteps + 1]atomic.Bool
	stop := func() bool { return illegal.Load() || g.hit() }
	forEachParallel(len(order), stop, func(i int) {
		s := g.search(deadline)
		if !s.expired() {
			// No timeout for porcupine: the search's own bounds stop it.
			if porcupine.CheckOperationsTimeout(s.model(model), parts[order[i]], 0) == porcupine.Illegal && s.cause() == stopNone {
				illegal.Store(true)
			}
		}
		// Once stopped, steps may have been refused (see guard.go): the
		// answer proves nothing, even if it is Illegal.
		causes[s.cause()].Store(true)
	})
	if g.hit() {
		causes[stopMemory].Store(true) // partitions may have been left unchecked
	}
	if illegal.Load() {
		return porcupine.Illegal, stopNone
	}
	for c := stopMemory; c <= stopSteps; c++ {
		if causes[c].Load() {
			return porcupine.Unknown, c
		}
	}
	return porcupine.Ok, stopNone
}

// forEachParallel calls do(i) for every i in [0, n), starting them in index
// order on at most GOMAXPROCS goroutines, and returns once all calls have.
// When stop (nil: never) reports true, no further call starts.
func forEachParallel(n int, stop func() bool, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
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
