package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/internal/pool"
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

// runPool runs jobs on the shared worker pool (internal/pool). It stops
// taking new jobs when ctx is done or, with failFast, after the first failure
// (with one worker, exactly there); every job already finished is reported
// through done, in completion order.
func runPool(ctx context.Context, jobs []job, workers int, failFast bool, done func(outcome)) {
	pool.Run(ctx, len(jobs), workers,
		func(i int) outcome {
			res, err := runJob(jobs[i])
			return outcome{job: jobs[i], Res: res, Err: err}
		},
		func(_ int, o outcome) bool { return failFast && (o.Err != nil || o.Res.Failed()) },
		func(_ int, o outcome) { done(o) })
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

// workersPerProc caps --workers at this many per GOMAXPROCS: a run is
// single-threaded and CPU-bound, so more runs than processors only queue,
// while each holds its own cluster and history in memory (hundreds of MB
// for a big one): a --workers 1000 typo would exhaust memory, not finish
// sooner.
const workersPerProc = 4

// capWorkers checks --workers (0: GOMAXPROCS) and caps it at
// workersPerProc × GOMAXPROCS, saying so on stderr.
func capWorkers(n int, stderr io.Writer) (int, error) {
	if n < 0 {
		return 0, usagef("--workers: %d is negative", n)
	}
	procs := runtime.GOMAXPROCS(0)
	if limit := workersPerProc * procs; n > limit {
		fmt.Fprintf(stderr, "raftcheck: --workers %d capped at %d (%d × GOMAXPROCS %d): runs are CPU-bound, and each holds its own cluster in memory\n",
			n, limit, workersPerProc, procs)
		return limit, nil
	}
	return n, nil
}
