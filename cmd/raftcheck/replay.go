package main

import (
	"fmt"
	"io"

	"github.com/raftcheck/raftcheck"
)

// replayOutput is the `replay --json` object: the replayed run's `run --json`
// object plus the stored hash and whether the two match.
type replayOutput struct {
	runOutput
	StoredTraceHash string `json:"stored_trace_hash"`
	HashMatch       bool   `json:"hash_match"`
}

func cmdReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	store := fs.String("store", "", "also store the replayed run in this result store")
	if done, err := parseArgs(fs, args, "replay [flags] DIR|results.json", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("want exactly one run directory or results.json (usage: raftcheck replay [flags] DIR|results.json)")
	}
	if err := checkStoreDir(*store); err != nil {
		return exitUsage, err
	}
	stored, cfg, err := raftcheck.LoadRun(fs.Arg(0))
	if err != nil {
		return exitUsage, usageError{err}
	}
	cfg.Store = *store
	if !*jsonOut {
		// The stored config chooses the implementation (and every knob).
		fmt.Fprintf(stdout, "replaying seed %d on raft %s: %s\n", cfg.Seed, cfg.Raft, raftcheck.ReplayCommand(cfg))
	}
	res, err := raftcheck.Run(cfg)
	if err != nil && res == nil {
		return runErrorCode(err), classify(err)
	}
	if err != nil {
		fmt.Fprintln(stderr, "raftcheck replay:", err)
	}
	match := res.TraceHash == stored.TraceHash
	if *jsonOut {
		out := replayOutput{runOutput: newRunOutput(res), StoredTraceHash: stored.TraceHash, HashMatch: match}
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
	if !match {
		fmt.Fprintf(stderr, "raftcheck replay: trace hash mismatch: stored %s, replayed %s — the run is not reproducible with this build\n",
			stored.TraceHash, res.TraceHash)
		return exitInternal, nil
	}
	if !*jsonOut {
		fmt.Fprintln(stdout, "trace hashes match: the run reproduced bit for bit")
	}
	if err != nil {
		return exitInternal, nil
	}
	return verdictCode(res.Verdict), nil
}
