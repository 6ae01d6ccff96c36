package raftcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/live"
	"github.com/raftcheck/raftcheck/internal/store"
)

// ModeLive is Result.Mode for a live run.
const ModeLive = "live"

// ErrInterrupted marks a live run cut short by its context (Ctrl-C): Live
// returns its Result, checked as far as it went, with an error wrapping
// ErrInterrupted.
var ErrInterrupted = live.ErrInterrupted

// LiveInfo is what a live run's Result adds.
type LiveInfo struct {
	Bin  string   `json:"bin"`
	Args []string `json:"args"`
	// Note says why the run is not reproducible bit for bit (LiveNote).
	Note string `json:"note"`
	// NodeIDs maps the reports' node numbers to the Maelstrom node ids,
	// e.g. "1=n0 2=n1 3=n2".
	NodeIDs string `json:"node_ids"`
	// Notes say what the run could not observe or do (no roles reported,
	// the nemesis's observations).
	Notes []string `json:"notes"`
	// RolesReported: some node reported its role on stderr.
	RolesReported bool `json:"roles_reported"`
	// NodeFaults are the nodes' protocol faults, counted by kind: reported,
	// not judged (the history is).
	NodeFaults []NodeFault `json:"node_faults"`
	// Logs are the nodes' stderr logs, one per node, in the run directory.
	Logs []string `json:"logs"`
	// NodeDir holds the nodes' working directories.
	NodeDir string `json:"node_dir"`
	// Requests and replies between the clients and the nodes, and the error
	// replies by Maelstrom code name.
	Requests   uint64         `json:"requests"`
	Replies    uint64         `json:"replies"`
	ErrorCodes map[string]int `json:"error_codes"`
	// PeerMessages is the node-to-node messages the nodes printed.
	PeerMessages uint64 `json:"peer_messages"`
	// Interrupted says the run was cut short (Ctrl-C).
	Interrupted bool `json:"interrupted"`
}

// NodeFault is one kind of protocol fault of one node: how often, and the
// first case.
type NodeFault struct {
	Node    string   `json:"node"` // the Maelstrom id, e.g. "n2"
	Kind    string   `json:"kind"` // e.g. "malformed-message", "unexpected-exit"
	Count   int      `json:"count"`
	First   string   `json:"first"`
	FirstAt Duration `json:"first_at"`
}

// String renders the fault for a report line.
func (f NodeFault) String() string {
	return fmt.Sprintf("%s: %s ×%d (first at %v: %s)", f.Node, f.Kind, f.Count, time.Duration(f.FirstAt).Round(time.Millisecond), f.First)
}

// Live runs cfg's node binary as a cluster of real processes, with
// raftcheck's network, clients and nemesis between them, then checks the
// history and (when cfg.Store is set) writes the run's directory, the
// nodes' stderr logs included. An error means the run could not be carried
// out: bad config (wraps the field's flag name), a binary that cannot start
// or never completes init, or an internal failure (wraps ErrInternal). A
// cancelled ctx after the nodes are up ends the run early: the Result of
// what was recorded comes back with an error wrapping ErrInterrupted. Every
// node process is gone when Live returns.
func Live(ctx context.Context, cfg LiveConfig) (*Result, error) {
	start := time.Now()
	lc, err := cfg.options()
	if err != nil {
		return nil, err
	}
	if cfg.Store != "" {
		if lc.Dir, err = store.MakeRunDir(cfg.Store, cfg.Name, cfg.Seed, start); err != nil {
			return nil, err
		}
		// The nodes work and log in the run directory while the run goes,
		// so it takes its final name now (a simulated run's appears only
		// once complete); results.json, written last, marks it complete.
		if err := os.Rename(store.PartialDir(lc.Dir), lc.Dir); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	} else {
		if lc.Dir, err = os.MkdirTemp("", "raftcheck-live-"); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInternal, err)
		}
		defer os.RemoveAll(lc.Dir)
	}
	lr, runErr := live.Run(ctx, lc)
	if lr == nil {
		if errors.Is(runErr, live.ErrInternal) {
			return nil, fmt.Errorf("%w: %v", ErrInternal, runErr)
		}
		if cfg.Store != "" {
			return nil, fmt.Errorf("%w (the nodes' logs are in %s)", runErr, lc.Dir)
		}
		return nil, runErr
	}
	res := newLiveResult(cfg, lc, lr, start)
	if cfg.Store != "" {
		res.Store = lc.Dir
		if err := saveLive(cfg, lr, res, start); err != nil {
			return res, err
		}
	}
	return res, runErr
}

