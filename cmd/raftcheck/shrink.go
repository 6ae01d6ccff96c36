package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/raftcheck/raftcheck"
)

// shrinkFlags are the bounds of a shrink, shared by `shrink` and `sweep --shrink`.
type shrinkFlags struct {
	maxRuns   int
	timeLimit time.Duration
	target    string
}

// defaultShrinkTime bounds a shrink's wall time unless --shrink-time says
// otherwise: long enough that the bound on runs ends a normal search first.
const defaultShrinkTime = 15 * time.Minute

// options checks the bounds and returns them as the API takes them.
func (f shrinkFlags) options(prefix string, workers int) (raftcheck.ShrinkOptions, error) {
	switch {
	case f.maxRuns < 1:
		return raftcheck.ShrinkOptions{}, usagef("--%sruns: %d is not a positive number of runs", prefix, f.maxRuns)
	case f.timeLimit < 0:
		return raftcheck.ShrinkOptions{}, usagef("--%stime: %s is negative (0 = no bound)", prefix, f.timeLimit)
	}
	return raftcheck.ShrinkOptions{MaxRuns: f.maxRuns, MaxTime: f.timeLimit, Workers: workers, Target: f.target}, nil
}

// shrinkOutput is the `shrink --json` object: the search's record and
// where the shrunk run was stored.
type shrinkOutput struct {
	*raftcheck.ShrinkResult
	Store string `json:"store,omitempty"`
	// StoredTraceHash is the trace hash results.json recorded, and
	// HashMatch whether the first replay reproduced it.
	StoredTraceHash string `json:"stored_trace_hash"`
	HashMatch       bool   `json:"hash_match"`
}

func cmdShrink(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("shrink")
	var sf shrinkFlags
	fs.IntVar(&sf.maxRuns, "max-runs", raftcheck.DefaultShrinkRuns, "most runs to spend (the search then keeps the smallest failing run found so far)")
	fs.DurationVar(&sf.timeLimit, "time-limit", defaultShrinkTime, "most wall time to spend (0 = no bound); a search bounded by runs gives the same result on any machine, one bounded by time does not")
	fs.StringVar(&sf.target, "target", "", "the finding the shrunk run must keep (default: the run's first: an invariant, else linearizability, else a cheap check, else liveness)")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS); changes the speed, never the result")
	store := fs.String("store", "store", "result store for the shrunk run, stored as <name>-shrunk (\"\" = do not store it)")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout and nothing else there")
	if done, err := parseArgs(fs, args, "shrink [flags] DIR|results.json", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("want exactly one run directory or results.json (usage: raftcheck shrink [flags] DIR|results.json)")
	}
	if *workers < 0 {
		return exitUsage, usagef("--workers: %d is negative", *workers)
	}
	opts, err := sf.options("max-", *workers)
	if err != nil {
		return exitUsage, err
	}
	if err := checkStore(*store, raftcheck.DefaultConfig().Name); err != nil {
		return exitUsage, err
	}
	stored, cfg, err := raftcheck.LoadRun(fs.Arg(0))
	if err != nil {
		return exitUsage, usageError{err}
	}
	if stored.Verdict != raftcheck.Invalid {
		return exitUsage, usagef("%s: seed %d is %s: only a failing (invalid) run can be shrunk", fs.Arg(0), cfg.Seed, stored.Verdict)
	}
	if !*jsonOut {
		fmt.Fprintf(stdout, "shrinking seed %d (%s): %s\n", cfg.Seed, raftcheck.PrimaryFinding(stored), raftcheck.ReplayCommand(cfg))
		opts.Progress = func(st raftcheck.ShrinkStep) {
			fmt.Fprintf(stderr, "  [%s] %s (run %d)\n", st.Pass, st.Change, st.Runs)
		}
	}
	if opts.Target == "" {
		opts.Target = raftcheck.PrimaryFinding(stored)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := raftcheck.Shrink(ctx, cfg, opts)
	switch {
	case errors.Is(err, raftcheck.ErrNotFailing):
		return exitUnknown, fmt.Errorf("%s does not replay as it was stored (stored trace hash %s): %w", fs.Arg(0), stored.TraceHash, err)
	case err != nil:
		return runErrorCode(err), classify(err)
	}
	out := shrinkOutput{ShrinkResult: res, StoredTraceHash: stored.TraceHash, HashMatch: res.Before.TraceHash == stored.TraceHash}
	if !out.HashMatch {
		fmt.Fprintf(stderr, "raftcheck shrink: warning: the replay of %s is another run (trace hash %s, stored %s): this build differs from the one that stored it; shrinking the replay\n",
			fs.Arg(0), res.Before.TraceHash, stored.TraceHash)
	}
	var storeErr error
	if *store != "" {
		var r *raftcheck.Result
		r, storeErr = raftcheck.StoreShrink(res, *store)
		if r != nil {
			out.Store = r.Store
		}
	}
	if *jsonOut {
		if err := writeJSON(stdout, out); err != nil {
			return exitInternal, err
		}
	} else {
		fmt.Fprintln(stdout)
		if err := res.WriteText(stdout); err != nil {
			return exitInternal, err
		}
		if out.Store != "" {
			fmt.Fprintf(stdout, "reports:  %s (shrink.txt, shrink.json)\n", out.Store)
		}
	}
	if storeErr != nil {
		return exitInternal, fmt.Errorf("storing the shrunk run: %w", storeErr)
	}
	return exitInvalid, nil // the shrunk run fails, as the original did
}
