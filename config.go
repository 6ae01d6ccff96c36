package raftcheck

import (
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/impls"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Config is every knob of one run. DefaultConfig gives the standard run; the zero
// value is not valid. Config is stored in results.json and is all `replay` needs.
type Config struct {
	// Name groups runs in the store: store/<Name>/<timestamp>/.
	Name string `json:"name"`
	// Seed drives every random choice of the run.
	Seed uint64 `json:"seed"`

	// Raft names the Raft implementation under test: "builtin" (raftcheck's
	// own, package raft) or another registered one ("etcd": go.etcd.io/raft/v3).
	Raft string `json:"raft"`

	// Cluster.
	Nodes        int      `json:"nodes"`         // voters, 1..101
	MaxTime      Duration `json:"max_time"`      // simulated time with faults on
	RecoveryTime Duration `json:"recovery_time"` // simulated time after the final heal

	// Workload.
	Workload Workload `json:"workload"` // WorkloadRegister | WorkloadKV | WorkloadAppend
	Clients  int      `json:"clients"`  // client threads
	Rate     float64  `json:"rate"`     // ops/s per client; 0 = closed loop (saturating)
	Keys     int      `json:"keys"`     // kv and append workloads
	KeyDist  string   `json:"key_dist"` // uniform | zipf
	// Mix is the operation mix as "op=weight,...", e.g. "get=2,put=1,delete=1"
	// (kv: get put append delete; register: read write cas; append: append
	// read); "" is the workload's default.
	Mix       string   `json:"mix,omitempty"`
	OpTimeout Duration `json:"op_timeout"` // a client gives up on an op after this

	// Raft and the store.
	ReadMode       ReadMode `json:"read_mode"` // ReadModeReadIndex | ReadModeLog | ReadModeLease | ReadModeLocal (unsafe)
	PreVote        bool     `json:"prevote"`
	CheckQuorum    bool     `json:"check_quorum"`
	TickInterval   Duration `json:"tick_interval"`
	HeartbeatTicks int      `json:"heartbeat_ticks"`
	ElectionTicks  int      `json:"election_ticks"`
	SnapshotEvery  int      `json:"snapshot_every"` // applied entries between snapshots; 0 = never
	MaxSessions    int      `json:"max_sessions"`

	// Network and disks.
	Latency         Duration `json:"latency"` // mean one-way latency
	LatencyStddev   Duration `json:"latency_stddev"`
	LatencyDist     string   `json:"latency_dist"`      // constant | uniform | normal | exponential | lognormal
	MessageDropRate float64  `json:"message_drop_rate"` // every message, client traffic included (a connection reset)
	MessageDupRate  float64  `json:"message_dup_rate"`  // node-to-node messages; client traffic is never duplicated (TCP)
	ReorderRate     float64  `json:"reorder_rate"`      // node-to-node messages; client links are FIFO (TCP)
	SyncLatency     Duration `json:"sync_latency"`
	DiskCrashMode   string   `json:"disk_crash_mode"` // lose-unsynced | keep-prefix | tear-last

	// Faults.
	Nemesis         []Fault  `json:"nemesis"`          // faults, categories or FaultAll; see `raftcheck faults`
	NemesisInterval Duration `json:"nemesis_interval"` // mean time between fault actions
	MaxCrashed      int      `json:"max_crashed"`      // 0 = a minority
	// NemesisTuning sets the nemesis's pacing and intensities as
	// "key=value,...", e.g. "jitter=0.3,max-active=2,loss=0.05,delay=20ms"
	// (keys: nemesis.TuningKeys); "" keeps the defaults.
	NemesisTuning string `json:"nemesis_tuning,omitempty"`
	// NemesisSchedule, when set, is the explicit fault schedule to follow
	// instead of drawing one (nemesis.ParseSchedule's text: each step's time
	// after the faults begin, the fault started (+) or stopped (-), and the
	// random values it drew; "none" for no steps). Every run records the
	// schedule it followed (Result.Schedule), so it can be replayed and
	// edited: `raftcheck shrink` removes fault windows this way. Its faults
	// must be among Nemesis.
	NemesisSchedule string   `json:"nemesis_schedule,omitempty"`
	ChaosScenario   Scenario `json:"chaos_scenario,omitempty"` // replaces Nemesis; see `raftcheck scenarios`
	// Swarm draws the run's configuration from the seed (see SwarmKnobs):
	// cluster, Raft timing, network, disks, workload, read mode and the
	// nemesis profile. Resolve returns what was drawn.
	Swarm bool `json:"swarm,omitempty"`
	// SwarmFixed lists the knobs, by flag name (SwarmKnobs), that Swarm
	// keeps as this Config has them instead of drawing them. The CLI lists
	// the flags given on its command line.
	SwarmFixed []string `json:"swarm_fixed,omitempty"`

	// Checking.
	CheckTimeout Duration  `json:"check_timeout"`         // linearizability search bound; exceeded → unknown
	CheckMemory  ByteSize  `json:"check_memory"`          // heap bound of that search (checking only); exceeded → unknown; 0 = none
	CheckSteps   int64     `json:"check_steps,omitempty"` // model steps of each porcupine search, a bound the same on every machine; exceeded → unknown; 0 = none
	Bugs         []BugName `json:"bugs,omitempty"`        // planted bugs; see `raftcheck bugs`

	// Output. Not part of what a run computes, so replay ignores them.
	Store string `json:"-"` // directory of the result store; "" = write nothing
	// StoreFailuresOnly writes a run into Store only when its verdict is
	// not valid: a passing run leaves nothing behind.
	StoreFailuresOnly bool   `json:"-"`
	TracePath         string `json:"-"` // write the JSON Lines trace here; "" = off
	KeepMessages      bool   `json:"-"` // record messages for the timeline's arrows
}

// DefaultConfig returns the standard run: 5 nodes, 10 clients at 10 ops/s each on
// the kv workload, partitions and crashes, 60 s simulated plus a 10 s recovery window.
func DefaultConfig() Config {
	return Config{
		Name:            "run",
		Seed:            1,
		Raft:            DefaultRaft,
		Nodes:           5,
		MaxTime:         Duration(60 * time.Second),
		RecoveryTime:    Duration(10 * time.Second),
		Workload:        WorkloadKV,
		Clients:         10,
		Rate:            10,
		Keys:            10,
		KeyDist:         "uniform",
		OpTimeout:       Duration(time.Second),
		ReadMode:        ReadModeReadIndex,
		PreVote:         true,
		CheckQuorum:     true,
		TickInterval:    Duration(20 * time.Millisecond),
		HeartbeatTicks:  5,
		ElectionTicks:   50,
		SnapshotEvery:   1000,
		MaxSessions:     1024,
		Latency:         Duration(time.Millisecond),
		LatencyStddev:   Duration(300 * time.Microsecond),
		LatencyDist:     "normal",
		SyncLatency:     Duration(time.Millisecond),
		DiskCrashMode:   "lose-unsynced",
		Nemesis:         []Fault{FaultPartitionRandomHalves, FaultPartitionIsolateLeader, FaultCrashRandom, FaultCrashLeader},
		NemesisInterval: Duration(5 * time.Second),
		CheckTimeout:    Duration(60 * time.Second),
		CheckMemory:     ByteSize(checker.DefaultMemoryLimit),
		Store:           "store",
		KeepMessages:    true,
	}
}

// Validate reports every invalid field, each named as its CLI flag is. It
// is the parse that Run does (see options), with the result thrown away.
func (c *Config) Validate() error {
	_, err := c.options()
	return err
}

// DefaultRaft is the Raft implementation a run tests unless Config.Raft
// names another: raftcheck's own.
const DefaultRaft = impls.Builtin

// RaftNames lists the Raft implementations Config.Raft may name. One may be
// registered yet missing from this build, in which case Validate says so.
func RaftNames() []string { return impls.Names() }

// DefaultChaosScenario is the scenario `--chaos` picks when no scenario is named.
const DefaultChaosScenario Scenario = nemesis.DefaultScenario
