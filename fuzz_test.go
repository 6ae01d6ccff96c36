package raftcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
)

// fuzzConfig maps FuzzRun's inputs to a small run: 3, 5 or 7 nodes, one of
// the three workloads, the faults whose bits are set in mask (in catalog
// order; no bit set = no faults), 2 s of faults and 2 s of recovery, so one
// execution stays in the tens of milliseconds.
func fuzzConfig(seed uint64, mask uint32, nodes, workload uint8) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.Store = ""
	cfg.KeepMessages = false
	cfg.Nodes = 3 + 2*int(nodes%3)
	cfg.Workload = []Workload{WorkloadKV, WorkloadRegister, WorkloadAppend}[workload%3]
	cfg.Clients = 3
	cfg.MaxTime = Duration(2 * time.Second)
	cfg.RecoveryTime = Duration(2 * time.Second)
	cfg.NemesisInterval = Duration(400 * time.Millisecond)
	cfg.Nemesis = nil
	for i, f := range nemesis.Catalog() {
		if i < 32 && mask&(1<<i) != 0 {
			cfg.Nemesis = append(cfg.Nemesis, Fault(f.Name))
		}
	}
	return cfg
}

// safetyFailures lists what in r is a safety violation: an illegal history, a
// broken Raft invariant, or a failed cheap check (append, digests; every
// [checker.Problem] is a safety violation). A correct cluster must never show
// one, whatever the faults. Liveness failures and unknown verdicts are not
// listed (see FuzzRun).
func safetyFailures(r *Result) []string {
	var out []string
	if r.Linearizability == string(checker.LinIllegal) {
		out = append(out, "linearizability: illegal")
	}
	for _, v := range r.Invariants {
		out = append(out, "invariant: "+v.String())
	}
	for _, p := range r.Problems {
		out = append(out, "problem: "+p.String())
	}
	return out
}

// FuzzRun fuzzes the seed and the fault mix of short runs: a run never
// errors or panics, its verdict is one of valid, invalid, unknown, it shows
// no safety violation (safetyFailures), and the same input run twice gives
// the same history, trace hash, verdict and op counts.
//
// A liveness failure does not fail the fuzz: the run recovers for only 2 s
// after the final heal, and some fault mixes legitimately need longer (a
// removed member still rejoining, a node that crashed during a configuration
// change, a new election after a long pause and clock skew), so it is logged
// like an unknown verdict (a search bound, not a finding).
// `make fuzz` explores; plain `go test` runs the checked-in corpus
// (testdata/fuzz/FuzzRun) and the seeds added here.
func FuzzRun(f *testing.F) {
	f.Add(uint64(1), uint32(0), uint8(1), uint8(0))          // no faults
	f.Add(uint64(2), uint32(0b1111), uint8(1), uint8(0))     // partitions
	f.Add(uint64(3), uint32(0xffffffff), uint8(2), uint8(2)) // everything, 7 nodes, append
	f.Fuzz(func(t *testing.T, seed uint64, mask uint32, nodes, workload uint8) {
		cfg := fuzzConfig(seed, mask, nodes, workload)
		xa, _, a, err := execute(context.Background(), cfg, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", ReplayCommand(cfg), err)
		}
		switch a.Verdict {
		case Valid, Invalid, Unknown:
		default:
			t.Fatalf("%s: verdict %q", ReplayCommand(cfg), a.Verdict)
		}
		if bad := safetyFailures(a); len(bad) > 0 {
			t.Fatalf("%s: safety violation on a correct cluster: %v; reasons: %v", ReplayCommand(cfg), bad, a.Reasons)
		}
		if a.Verdict != Valid {
			t.Logf("%s: %s (liveness %s, linearizability %s): %v", ReplayCommand(cfg), a.Verdict, a.Liveness, a.Linearizability, a.Reasons)
		}
		xb, _, b, err := execute(context.Background(), cfg, time.Now())
		if err != nil {
			t.Fatalf("%s: second run: %v", ReplayCommand(cfg), err)
		}
		if d := histories.Diff(xa.History(), xb.History()); d != "" {
			t.Fatalf("%s is not deterministic: histories differ: %s", ReplayCommand(cfg), d)
		}
		if a.TraceHash != b.TraceHash || a.Verdict != b.Verdict || a.Stats.Ops != b.Stats.Ops || a.Stats.Events != b.Stats.Events {
			t.Fatalf("%s is not deterministic: trace %s then %s, verdict %s then %s, ops %+v then %+v",
				ReplayCommand(cfg), a.TraceHash, b.TraceHash, a.Verdict, b.Verdict, a.Stats.Ops, b.Stats.Ops)
		}
	})
}

// TestSafetyFailures: FuzzRun's safety test flags an illegal history, a broken
// invariant and a failed cheap check, on made-up results and on a fuzz-sized
// run with a planted bug; it lets liveness failures and unknown verdicts
// through.
func TestSafetyFailures(t *testing.T) {
	cases := []struct {
		name string
		r    Result
		want []string
	}{
		{"valid", Result{Verdict: Valid, Linearizability: "ok", Liveness: "ok"}, nil},
		{"unknown search", Result{Verdict: Unknown, Linearizability: "unknown", Liveness: "ok"}, nil},
		{"liveness failed", Result{Verdict: Invalid, Linearizability: "ok", Liveness: "failed"}, nil},
		{"illegal history", Result{Verdict: Invalid, Linearizability: "illegal", Liveness: "ok"},
			[]string{"linearizability: illegal"}},
		{"broken invariant", Result{Verdict: Invalid, Linearizability: "ok", Liveness: "ok",
			Invariants: []checker.Violation{{Invariant: "election-safety", Evidence: "two leaders in term 3"}}},
			[]string{"invariant: election-safety at 0s: two leaders in term 3"}},
		{"failed cheap check", Result{Verdict: Invalid, Linearizability: "ok", Liveness: "ok",
			Problems: []checker.Problem{{Check: checker.CheckAppendDuplicate, Detail: "1 twice"}}},
			[]string{"problem: append-duplicate: 1 twice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, safetyFailures(&c.r))
		})
	}

	t.Run("planted bug in a fuzz run", func(t *testing.T) {
		// no-dedup applies retried requests twice; seed 2 of this mix
		// retries a put that already applied.
		cfg := fuzzConfig(2, 0xffffffff, 1, 0)
		cfg.Bugs = []BugName{"no-dedup"}
		r, err := Run(cfg)
		require.NoError(t, err)
		assert.NotEmpty(t, safetyFailures(r), "%s: %v", ReplayCommand(cfg), r.Reasons)
		cfg.Bugs = nil
		r, err = Run(cfg)
		require.NoError(t, err)
		assert.Empty(t, safetyFailures(r), "the same run without the bug")
	})
}
