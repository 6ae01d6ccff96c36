package raftcheck

import (
	"testing"
	"time"

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
	cfg.Workload = []string{"kv", "register", "append"}[workload%3]
	cfg.Clients = 3
	cfg.MaxTime = Duration(2 * time.Second)
	cfg.RecoveryTime = Duration(2 * time.Second)
	cfg.NemesisInterval = Duration(400 * time.Millisecond)
	cfg.Nemesis = nil
	for i, f := range nemesis.Catalog() {
		if i < 32 && mask&(1<<i) != 0 {
			cfg.Nemesis = append(cfg.Nemesis, f.Name)
		}
	}
	return cfg
}

// FuzzRun fuzzes the seed and the fault mix of short runs: a run never
// errors or panics, its verdict is one of valid, invalid, unknown, and the
// same input run twice gives the same history, trace hash, verdict and op
// counts.
// `make fuzz` explores; plain `go test` runs the checked-in corpus
// (testdata/fuzz/FuzzRun) and the seeds added here.
func FuzzRun(f *testing.F) {
	f.Add(uint64(1), uint32(0), uint8(1), uint8(0))          // no faults
	f.Add(uint64(2), uint32(0b1111), uint8(1), uint8(0))     // partitions
	f.Add(uint64(3), uint32(0xffffffff), uint8(2), uint8(2)) // everything, 7 nodes, append
	f.Fuzz(func(t *testing.T, seed uint64, mask uint32, nodes, workload uint8) {
		cfg := fuzzConfig(seed, mask, nodes, workload)
		xa, a, err := execute(cfg, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", ReplayCommand(cfg), err)
		}
		switch a.Verdict {
		case Valid, Invalid, Unknown:
		default:
			t.Fatalf("%s: verdict %q", ReplayCommand(cfg), a.Verdict)
		}
		if a.Verdict != Valid {
			t.Logf("%s: %s: %v", ReplayCommand(cfg), a.Verdict, a.Reasons)
		}
		xb, b, err := execute(cfg, time.Now())
		if err != nil {
			t.Fatalf("%s: second run: %v", ReplayCommand(cfg), err)
		}
		if d := histories.Diff(xa.history(), xb.history()); d != "" {
			t.Fatalf("%s is not deterministic: histories differ: %s", ReplayCommand(cfg), d)
		}
		if a.TraceHash != b.TraceHash || a.Verdict != b.Verdict || a.Stats.Ops != b.Stats.Ops || a.Stats.Events != b.Stats.Events {
			t.Fatalf("%s is not deterministic: trace %s then %s, verdict %s then %s, ops %+v then %+v",
				ReplayCommand(cfg), a.TraceHash, b.TraceHash, a.Verdict, b.Verdict, a.Stats.Ops, b.Stats.Ops)
		}
	})
}
