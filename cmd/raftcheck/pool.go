package main

import (
	"context"
	"runtime"
	"sync"

	"github.com/raftcheck/raftcheck"
)

// job is one run of a sweep or suite.
type job struct {
	Index int // position in the job list
	Label string
	Cfg   raftcheck.Config
	// KeepAll stores every run, not only failing ones.
	KeepAll bool
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
				res, err := runJob(j)
				results <- outcome{job: j, Res: res, Err: err}
			}
		}()
	}
	go func() {
		defer close(next)
		for _, j := range jobs {
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
		if failFast && (o.Err != nil || o.Res.Failed()) {
			cancel()
		}
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
	return raftcheck.Run(cfg)
}
