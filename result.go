package raftcheck

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Verdicts of a run (Jepsen's): valid, invalid (a checker found a violation), or
// unknown (a checker could not decide, e.g. the linearizability search timed out).
const (
	Valid   = string(checker.Valid)
	Invalid = string(checker.Invalid)
	Unknown = string(checker.Unknown)
)

// Result is the outcome of one run. Its JSON form is what `raftcheck run --json`
// prints and what results.json stores (with the config added).
type Result struct {
	Seed            uint64              `json:"seed"`
	Verdict         string              `json:"verdict"` // valid | invalid | unknown
	Reasons         []string            `json:"reasons"`
	Linearizability string              `json:"linearizability"` // ok | illegal | unknown | skipped
	Invariants      []checker.Violation `json:"invariants"`
	Liveness        string              `json:"liveness"` // ok | failed | skipped
	// Churn is the election-churn (stability) check: ok | failed | skipped.
	// Failed means terms kept rising or leaders kept changing in a stretch
	// with no fault; ChurnDetail has the figures and the evidence.
	Churn       string               `json:"churn"`
	ChurnDetail *checker.ChurnResult `json:"churn_detail,omitempty"`
	TraceHash   string               `json:"trace_hash"`
	Stats       Stats                `json:"stats"`
	Store       string               `json:"store"`  // the run's directory, "" when not stored
	Replay      string               `json:"replay"` // one command that reruns exactly this run

	Problems       []checker.Problem `json:"problems,omitempty"`
	Counterexample []int             `json:"counterexample,omitempty"` // history positions
	Nodes          []report.NodeRow  `json:"nodes"`                    // the final per-node table
	Leader         int               `json:"leader"`                   // 0: none at the end
	Swarm          *nemesis.Profile  `json:"swarm,omitempty"`          // the swarm profile the seed chose
	// SwarmCorner is the corner of the space a swarm run explored.
	SwarmCorner string `json:"swarm_corner,omitempty"`
	// SwarmDraw lists every knob a swarm run drew, with the value drawn
	// (the knobs SwarmFixed kept are not listed).
	SwarmDraw []Flag `json:"swarm_draw,omitempty"`
	// Explicit, for a swarm run, is the equivalent command with every drawn
	// knob written as a flag: the same run, without --swarm.
	Explicit string         `json:"explicit,omitempty"`
	Nemesis  nemesis.Config `json:"nemesis"` // the fault schedule actually used
	// Schedule is the fault schedule the run followed, in the text form
	// Config.NemesisSchedule takes: replaying it (with the same faults and
	// tuning) gives the same run, and removing windows from it gives a
	// smaller one.
	Schedule string `json:"schedule,omitempty"`

	// Anomaly is, for a history that is not linearizable, what its
	// counterexample shows: the kind (stale read, lost write, ...), one
	// sentence, the decisive operations with their history positions, the
	// nodes that served them with their roles and terms, and the faults
	// running then. nil otherwise.
	Anomaly *checker.Anomaly `json:"anomaly,omitempty"`

	// Mode is "live" for a run of real node processes (Live), "" for a
	// simulated one. A live run has no trace hash and cannot be replayed.
	Mode string `json:"mode,omitempty"`
	// Live is what a live run adds (nil for a simulated one).
	Live *LiveInfo `json:"live,omitempty"`
}

// Stats summarizes one run.
type Stats struct {
	Events      uint64  `json:"events"`
	SimSeconds  float64 `json:"sim_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	// CheckSeconds is the wall time spent checking (part of WallSeconds).
	CheckSeconds float64 `json:"check_seconds"`
	Ops          OpStats `json:"ops"`

	Availability float64 `json:"availability"` // ok / completed
	LatencyP50   float64 `json:"latency_p50_ms"`
	LatencyP95   float64 `json:"latency_p95_ms"`
	LatencyP99   float64 `json:"latency_p99_ms"`
	LatencyMax   float64 `json:"latency_max_ms"`

	MessagesSent       uint64 `json:"messages_sent"`
	MessagesDelivered  uint64 `json:"messages_delivered"`
	MessagesDropped    uint64 `json:"messages_dropped"`
	MessagesDuplicated uint64 `json:"messages_duplicated"`
	// MessagesUnknownPeer counts node-to-node messages a node refused as
	// from outside its configuration (around membership changes).
	MessagesUnknownPeer uint64 `json:"messages_unknown_peer"`
	FaultEvents         int    `json:"fault_events"`
}

// OpStats counts client operations by outcome.
type OpStats struct {
	Invoked int `json:"invoked"`
	OK      int `json:"ok"`
	Fail    int `json:"fail"`
	Info    int `json:"info"`
	Pending int `json:"pending"` // still in flight when the run ended (treated as info)
}

// Failed reports whether the verdict is not valid.
func (r *Result) Failed() bool { return r.Verdict != Valid }

// storedResult is results.json: the run's result plus everything needed to replay it.
type storedResult struct {
	*Result
	Config  Config `json:"config"`
	Version int    `json:"raftcheck_results"`
}

// resultsVersion is the schema version of results.json.
const resultsVersion = 1

// newResult is the public view of an execution's outcome; start is when the
// run began.
func newResult(cfg Config, out *harness.Outcome, start time.Time) *Result {
	ran := cfg
	if cfg.Swarm {
		// The draw was made (and checked) when the run was parsed: the
		// same seed draws the same configuration again.
		ran, _ = cfg.Resolve()
	}
	cr := &out.Checked
	st := &cr.Stats
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	res := &Result{
		Seed:            cfg.Seed,
		Verdict:         string(cr.Verdict),
		Reasons:         cr.Reasons,
		Linearizability: cr.Linearizability,
		Invariants:      cr.Invariants,
		Liveness:        cr.Liveness,
		Churn:           cr.Churn,
		ChurnDetail:     out.Churn,
		TraceHash:       st.TraceHash,
		Problems:        cr.Problems,
		Counterexample:  cr.Counterexample,
		Anomaly:         cr.Anomaly,
		Swarm:           out.Swarm,
		Nemesis:         out.Nemesis,
		Schedule:        nemesis.FormatSchedule(out.Schedule),
		Stats: Stats{
			Events:              st.Events,
			SimSeconds:          out.SimTime.Seconds(),
			WallSeconds:         time.Since(start).Seconds(),
			CheckSeconds:        out.CheckTime.Seconds(),
			Ops:                 OpStats{Invoked: st.Invoked, OK: st.OK, Fail: st.Fail, Info: st.Info, Pending: st.Pending},
			Availability:        st.Availability,
			LatencyP50:          ms(st.LatencyP50),
			LatencyP95:          ms(st.LatencyP95),
			LatencyP99:          ms(st.LatencyP99),
			LatencyMax:          ms(st.LatencyMax),
			MessagesSent:        st.MessagesSent,
			MessagesDelivered:   out.MessagesDelivered,
			MessagesDropped:     st.MessagesDropped,
			MessagesDuplicated:  st.MessagesDuplicated,
			MessagesUnknownPeer: out.UnknownPeer,
			FaultEvents:         out.FaultEvents,
		},
		Nodes:  out.Nodes,
		Leader: out.Leader,
		Replay: ReplayCommand(cfg),
	}
	if cfg.Swarm {
		res.SwarmDraw = swarmFlags(cfg, ran)
		res.SwarmCorner = cfg.SwarmCorner()
		res.Explicit = ReplayCommand(ran)
	}
	if note := leaseHazard(ran, res, out.Schedule); note != "" {
		res.Reasons = append(res.Reasons, note)
	}
	if res.Reasons == nil {
		res.Reasons = []string{}
	}
	if res.Invariants == nil {
		res.Invariants = []checker.Violation{}
	}
	return res
}

// leaseHazard explains a linearizability failure of a run with lease reads
// in which a pause or clock fault started: the documented hazard of leases,
// which a correct Raft shows too. "" when it does not apply.
func leaseHazard(ran Config, res *Result, sched []nemesis.Step) string {
	if ran.ReadMode != "lease" || res.Linearizability != string(checker.LinIllegal) {
		return ""
	}
	var used []string
	for _, st := range sched {
		if st.Start && slices.Contains(leaseHazardFaults, st.Fault) && !slices.Contains(used, st.Fault) {
			used = append(used, st.Fault)
		}
	}
	if len(used) == 0 {
		return ""
	}
	return fmt.Sprintf("lease hazard: lease reads ran under %s; a paused leader, or one whose clock is slow or stepped, keeps a lease its followers no longer honour and serves stale reads even in a correct Raft (docs/faults.md, Lease reads), so this linearizability failure may be that documented hazard, not a bug in the Raft",
		strings.Join(used, ", "))
}
