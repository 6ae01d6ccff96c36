package main

import (
	"fmt"
	"io"

	"github.com/raftcheck/raftcheck"
)

func cmdReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	store := fs.String("store", "", "also store the replayed run in this result store")
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage, usageError{err}
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("usage: raftcheck replay DIR|results.json")
	}
	stored, cfg, err := raftcheck.LoadRun(fs.Arg(0))
	if err != nil {
		return exitUsage, usageError{err}
	}
	cfg.Store = *store
	res, err := raftcheck.Run(cfg)
	if err != nil {
		return runErrorCode(err), classify(err)
	}
	match := res.TraceHash == stored.TraceHash
	if *jsonOut {
		out := runJSON(res)
		out["stored_trace_hash"] = stored.TraceHash
		out["hash_match"] = match
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
	return verdictCode(res.Verdict), nil
}
