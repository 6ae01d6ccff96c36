package options

import (
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/impls"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// Default is the standard run (the root package's DefaultConfig, parsed),
// for the harness's own tests; a root test keeps the two equal.
func Default() Options {
	return Options{
		Name:           "run",
		Seed:           1,
		Nodes:          5,
		MaxTime:        60 * time.Second,
		RecoveryTime:   10 * time.Second,
		Workload:       "kv",
		Clients:        10,
		Rate:           10,
		Keys:           10,
		KeyDist:        "uniform",
		OpTimeout:      time.Second,
		Raft:           builtin(),
		ReadMode:       kvstore.ReadIndex,
		PreVote:        true,
		CheckQuorum:    true,
		TickInterval:   20 * time.Millisecond,
		HeartbeatTicks: 5,
		ElectionTicks:  50,
		SnapshotEvery:  1000,
		MaxSessions:    1024,
		Net:            sim.NetConfig{Latency: sim.Dist{Kind: sim.Normal, Mean: sim.Millisecond, Stddev: 300 * sim.Microsecond}},
		Disk:           sim.DiskConfig{SyncLatency: sim.Millisecond, CrashMode: sim.LoseUnsynced},
		Nemesis: nemesis.Config{
			Faults:   []string{"partition-random-halves", "partition-isolate-leader", "crash-random", "crash-leader"},
			Interval: int64(5 * time.Second),
		},
		CheckTimeout: 60 * time.Second,
		CheckMemory:  checker.DefaultMemoryLimit,
		KeepMessages: true,
	}
}

// builtin is the built-in Raft's registry entry.
func builtin() impls.Impl {
	im, err := impls.Lookup(impls.Builtin)
	if err != nil {
		panic(err) // the built-in is always registered
	}
	return im
}
