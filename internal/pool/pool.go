// Package pool is the one worker pool of raftcheck's many-run commands:
// sweep, suite, bench and the planted bugs' measurement all run their jobs
// through Run. It lives outside the simulation path: each job is a whole
// run, itself single-threaded and deterministic, so running jobs in
// parallel changes when they finish, never what they compute.
package pool

import (
	"context"
	"runtime"
	"sync"
)

// Run calls work(i) for every job i in 0..n-1 on at most workers goroutines
// (0: GOMAXPROCS) and hands each result to done, on Run's own goroutine, in
// completion order; it returns when every started job has been reported.
//
// Jobs start in index order, so when a job starts every job before it has
// started. Run starts no new job once ctx is done, or once halt (called on
// the worker's goroutine, right after the job and before its report; nil:
// never) returns true for a finished one: with one worker, a halting job is
// the last one run. Jobs already running when Run stops finish and are
// reported; jobs never started are not reported.
func Run[T any](ctx context.Context, n, workers int, work func(i int) T, halt func(i int, r T) bool, done func(i int, r T)) {
	if n <= 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n) // no idle goroutines
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i int
		r T
	}
	var (
		mu      sync.Mutex
		next    int
		results = make(chan result)
		wg      sync.WaitGroup
	)
	// claim returns the next job to start, or false when none may start.
	claim := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := claim()
				if !ok {
					return
				}
				r := work(i)
				if halt != nil && halt(i, r) {
					// Before the report: this worker cannot claim another
					// job in between.
					cancel()
				}
				results <- result{i, r}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	for res := range results {
		done(res.i, res.r)
	}
}
