package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/nemesis"
)

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("run")
	var rf runFlags
	addRunFlags(fs, &rf)
	if done, err := parseArgs(fs, args, "run [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
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
	if err := checkStore(cfg.Store, cfg.Name); err != nil {
		return exitUsage, err
	}
	limitMemory(cfg.CheckMemory)
	log.Info().Uint64("seed", cfg.Seed).Int("nodes", cfg.Nodes).Str("max_time", cfg.MaxTime.String()).Msg("run starting")
	res, err := raftcheck.Run(cfg)
	if err != nil && res == nil {
		return runErrorCode(err), classify(err)
	}
	out := newRunOutput(res)
	if err != nil {
		// The run finished but storing it failed: still report the verdict,
		// and exit 255 unless the run found a bug (that finding matters more).
		fmt.Fprintln(stderr, "raftcheck run:", err)
		out.Error = err.Error()
	}
	if rf.jsonOut {
		if err := writeJSON(stdout, out); err != nil {
			return exitInternal, err
		}
	} else {
		printRun(stdout, cfg.Raft, res, err)
	}
	code := verdictCode(res.Verdict)
	if err != nil && code != exitInvalid {
		code = exitInternal
	}
	return code, nil
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

// runOutput is the documented `run --json` object: the keys issue 7 lists, in
// that order, then the final per-node table and leader, an error only when
// the run's files could not be written, and the swarm profile only for
// --swarm. A struct, not a map, so the key set and order are fixed and the
// docs (docs/cli.md) can document them.
type runOutput struct {
	Seed            uint64              `json:"seed"`
	Verdict         string              `json:"verdict"` // valid | invalid | unknown
	Reasons         []string            `json:"reasons"`
	Linearizability string              `json:"linearizability"` // ok | illegal | unknown | skipped
	Invariants      []checker.Violation `json:"invariants"`
	Liveness        string              `json:"liveness"` // ok | failed | skipped
	Churn           string              `json:"churn"`    // ok | failed | skipped: election churn
	TraceHash       string              `json:"trace_hash"`
	Stats           raftcheck.Stats     `json:"stats"`
	Store           string              `json:"store"`
	Replay          string              `json:"replay"`
	Nodes           []report.NodeRow    `json:"nodes"`
	Leader          int                 `json:"leader"`
	Error           string              `json:"error,omitempty"`
	// Anomaly is what a linearizability counterexample shows, classified
	// (see raftcheck.Result.Anomaly).
	Anomaly *checker.Anomaly `json:"anomaly,omitempty"`
	// Swarm is the profile a --swarm run drew from its seed; SwarmDraw the
	// knobs it drew; Explicit the same run as explicit flags.
	Swarm       *nemesis.Profile `json:"swarm,omitempty"`
	SwarmCorner string           `json:"swarm_corner,omitempty"`
	SwarmDraw   []raftcheck.Flag `json:"swarm_draw,omitempty"`
	Explicit    string           `json:"explicit,omitempty"`
}

func newRunOutput(r *raftcheck.Result) runOutput {
	return runOutput{
		Seed: r.Seed, Verdict: r.Verdict, Reasons: r.Reasons, Linearizability: r.Linearizability,
		Invariants: r.Invariants, Liveness: r.Liveness, Churn: r.Churn, TraceHash: r.TraceHash, Stats: r.Stats,
		Store: r.Store, Replay: r.Replay, Nodes: r.Nodes, Leader: r.Leader, Anomaly: r.Anomaly, Swarm: r.Swarm,
		SwarmCorner: r.SwarmCorner, SwarmDraw: r.SwarmDraw, Explicit: r.Explicit,
	}
}

// writeJSON writes v as one line of JSON (no HTML escaping: replay commands
// keep their quotes and arrows readable).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printRun prints the per-node table, the verdict with its reasons and where
// the reports are (storeErr: writing them failed part way); impl names the
// Raft implementation that ran.
func printRun(w io.Writer, impl string, r *raftcheck.Result, storeErr error) {
	// The wall time as summary.txt and results.json give it: simulation
	// and checking, in seconds to the millisecond.
	fmt.Fprintf(w, "seed %d on raft %s: %s, %.1f s simulated in %.3f s wall (%s real time)\n",
		r.Seed, impl, plural(int(r.Stats.Events), "event"), r.Stats.SimSeconds, r.Stats.WallSeconds, speedup(r.Stats.SimSeconds, r.Stats.WallSeconds))
	if r.Swarm != nil {
		// What the seed drew: the run's knobs, then its nemesis profile.
		var drawn []string
		for _, f := range r.SwarmDraw {
			drawn = append(drawn, f.Name+"="+f.Value)
		}
		fmt.Fprintf(w, "swarm draw (%s corner): %s\n", r.SwarmCorner, strings.Join(drawn, " "))
		fmt.Fprintf(w, "swarm profile: %s\n", r.Swarm)
	}
	fmt.Fprintln(w)
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
	fmt.Fprintf(w, "messages: %d sent, %d dropped, %d duplicated   faults: %s\n",
		r.Stats.MessagesSent, r.Stats.MessagesDropped, r.Stats.MessagesDuplicated, plural(r.Stats.FaultEvents, "window"))
	fmt.Fprintf(w, "linearizability: %s   invariants: %d violated   liveness: %s   churn: %s\n", r.Linearizability, len(r.Invariants), r.Liveness, r.Churn)
	fmt.Fprintf(w, "\nverdict: %s\n", strings.ToUpper(r.Verdict))
	for _, reason := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", reason)
	}
	fmt.Fprintf(w, "trace hash: %s\n", r.TraceHash)
	switch {
	case storeErr != nil && r.Store == "":
		fmt.Fprintf(w, "reports: NOT WRITTEN (%v)\n", storeErr)
	case storeErr != nil:
		fmt.Fprintf(w, "reports: INCOMPLETE in %s (%v)\n", r.Store, storeErr)
	case r.Store != "":
		fmt.Fprintf(w, "reports: %s/{summary.txt,timeline.html,linearizability.html,latency.svg,rate.svg}\n", r.Store)
	}
	fmt.Fprintf(w, "replay: %s\n", asInvoked(r.Replay))
	if r.Explicit != "" {
		fmt.Fprintf(w, "explicit: %s\n", asInvoked(r.Explicit))
	}
}

// speedup renders simulated over wall time: whole numbers from 10x up, two
// significant digits below ("0.15x" rather than "0x" for a run slower than
// real time).
func speedup(sim, wall float64) string {
	r := sim / max(wall, 1e-9)
	if r >= 10 {
		return strconv.FormatFloat(r, 'f', 0, 64) + "x"
	}
	return strconv.FormatFloat(r, 'g', 2, 64) + "x"
}
