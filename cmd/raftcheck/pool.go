package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/raftcheck/raftcheck"
)

// job is one run of a sweep or suite.
type job struct {
	Index int // position in the job list
	// Label names a suite's run ("<scenario> seed <n>"); it is empty in a
	// plain sweep, where the seed alone names the run.
	Label string
	Cfg   raftcheck.Config
	// KeepAll stores every run, not only failing ones.
	KeepAll bool
}

// name is how messages refer to the job: its label, or "seed <n>".
func (j job) name() string {
	if j.Label != "" {
		return j.Label
	}
	return "seed " + strconv.FormatUint(j.Cfg.Seed, 10)
}

// outcome is a finished job.
type outcome struct {
	job
	Res *raftcheck.Result
	Err error
}

// runPool runs jobs on workers goroutines (the CLI is outside the simulation
// path; each run is itself single-threaded and deterministic). It stops taking
// new jobs when ctx is done or, with failFast, after the first failure; every
// job already finished is reported through done, in completion order.
func runPool(ctx context.Context, jobs []job, workers int, failFast bool, done func(outcome)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(jobs), 1)) // no idle goroutines
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan job)
	results := make(chan outcome)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if ctx.Err() != nil {
					continue // stopping: handed over, but not started
				}
				res, err := runJob(j)
				if failFast && (err != nil || res.Failed()) {
					// Cancel before reporting, so this worker cannot take
					// another job in between: with one worker, --fail-fast
					// stops exactly at the first failing seed.
					cancel()
				}
				results <- outcome{job: j, Res: res, Err: err}
			}
		}()
	}
	go func() {
		defer close(next)
		for _, j := range jobs {
			if ctx.Err() != nil {
				return // select picks at random among ready cases: check first
			}
			select {
			case <-ctx.Done():
				return
			case next <- j:
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	for o := range results {
		done(o)
	}
}

// runJob runs without storing, then reruns a failing seed with the store on:
// runs are deterministic, so the rerun is the same run, and only failures pay
// for writing reports.
func runJob(j job) (*raftcheck.Result, error) {
	store := j.Cfg.Store
	cfg := j.Cfg
	if !j.KeepAll {
		cfg.Store = ""
	}
	res, err := raftcheck.Run(cfg)
	if err != nil || j.KeepAll || !res.Failed() || store == "" {
		return res, err
	}
	cfg.Store = store
	again, err := raftcheck.Run(cfg)
	if err == nil && again.TraceHash != res.TraceHash {
		// The stored reports would describe a different run than the one counted.
		return res, fmt.Errorf("%w: seed %d is not deterministic: trace hash %s, then %s on the rerun that stores it",
			raftcheck.ErrInternal, cfg.Seed, res.TraceHash, again.TraceHash)
	}
	return again, err
}
