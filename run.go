package raftcheck

import (
	"context"
	"os"
	"time"

	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/store"
)

// ErrInternal marks failures of raftcheck itself rather than of the system under
// test (the CLI exits 255 on them).
var ErrInternal = harness.ErrInternal

// Run executes one seeded run of cfg: simulate, check, and (when cfg.Store is
// set) write the run's directory. An error means the run could not be carried
// out (bad config: wraps the field name; or an internal failure: wraps
// ErrInternal); a failing system under test is a Result with Verdict invalid.
// It is RunContext with a context that never ends.
func Run(cfg Config) (*Result, error) {
	return RunContext(context.Background(), cfg)
}

// RunContext is Run that stops when ctx ends: the simulation looks at ctx
// between slices of a tenth of a second of simulated time, and checking
// stops waiting for the linearizability search (which then ends at its own
// bound, cfg.CheckTimeout). A stopped run returns no Result and an error
// that names the seed and how far the simulation got, and wraps ctx.Err()
// (errors.Is(err, context.DeadlineExceeded) after a deadline) and the
// context's cause, if any. Looking at ctx changes nothing in the run: a run
// that finishes has the same Result, trace hash included, with any context.
func RunContext(ctx context.Context, cfg Config) (*Result, error) {
	start := time.Now()
	if cfg.Store != "" {
		// Before the run, not after minutes of it: a store that cannot be
		// written, or a name that cannot be a directory, is bad input.
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
		if err := store.Check(cfg.Store, cfg.Name); err != nil {
			return nil, err
		}
	}
	x, out, res, err := execute(ctx, cfg, start)
	if err != nil {
		return nil, err
	}
	if cfg.Store != "" && (!cfg.StoreFailuresOnly || res.Failed()) {
		if err := save(cfg, x, out, res, start); err != nil {
			return res, err
		}
	}
	return res, nil
}

// execute parses cfg, then simulates and checks it until ctx ends, and
// keeps the execution for what the caller does next (RunContext stores it,
// runTimed dates its findings). start is when the run began, for the
// result's wall-clock figures.
func execute(ctx context.Context, cfg Config, start time.Time) (*harness.Execution, *harness.Outcome, *Result, error) {
	opts, err := cfg.options()
	if err != nil {
		return nil, nil, nil, err
	}
	x, out, err := harness.Execute(ctx, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	return x, out, newResult(cfg, out, start), nil
}

// save writes the run's directory in cfg.Store and records it in res.Store.
func save(cfg Config, x *harness.Execution, out *harness.Outcome, res *Result, start time.Time) error {
	dir, err := store.MakeRunDir(cfg.Store, cfg.Name, cfg.Seed, start)
	if err != nil {
		return err
	}
	res.Store = dir
	// The reports name the implementation even when it is the default: a
	// reader must never have to guess which Raft ran.
	flags := []report.KV{{Key: "raft", Value: cfg.Raft}}
	for _, f := range cfg.Flags() {
		if f.Name != "raft" {
			flags = append(flags, report.KV{Key: f.Name, Value: f.Value})
		}
	}
	wall := time.Duration(res.Stats.WallSeconds * float64(time.Second))
	reps := x.Reports(out, harness.ReportMeta{Config: flags, Replay: res.Replay, Wall: wall})
	err = store.Save(cfg.Store, dir, store.Run{
		History:  x.History(),
		LinPage:  reps.LinPage,
		FullPage: reps.FullPage,
		Report:   reps.Run,
		Results:  storedResult{Result: res, Config: cfg, Version: resultsVersion},
	})
	if _, serr := os.Stat(dir); err != nil && serr != nil {
		res.Store = "" // Save removed what it had written
	}
	return err
}
