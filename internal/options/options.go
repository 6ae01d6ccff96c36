// Package options holds one run's configuration as the harness executes it:
// every knob typed and every name resolved. The root package's Config is
// what users write (strings, durations, names of faults and bugs); it is
// validated and parsed into Options exactly once, in the root package, and
// nothing downstream parses a string again.
package options

import (
	"time"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/internal/impls"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// Options is one run, parsed. Field meanings are those of the root
// package's Config fields of the same names.
type Options struct {
	Name string // names the run on its reports
	Seed uint64

	// Cluster.
	Nodes        int // voters, ids 1..Nodes
	MaxTime      time.Duration
	RecoveryTime time.Duration

	// Workload.
	Workload  string // register | kv | append (validated)
	Clients   int
	Rate      float64
	Keys      int
	KeyDist   string           // uniform | zipf (validated)
	Mix       []clients.Weight // nil: the workload's default
	OpTimeout time.Duration

	// Raft and the store.
	Raft           impls.Impl // the Raft implementation under test (its Factory is set)
	ReadMode       kvstore.ReadMode
	PreVote        bool
	CheckQuorum    bool
	TickInterval   time.Duration
	HeartbeatTicks int
	ElectionTicks  int
	SnapshotEvery  int
	MaxSessions    int

	// Network and disks.
	Net  sim.NetConfig
	Disk sim.DiskConfig

	// Faults: Nemesis is the schedule (a scenario's, the named faults, an
	// explicit script, or the profile a swarm drew). Profile is that swarm
	// profile, kept for the result; nil when the run is not a swarm's.
	Nemesis nemesis.Config
	Profile *nemesis.Profile

	// Checking.
	CheckTimeout time.Duration
	CheckMemory  int64 // as checker.LinOptions.MemoryLimit takes it: negative = no bound
	CheckSteps   int64 // as checker.LinOptions.StepLimit: 0 = no bound

	// Planted bugs, by layer.
	RaftBugs raft.Bugs    // protocol bugs: the built-in Raft only
	HostBugs kvstore.Bugs // host bugs: any Raft

	// Output.
	TracePath    string // "" = no trace file
	KeepMessages bool   // record node-to-node messages for the timeline
}
