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
// unless another is Illegal.
func checkParts(model porcupine.Model, parts [][]porcupine.Operation, timeout time.Duration) porcupine.CheckResult {
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
	var (
		next             atomic.Int64
		illegal, unknown atomic.Bool
		wg               sync.WaitGroup
	)
	workers := min(runtime.GOMAXPROCS(0), len(parts))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !illegal.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(order) {
					return
				}
				left := time.Duration(0)
				if timeout > 0 {
					if left = time.Until(deadline); left <= 0 {
						unknown.Store(true)
						return
					}
				}
				switch porcupine.CheckOperationsTimeout(model, parts[order[i]], left) {
				case porcupine.Illegal:
					illegal.Store(true)
				case porcupine.Unknown:
					unknown.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	switch {
	case illegal.Load():
		return porcupine.Illegal
	case unknown.Load():
		return porcupine.Unknown
	}
	return porcupine.Ok
}
