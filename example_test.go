package raftcheck_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
)

// A short standard run: the default cluster, workload and faults, checked.
// The same seed reproduces the run bit for bit.
func ExampleRun() {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 42
	cfg.MaxTime = raftcheck.Duration(10 * time.Second)
	cfg.Store = "" // write no files
	res, err := raftcheck.Run(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, err := raftcheck.Run(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verdict:", res.Verdict)
	fmt.Println("linearizability:", res.Linearizability, "liveness:", res.Liveness)
	fmt.Println("nodes:", len(res.Nodes), "invariant violations:", len(res.Invariants))
	fmt.Println("same trace:", res.TraceHash == again.TraceHash)
	fmt.Println(res.Replay)
	// Output:
	// verdict: valid
	// linearizability: ok liveness: ok
	// nodes: 5 invariant violations: 0
	// same trace: true
	// raftcheck run --seed 42 --max-time 10s
}

// printTB stands in for a test's *testing.T so the example can show what
// Check reports; in a real test, pass t.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf("test failed: "+format+"\n", args...) }
func (printTB) Fatalf(format string, args ...any) { fmt.Printf("test stopped: "+format+"\n", args...) }

// In a test, Check runs the config and fails the test unless the verdict is
// valid, printing the seed, the reasons, the report directory and the replay
// command:
//
//	func TestClusterSeed7(t *testing.T) {
//		cfg := raftcheck.DefaultConfig()
//		cfg.Seed = 7
//		raftcheck.Check(t, cfg)
//	}
func ExampleCheck() {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 7
	cfg.MaxTime = raftcheck.Duration(10 * time.Second)
	cfg.Store = ""
	res := raftcheck.Check(printTB{}, cfg) // a valid run: the test passes, nothing printed
	fmt.Println(res.Verdict)

	cfg.Nodes = 0 // a config that cannot run stops the test
	raftcheck.Check(printTB{}, cfg)
	// Output:
	// valid
	// test stopped: raftcheck: seed 7: Config.Nodes (--nodes): 0 is outside 1..101
}

// CheckHistory checks a recorded history (JSONL, Jepsen EDN, a porcupine etcd
// log or a Knossos kv log) from a test; the model is guessed when "".
func ExampleCheckHistory() {
	lin := raftcheck.CheckHistory(printTB{}, "histories/testdata/porcupine/jepsen/etcd_002.log", "", time.Minute)
	fmt.Println(lin.Result, lin.Model, lin.Ops)
	// Output: ok register 77
}

// Validate names every bad field, as a Go field and as its CLI flag.
func ExampleConfig_Validate() {
	cfg := raftcheck.DefaultConfig()
	cfg.Nodes = 0
	cfg.ReadMode = "quorum"
	fmt.Println(cfg.Validate())
	// Output:
	// Config.Nodes (--nodes): 0 is outside 1..101
	// Config.ReadMode (--read-mode): "quorum" is not one of readindex, log, lease, local
}

// ReplayCommand gives one shell command that reruns exactly this run: the seed
// and every knob that differs from DefaultConfig.
func ExampleReplayCommand() {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 42
	cfg.Nodes = 3
	cfg.Nemesis = []raftcheck.Fault{raftcheck.FaultPartitionIsolateLeader, raftcheck.FaultCrashLeader}
	fmt.Println(raftcheck.ReplayCommand(cfg))
	// Output: raftcheck run --seed 42 --nodes 3 --nemesis partition-isolate-leader,crash-leader
}

// A stored run holds its config: LoadRun reads it back, and rerunning that
// config reproduces the stored trace hash (what `raftcheck replay` does).
func ExampleLoadRun() {
	store, err := os.MkdirTemp("", "raftcheck-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(store)
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 3
	cfg.MaxTime = raftcheck.Duration(5 * time.Second)
	cfg.Store = store
	res, err := raftcheck.Run(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	stored, again, err := raftcheck.LoadRun(filepath.Join(store, "latest"))
	if err != nil {
		fmt.Println(err)
		return
	}
	again.Store = ""
	rerun, err := raftcheck.Run(again)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(stored.TraceHash == res.TraceHash, rerun.TraceHash == res.TraceHash)
	// Output: true true
}
