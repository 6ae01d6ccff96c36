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
// of keys) on GOMAXPROCS workers, largest first, within timeout (0: none). It
// is porcupine's own parallel check with the parallelism bounded by the
// cores rather than one goroutine per partition, and with porcupine's serial
// preparation of each partition (sorting its events) spread over the
// workers too. The first illegal partition stops workers from starting
// more; a partition whose search ran out of time makes the result Unknown
// unless another is Illegal. Once g stops, no partition starts and the
// running ones unwind; an answer porcupine gave after g stopped is not the
// model's and counts as Unknown.
func checkParts(g *searchGuard, model porcupine.Model, parts [][]porcupine.Operation, timeout time.Duration) porcupine.CheckResult {
	model = g.model(model)
	model.Partition = nil // each part is checked whole
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(parts[b]) - len(parts[a]) })
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	var illegal, unknown atomic.Bool
	stop := func() bool { return illegal.Load() || g.hit() }
	forEachParallel(len(order), stop, func(i int) {
		left := time.Duration(0)
		if timeout > 0 {
			if left = time.Until(deadline); left <= 0 {
				unknown.Store(true)
				return
			}
		}
		res := porcupine.CheckOperationsTimeout(model, parts[order[i]], left)
		switch {
		case g.hit():
			// Steps may have been refused (see guard.go): the answer
			// proves nothing, even if it is Illegal.
			unknown.Store(true)
		case res == porcupine.Illegal:
			illegal.Store(true)
		case res == porcupine.Unknown:
			unknown.Store(true)
		}
	})
	if g.hit() && !illegal.Load() {
		unknown.Store(true) // partitions may have been left unchecked
	}
	switch {
	case illegal.Load():
		return porcupine.Illegal
	case unknown.Load():
		return porcupine.Unknown
	}
	return porcupine.Ok
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