// newLiveResult is the public view of a live run's outcome.
func newLiveResult(cfg LiveConfig, lc live.Config, lr *live.Result, start time.Time) *Result {
	cr := &lr.Checked
	st := &cr.Stats
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	info := &LiveInfo{
		Bin: cfg.Bin, Args: append([]string{}, cfg.BinArgs...), Note: LiveNote, NodeIDs: live.NodeMap(cfg.Nodes),
		Notes: append([]string{}, lr.Notes...), RolesReported: lr.RolesReported, NodeFaults: []NodeFault{},
		NodeDir: lc.NodeDir, Requests: lr.Stats.Requests, Replies: lr.Stats.Replies, ErrorCodes: lr.Stats.ErrorCodes,
		PeerMessages: lr.Stats.PeerMessages, Interrupted: lr.Interrupted,
	}
	if info.NodeDir == "" {
		info.NodeDir = lc.Dir
	}
	for _, f := range lr.Faults {
		info.NodeFaults = append(info.NodeFaults, NodeFault{Node: f.Node, Kind: string(f.Kind), Count: f.Count, First: f.First, FirstAt: Duration(f.FirstAt)})
	}
	for i := range cfg.Nodes {
		info.Logs = append(info.Logs, live.LogPath(lc.Dir, i))
	}
	res := &Result{
		Seed:            cfg.Seed,
		Verdict:         string(cr.Verdict),
		Reasons:         cr.Reasons,
		Linearizability: cr.Linearizability,
		Invariants:      cr.Invariants,
		Liveness:        cr.Liveness,
		Problems:        cr.Problems,
		Counterexample:  cr.Counterexample,
		Anomaly:         cr.Anomaly,
		Swarm:           lr.Swarm,
		Nemesis:         lr.Nemesis,
		Stats: Stats{
			Events:             st.Events,
			SimSeconds:         lr.RunTime.Seconds(),
			WallSeconds:        time.Since(start).Seconds(),
			CheckSeconds:       lr.CheckTime.Seconds(),
			Ops:                OpStats{Invoked: st.Invoked, OK: st.OK, Fail: st.Fail, Info: st.Info, Pending: st.Pending},
			Availability:       st.Availability,
			LatencyP50:         ms(st.LatencyP50),
			LatencyP95:         ms(st.LatencyP95),
			LatencyP99:         ms(st.LatencyP99),
			LatencyMax:         ms(st.LatencyMax),
			MessagesSent:       st.MessagesSent,
			MessagesDelivered:  lr.Net.Delivered,
			MessagesDropped:    st.MessagesDropped,
			MessagesDuplicated: st.MessagesDuplicated,
			FaultEvents:        lr.FaultEvents,
		},
		Nodes:  lr.Nodes,
		Leader: lr.Leader,
		Replay: LiveCommand(cfg),
		Mode:   ModeLive,
		Live:   info,
	}
	if res.Reasons == nil {
		res.Reasons = []string{}
	}
	if res.Invariants == nil {
		res.Invariants = []checker.Violation{}
	}
	return res
}

// storedLiveResult is a live run's results.json: the result and the config
// that runs it again (live, with the same seed; not a replay).
type storedLiveResult struct {
	*Result
	LiveConfig LiveConfig `json:"live_config"`
	Version    int        `json:"raftcheck_results"`
}

// saveLive writes the live run's files into res.Store: the history, the
// reports and results.json (the nodes' logs and directories are there
// already).
func saveLive(cfg LiveConfig, lr *live.Result, res *Result, start time.Time) error {
	flags := []report.KV{{Key: "mode", Value: "live (not reproducible bit for bit)"}}
	for _, f := range cfg.Flags() {
		flags = append(flags, report.KV{Key: f.Name, Value: f.Value})
	}
	flags = append(flags, report.KV{Key: "node ids", Value: res.Live.NodeIDs})
	title := fmt.Sprintf("raftcheck %s seed %d (live)", cfg.Name, cfg.Seed)
	reps := lr.Reports(title, harness.ReportMeta{Config: flags, Replay: res.Replay + "   # runs it again live: not a bit-for-bit replay", Wall: time.Duration(res.Stats.WallSeconds * float64(time.Second))})
	return store.SaveInPlace(cfg.Store, res.Store, store.Run{
		History:  lr.History,
		LinPage:  reps.LinPage,
		FullPage: reps.FullPage,
		Report:   reps.Run,
		Results:  storedLiveResult{Result: res, LiveConfig: cfg, Version: resultsVersion},
	})
}

// CheckLive runs cfg live and fails t unless the verdict is valid,
// reporting the seed, every reason, the nodes' faults, where the reports
// and logs are and the command that runs it again. It returns the result
// for further assertions. The run takes cfg.MaxTime + cfg.RecoveryTime of
// wall time; keep it short in tests:
//
//	func TestMyNode(t *testing.T) {
//		cfg := raftcheck.DefaultLiveConfig()
//		cfg.Bin = "./bin/mynode"
//		cfg.MaxTime = raftcheck.Duration(5 * time.Second)
//		cfg.Store = t.TempDir()
//		raftcheck.CheckLive(t, cfg)
//	}
func CheckLive(t testing.TB, cfg LiveConfig) *Result {
	t.Helper()
	res, err := Live(context.Background(), cfg)
	if err != nil {
		t.Fatalf("raftcheck live: seed %d: %v", cfg.Seed, err)
		return nil
	}
	if res.Verdict != Valid {
		var b strings.Builder
		b.WriteString(failureMessage(res))
		for _, f := range res.Live.NodeFaults {
			fmt.Fprintf(&b, "\n  node fault: %s", f)
		}
		fmt.Fprintf(&b, "\n  note: %s", LiveNote)
		t.Errorf("%s", b.String())
	}
	return res
}
