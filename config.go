package raftcheck

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Config is every knob of one run. DefaultConfig gives the standard run; the zero
// value is not valid. Config is stored in results.json and is all `replay` needs.
type Config struct {
	// Name groups runs in the store: store/<Name>/<timestamp>/.
	Name string `json:"name"`
	// Seed drives every random choice of the run.
	Seed uint64 `json:"seed"`

	// Cluster.
	Nodes        int      `json:"nodes"`         // voters, 1..101
	MaxTime      Duration `json:"max_time"`      // simulated time with faults on
	RecoveryTime Duration `json:"recovery_time"` // simulated time after the final heal

	// Workload.
	Workload string  `json:"workload"` // register | kv | append
	Clients  int     `json:"clients"`  // client threads
	Rate     float64 `json:"rate"`     // ops/s per client; 0 = closed loop (saturating)
	Keys     int     `json:"keys"`     // kv and append workloads
	KeyDist  string  `json:"key_dist"` // uniform | zipf
	// Mix is the operation mix as "op=weight,...", e.g. "get=2,put=1,delete=1"
	// (kv: get put append delete; register: read write cas; append: append
	// read); "" is the workload's default.
	Mix       string   `json:"mix,omitempty"`
	OpTimeout Duration `json:"op_timeout"` // a client gives up on an op after this

	// Raft and the store.
	ReadMode       string   `json:"read_mode"` // readindex | log | lease | local (unsafe)
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
	Nemesis         []string `json:"nemesis"`          // fault names; see `raftcheck faults`
	NemesisInterval Duration `json:"nemesis_interval"` // mean time between fault actions
	MaxCrashed      int      `json:"max_crashed"`      // 0 = a minority
	ChaosScenario   string   `json:"chaos_scenario,omitempty"`
	Swarm           bool     `json:"swarm,omitempty"`

	// Checking.
	CheckTimeout Duration `json:"check_timeout"`         // linearizability search bound; exceeded → unknown
	CheckMemory  ByteSize `json:"check_memory"`          // heap bound of that search (checking only); exceeded → unknown; 0 = none
	CheckSteps   int64    `json:"check_steps,omitempty"` // model steps of each porcupine search, a bound the same on every machine; exceeded → unknown; 0 = none
	Bugs         []string `json:"bugs,omitempty"`        // planted bugs; see `raftcheck bugs`

	// Output. Not part of what a run computes, so replay ignores them.
	Store        string `json:"-"` // directory of the result store; "" = write nothing
	TracePath    string `json:"-"` // write the JSON Lines trace here; "" = off
	KeepMessages bool   `json:"-"` // record messages for the timeline's arrows
}

// DefaultConfig returns the standard run: 5 nodes, 10 clients at 10 ops/s each on
// the kv workload, partitions and crashes, 60 s simulated plus a 10 s recovery window.
func DefaultConfig() Config {
	return Config{
		Name:            "run",
		Seed:            1,
		Nodes:           5,
		MaxTime:         Duration(60 * time.Second),
		RecoveryTime:    Duration(10 * time.Second),
		Workload:        "kv",
		Clients:         10,
		Rate:            10,
		Keys:            10,
		KeyDist:         "uniform",
		OpTimeout:       Duration(time.Second),
		ReadMode:        "readindex",
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
		Nemesis:         []string{"partition-random-halves", "partition-isolate-leader", "crash-random", "crash-leader"},
		NemesisInterval: Duration(5 * time.Second),
		CheckTimeout:    Duration(60 * time.Second),
		CheckMemory:     ByteSize(checker.DefaultMemoryLimit),
		Store:           "store",
		KeepMessages:    true,
	}
}

