package main

import (
	"fmt"
	"io"

	"github.com/raftcheck/raftcheck"
)

// replayOutput is the `replay --json` object: the replayed run's `run --json`
// object plus the stored hash and verdict and whether each matches.
type replayOutput struct {
	runOutput
	StoredTraceHash string `json:"stored_trace_hash"`
	HashMatch       bool   `json:"hash_match"`
	StoredVerdict   string `json:"stored_verdict"`
	VerdictMatch    bool   `json:"verdict_match"`
}

func cmdReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	storeDir := fs.String("store", "", "also store the replayed run in this result store")
	if done, err := parseArgs(fs, args, "replay [flags] DIR|results.json", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("want exactly one run directory or results.json (usage: raftcheck replay [flags] DIR|results.json)")
	}
	stored, cfg, err := raftcheck.LoadRun(fs.Arg(0))
	if err != nil {
		return exitUsage, usageError{err}
	}
	if err := checkStore(*storeDir, cfg.Name); err != nil {
		return exitUsage, err
	}
	cfg.Store = *storeDir
	limitMemory(cfg.CheckMemory)
	if !*jsonOut {
		// The stored config chooses the implementation (and every knob).
		fmt.Fprintf(stdout, "replaying seed %d on raft %s: %s\n", cfg.Seed, cfg.Raft, asInvoked(raftcheck.ReplayCommand(cfg)))
	}
	res, err := raftcheck.Run(cfg)
	if err != nil && res == nil {
		return runErrorCode(err), classify(err)
	}
	if err != nil {
		fmt.Fprintln(stderr, "raftcheck replay:", err)
	}
	match := res.TraceHash == stored.TraceHash
	sameVerdict := res.Verdict == stored.Verdict
	if *jsonOut {
		out := replayOutput{runOutput: newRunOutput(res), StoredTraceHash: stored.TraceHash, HashMatch: match,
			StoredVerdict: stored.Verdict, VerdictMatch: sameVerdict}
		if err != nil {
			out.Error = err.Error()
		}
		if err := writeJSON(stdout, out); err != nil {
			return exitInternal, err
		}
	} else {
		fmt.Fprintf(stdout, "stored   trace hash %s  verdict %s\nreplayed trace hash %s  verdict %s\n",
			stored.TraceHash, stored.Verdict, res.TraceHash, res.Verdict)
	}
	switch {
	case !match:
		fmt.Fprintf(stderr, "raftcheck replay: trace hash mismatch: stored %s, replayed %s — the run is not reproducible with this build\n",
			stored.TraceHash, res.TraceHash)
		return exitInternal, nil
	case !sameVerdict:
		// The simulation reproduced, its verdict did not: the checkers
		// differ from the build that stored it, a wall-clock or memory
		// bound of the search gave up on one machine and not the other,
		// or the file's verdict was edited.
		fmt.Fprintf(stderr, "raftcheck replay: verdict mismatch: the trace hashes match (the simulation reproduced), but the stored verdict is %s and the replayed one %s — the checkers of this build, a --check-timeout or --check-memory bound, or an edit of the file made the difference\n",
			stored.Verdict, res.Verdict)
		if res.Verdict == raftcheck.Invalid {
			return exitInvalid, nil // a finding outranks the mismatch
		}
		return exitInternal, nil
	}
	if !*jsonOut {
		fmt.Fprintln(stdout, "trace hashes match, and so do the verdicts: the run reproduced bit for bit")
	}
	if err != nil {
		return exitInternal, nil
	}
	return verdictCode(res.Verdict), nil
}
