package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker/report"
)

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("run")
	var rf runFlags
	addRunFlags(fs, &rf)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage, usageError{err}
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := rf.finish(fs); err != nil {
		return exitUsage, usageError{err}
	}
	log, err := newLogger(stderr, rf.logLevel)
	if err != nil {
		return exitUsage, err
	}
	cfg := rf.cfg
	if err := cfg.Validate(); err != nil {
		return exitUsage, usageError{err}
	}
	log.Info().Uint64("seed", cfg.Seed).Int("nodes", cfg.Nodes).Str("max_time", cfg.MaxTime.String()).Msg("run starting")
	res, err := raftcheck.Run(cfg)
	if err != nil {
		if res == nil {
			return runErrorCode(err), classify(err)
		}
		// The run finished but storing it failed: still report the verdict.
		fmt.Fprintln(stderr, "raftcheck run:", err)
	}
	if rf.jsonOut {
		if err := writeJSON(stdout, runJSON(res)); err != nil {
			return exitInternal, err
		}
	} else {
		printRun(stdout, res)
	}
	return verdictCode(res.Verdict), nil
}

// classify marks configuration errors as usage errors (exit 254).
func classify(err error) error {
	if errors.Is(err, raftcheck.ErrInternal) {
		return err
	}
	return usageError{err}
}

func runErrorCode(err error) int {
	if errors.Is(err, raftcheck.ErrInternal) {
		return exitInternal
	}
	return exitUsage
}

func verdictCode(v string) int {
	switch v {
	case raftcheck.Valid:
		return exitValid
	case raftcheck.Invalid:
		return exitInvalid
	}
	return exitUnknown
}

// runJSON is the documented `run --json` object.
func runJSON(r *raftcheck.Result) map[string]any {
	return map[string]any{
		"seed":            r.Seed,
		"verdict":         r.Verdict,
		"reasons":         r.Reasons,
		"linearizability": r.Linearizability,
		"invariants":      r.Invariants,
		"liveness":        r.Liveness,
		"trace_hash":      r.TraceHash,
		"stats":           r.Stats,
		"store":           r.Store,
		"replay":          r.Replay,
		"nodes":           r.Nodes,
		"leader":          r.Leader,
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printRun prints the per-node table, the verdict with its reasons and where the reports are.
func printRun(w io.Writer, r *raftcheck.Result) {
	fmt.Fprintf(w, "seed %d: %d events, %.1f s simulated in %.2f s wall (%.0fx real time)\n\n",
		r.Seed, r.Stats.Events, r.Stats.SimSeconds, r.Stats.WallSeconds, r.Stats.SimSeconds/max(r.Stats.WallSeconds, 1e-9))
	_ = report.WriteNodeTable(w, r.Nodes)
	leader := "none"
	if r.Leader != 0 {
		leader = fmt.Sprintf("node %d", r.Leader)
	}
	alive := 0
	for _, n := range r.Nodes {
		if n.Alive {
			alive++
		}
	}
	fmt.Fprintf(w, "\nleader: %s   alive: %d/%d\n", leader, alive, len(r.Nodes))
	o := r.Stats.Ops
	fmt.Fprintf(w, "ops: %d invoked, %d ok, %d fail, %d info, %d pending   availability %.1f%%   latency p50 %.1f ms, p99 %.1f ms\n",
		o.Invoked, o.OK, o.Fail, o.Info, o.Pending, 100*r.Stats.Availability, r.Stats.LatencyP50, r.Stats.LatencyP99)
	fmt.Fprintf(w, "messages: %d sent, %d dropped, %d duplicated   faults: %d windows\n",
		r.Stats.MessagesSent, r.Stats.MessagesDropped, r.Stats.MessagesDuplicated, r.Stats.FaultEvents)
	fmt.Fprintf(w, "linearizability: %s   invariants: %d violated   liveness: %s\n", r.Linearizability, len(r.Invariants), r.Liveness)
	fmt.Fprintf(w, "\nverdict: %s\n", strings.ToUpper(r.Verdict))
	for _, reason := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", reason)
	}
	fmt.Fprintf(w, "trace hash: %s\n", r.TraceHash)
	if r.Store != "" {
		fmt.Fprintf(w, "reports: %s/{summary.txt,timeline.html,linearizability.html,latency.svg,rate.svg}\n", r.Store)
	}
	fmt.Fprintf(w, "replay: %s\n", r.Replay)
}