// Validate reports every invalid field, each named as its CLI flag is.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Nodes < 1 || c.Nodes > 101 {
		bad("nodes", "%d is outside 1..101", c.Nodes)
	}
	if c.MaxTime <= 0 {
		bad("max-time", "must be positive, got %s", c.MaxTime)
	}
	if c.RecoveryTime < 0 {
		bad("recovery-time", "must not be negative, got %s", c.RecoveryTime)
	}
	switch c.Workload {
	case "register", "kv", "append":
	default:
		bad("workload", "%q is not one of register, kv, append", c.Workload)
	}
	if c.Clients < 1 || c.Clients > 1000 {
		bad("clients", "%d is outside 1..1000", c.Clients)
	}
	if c.Rate < 0 {
		bad("rate", "must not be negative, got %g", c.Rate)
	}
	// A paced run's history can be predicted: refuse one that would overflow
	// the recorder rather than cut it short (a closed loop, --rate 0, cannot
	// be predicted; its run stops recording at the limit, verdict unknown).
	if c.Rate > 0 && c.MaxTime > 0 && c.RecoveryTime >= 0 {
		span := time.Duration(c.MaxTime + c.RecoveryTime).Seconds()
		// Each op is two records: its invoke and its completion.
		if ops := 2 * float64(c.Clients) * c.Rate * span; ops > float64(maxOps) {
			bad("rate", "--clients %d at --rate %g ops/s for %v (--max-time %v + --recovery-time %v) would record about %.3g ops, over the limit of %d; use fewer --clients, a lower --rate, or a shorter --max-time",
				c.Clients, c.Rate, time.Duration(c.MaxTime+c.RecoveryTime), c.MaxTime, c.RecoveryTime, ops, maxOps)
		}
	}
	if c.Keys < 1 || c.Keys > 100000 {
		bad("keys", "%d is outside 1..100000", c.Keys)
	}
	switch c.KeyDist {
	case "uniform", "zipf":
	default:
		bad("key-dist", "%q is not one of uniform, zipf", c.KeyDist)
	}
	if clients.WorkloadOps(c.Workload) != nil {
		if _, err := parseMix(c.Mix, c.Workload); err != nil {
			bad("mix", "%v", err)
		}
	}
	if c.OpTimeout <= 0 {
		bad("op-timeout", "must be positive, got %s", c.OpTimeout)
	}
	switch c.ReadMode {
	case "readindex", "log", "local":
	case "lease":
		// Raft refuses it too, but only when a node starts; say it up front.
		// The lease-without-checkquorum planted bug is the one way past it.
		if !c.CheckQuorum && !slices.Contains(c.Bugs, "lease-without-checkquorum") {
			bad("read-mode", "lease reads need CheckQuorum (--check-quorum): a leader cut off from a quorum must step down before its lease can end")
		}
	default:
		bad("read-mode", "%q is not one of readindex, log, lease, local", c.ReadMode)
	}
	for _, name := range c.Bugs {
		switch b, ok := LookupBug(name); {
		case !ok:
			if _, _, err := resolveBugs([]string{name}); err != nil {
				bad("bug", "%v", strings.TrimPrefix(err.Error(), "bug: "))
			}
		case b.ReadModes != nil && !slices.Contains(b.ReadModes, c.ReadMode):
			bad("bug", "%s acts only with --read-mode %s; with %s reads it would change nothing", name, strings.Join(b.ReadModes, " or "), c.ReadMode)
		}
	}
	if c.TickInterval <= 0 {
		bad("tick-interval", "must be positive, got %s", c.TickInterval)
	}
	if c.HeartbeatTicks < 1 {
		bad("heartbeat-ticks", "must be at least 1, got %d", c.HeartbeatTicks)
	}
	if c.ElectionTicks <= c.HeartbeatTicks {
		bad("election-ticks", "%d must be greater than heartbeat-ticks (%d)", c.ElectionTicks, c.HeartbeatTicks)
	}
	if c.SnapshotEvery < 0 {
		bad("snapshot-every", "must not be negative, got %d", c.SnapshotEvery)
	}
	if c.MaxSessions < c.Clients {
		bad("max-sessions", "%d is fewer than the clients (%d): sessions would expire under load", c.MaxSessions, c.Clients)
	}
	if c.Latency < 0 {
		bad("latency", "must not be negative, got %s", c.Latency)
	}
	if c.LatencyStddev < 0 {
		bad("latency-stddev", "must not be negative, got %s", c.LatencyStddev)
	}
	switch c.LatencyDist {
	case "constant", "uniform", "normal", "exponential", "lognormal":
	default:
		bad("latency-dist", "%q is not one of constant, uniform, normal, exponential, lognormal", c.LatencyDist)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"message-drop-rate", c.MessageDropRate}, {"message-dup-rate", c.MessageDupRate}, {"reorder-rate", c.ReorderRate}} {
		if !(p.v >= 0 && p.v <= 1) {
			bad(p.name, "%g is outside [0,1]", p.v)
		}
	}
	if c.SyncLatency < 0 {
		bad("sync-latency", "must not be negative, got %s", c.SyncLatency)
	}
	switch c.DiskCrashMode {
	case "lose-unsynced", "keep-prefix", "tear-last":
	default:
		bad("disk-crash-mode", "%q is not one of lose-unsynced, keep-prefix, tear-last", c.DiskCrashMode)
	}
	// The nemesis refuses shorter intervals (they bound its actions per
	// run); saying so here names the flag rather than the nemesis field.
	if minIv := Duration(nemesis.MinInterval); c.NemesisInterval < minIv {
		bad("nemesis-interval", "must be at least %s, got %s", minIv, c.NemesisInterval)
	}
	if _, err := nemesis.ParseFaults(strings.Join(c.Nemesis, ",")); err != nil {
		bad("nemesis", "%v", err)
	}
	if c.ChaosScenario != "" {
		if _, err := nemesis.Scenario(c.ChaosScenario); err != nil {
			bad("chaos-scenario", "%v", err)
		}
	}
	if c.MaxCrashed < 0 || c.MaxCrashed > c.Nodes {
		bad("max-crashed", "%d is outside 0..nodes (%d)", c.MaxCrashed, c.Nodes)
	}
	if c.CheckTimeout < 0 {
		bad("check-timeout", "must not be negative, got %s", c.CheckTimeout)
	}
	if c.CheckSteps < 0 {
		bad("check-steps", "must not be negative, got %d", c.CheckSteps)
	}
	switch {
	case c.CheckMemory < 0:
		bad("check-memory", "must not be negative, got %d bytes", c.CheckMemory)
	case c.CheckMemory != 0 && c.CheckMemory < ByteSize(checker.MinMemoryLimit):
		bad("check-memory", "%s is under %s, which would stop every search at once (0 = no bound)", c.CheckMemory, ByteSize(checker.MinMemoryLimit))
	}
	if strings.ContainsAny(c.Name, `/\`) || c.Name == "" || c.Name == "." || c.Name == ".." || c.Name == "latest" {
		bad("name", "%q must be a plain, non-empty directory name other than \"latest\"", c.Name)
	}
	return errors.Join(errs...)
}

// DefaultChaosScenario is the scenario `--chaos` picks when no scenario is named.
const DefaultChaosScenario = nemesis.DefaultScenario
