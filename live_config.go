package raftcheck

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/internal/live"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/nemesis"
)

// LiveConfig is every knob of one live run: real node processes that speak
// the Maelstrom protocol (lin-kv), with raftcheck as their network, their
// clients and their nemesis. DefaultLiveConfig gives the standard run; Bin
// must be set. It is stored in a live run's results.json.
type LiveConfig struct {
	// Name groups runs in the store: store/<Name>/<timestamp>/.
	Name string `json:"name"`
	// Seed drives the harness's random choices (network, clients, nemesis).
	// A live run is not reproducible bit for bit: see LiveNote.
	Seed uint64 `json:"seed"`

	// Bin is the node binary (a path, or a name looked up in PATH); BinArgs
	// are its arguments, the same for every node.
	Bin     string   `json:"bin"`
	BinArgs []string `json:"bin_args"`
	// NodeDir is the parent of the nodes' working directories nI (their
	// durable state: a node killed and restarted finds its files there);
	// "" puts them in the run directory (a temporary one without a store).
	NodeDir string `json:"node_dir,omitempty"`
	// RoleRegex picks the role reports out of the nodes' stderr: a matching
	// line says the node took the role (named group "role": leader,
	// follower, candidate, pre-candidate) in the term (group "term"). ""
	// reads none: the timeline then has no roles and liveness checks the
	// clients only.
	RoleRegex string `json:"role_regex"`
	// FollowLeader sends each operation to the leader the client knows (the
	// simulated runs' routing) instead of to the client's home node (each
	// thread bound to a node, moving on when a request goes unanswered), as
	// Maelstrom's clients are bound.
	FollowLeader bool `json:"follow_leader,omitempty"`

	// Cluster and time: wall time, as the nodes run on real clocks.
	Nodes        int      `json:"nodes"`         // processes n0..n(Nodes-1), 1..101
	MaxTime      Duration `json:"max_time"`      // wall time with faults on
	RecoveryTime Duration `json:"recovery_time"` // wall time after the final heal
	InitTimeout  Duration `json:"init_timeout"`  // a node's wait for init_ok

	// Workload: lin-kv offers read, write and cas.
	Workload  Workload `json:"workload"` // register (one key: read, write, cas) | kv (Keys keys: read, write)
	Clients   int      `json:"clients"`
	Rate      float64  `json:"rate"` // ops/s per client; 0 = closed loop
	Keys      int      `json:"keys"`
	OpTimeout Duration `json:"op_timeout"` // an unanswered request ends its operation (info; fail for a read)

	// The network between the nodes (and, TCP-like, to the clients).
	Latency         Duration `json:"latency"`
	LatencyStddev   Duration `json:"latency_stddev"`
	LatencyDist     string   `json:"latency_dist"`
	MessageDropRate float64  `json:"message_drop_rate"`
	MessageDupRate  float64  `json:"message_dup_rate"`
	ReorderRate     float64  `json:"reorder_rate"`

	// Faults: partitions, network faults, crashes (SIGKILL, then a restart
	// from NodeDir) and pauses (SIGSTOP/SIGCONT). Clock, disk and membership
	// faults are refused.
	Nemesis         []Fault  `json:"nemesis"`
	NemesisInterval Duration `json:"nemesis_interval"`
	MaxCrashed      int      `json:"max_crashed"`
	ChaosScenario   Scenario `json:"chaos_scenario,omitempty"`
	Swarm           bool     `json:"swarm,omitempty"`

	// Checking.
	CheckTimeout Duration `json:"check_timeout"`
	CheckMemory  ByteSize `json:"check_memory"`

	// Output. Store is the result store ("" = write nothing; the nodes'
	// logs then go to a temporary directory, removed at the end).
	Store        string `json:"-"`
	KeepMessages bool   `json:"-"`
}

// DefaultLiveNemesis returns a live run's default fault mix: partitions,
// crashes and pauses (the default chaos scenario's faults).
func DefaultLiveNemesis() []Fault {
	return []Fault{FaultPartitionRandomHalves, FaultPartitionIsolateLeader, FaultCrashRandom, FaultCrashLeader, FaultPauseRandom}
}

// DefaultLiveConfig returns the standard live run: 5 nodes, 10 clients at
// 10 ops/s on the kv workload (10 keys, unique values written: each read
// pins the write it saw, which keeps the check fast), partitions, crashes
// and pauses every 5 s or so for 30 s of wall time, then a 10 s recovery
// window.
func DefaultLiveConfig() LiveConfig {
	d := DefaultConfig()
	return LiveConfig{
		Name:            "live",
		Seed:            1,
		RoleRegex:       live.DefaultRoleRegex,
		Nodes:           5,
		MaxTime:         Duration(30 * time.Second),
		RecoveryTime:    Duration(10 * time.Second),
		InitTimeout:     Duration(10 * time.Second),
		Workload:        clients.KV,
		Clients:         10,
		Rate:            10,
		Keys:            10,
		OpTimeout:       Duration(time.Second),
		Latency:         d.Latency,
		LatencyStddev:   d.LatencyStddev,
		LatencyDist:     d.LatencyDist,
		Nemesis:         DefaultLiveNemesis(),
		NemesisInterval: Duration(5 * time.Second),
		CheckTimeout:    d.CheckTimeout,
		CheckMemory:     d.CheckMemory,
		Store:           d.Store,
		KeepMessages:    true,
	}
}

// LiveNote is what every live result says about reproducibility.
const LiveNote = live.NotReproducible

// Validate reports every invalid field, each named as its `raftcheck live`
// flag is. It is the parse Live does, with the result thrown away.
func (c *LiveConfig) Validate() error {
	_, err := c.options()
	return err
}

// options validates c and builds the live harness's configuration (its
// run directory left to Live).
func (c *LiveConfig) options() (live.Config, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	lc := live.Config{
		Bin: c.Bin, Args: append([]string(nil), c.BinArgs...), Nodes: c.Nodes, Seed: c.Seed, NodeDir: c.NodeDir,
		Workload: string(c.Workload), Clients: c.Clients, Rate: c.Rate, Keys: c.Keys, OpTimeout: c.OpTimeout.D(),
		MaxTime: c.MaxTime.D(), RecoveryTime: c.RecoveryTime.D(), InitTimeout: c.InitTimeout.D(),
		Swarm: c.Swarm, FollowLeader: c.FollowLeader, KeepMessages: c.KeepMessages && c.Store != "",
		CheckTimeout: c.CheckTimeout.D(), CheckMemory: c.CheckMemory.limit(),
	}
	if c.Bin == "" {
		bad("bin", "no node binary given (--bin PATH)")
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
	if c.InitTimeout <= 0 {
		bad("init-timeout", "must be positive, got %s", c.InitTimeout)
	}
	switch c.Workload {
	case clients.Register, clients.KV:
	case clients.Append:
		bad("workload", "append has no lin-kv request (Maelstrom's lin-kv offers read, write and cas): use register or kv")
	default:
		bad("workload", "%q is not one of register, kv", c.Workload)
	}
	if c.Clients < 1 || c.Clients > 1000 {
		bad("clients", "%d is outside 1..1000", c.Clients)
	}
	if c.Rate < 0 {
		bad("rate", "must not be negative, got %g", c.Rate)
	}
	if c.Rate > 0 && c.MaxTime > 0 && c.RecoveryTime >= 0 {
		span := time.Duration(c.MaxTime + c.RecoveryTime).Seconds()
		if ops := 2 * float64(c.Clients) * c.Rate * span; ops > float64(clients.DefaultMaxOps) {
			bad("rate", "--clients %d at --rate %g ops/s for %v would record about %.3g ops, over the limit of %d; use fewer --clients, a lower --rate, or a shorter --max-time",
				c.Clients, c.Rate, time.Duration(c.MaxTime+c.RecoveryTime), ops, clients.DefaultMaxOps)
		}
	}
	if c.Keys < 1 || c.Keys > 100000 {
		bad("keys", "%d is outside 1..100000", c.Keys)
	}
	if c.OpTimeout <= 0 {
		bad("op-timeout", "must be positive, got %s", c.OpTimeout)
	}
	if c.RoleRegex != "" {
		re, err := regexp.Compile(c.RoleRegex)
		switch {
		case err != nil:
			bad("role-regex", "%v", err)
		case re.SubexpIndex("role") < 0 || re.SubexpIndex("term") < 0:
			bad("role-regex", "%q needs the named groups (?P<role>...) and (?P<term>...)", c.RoleRegex)
		default:
			lc.RoleRegex = re
		}
	}
	// The network and the fault schedule parse as a simulated run's do.
	simCfg := Config{
		Nodes: c.Nodes, Latency: c.Latency, LatencyStddev: c.LatencyStddev, LatencyDist: c.LatencyDist,
		MessageDropRate: c.MessageDropRate, MessageDupRate: c.MessageDupRate, ReorderRate: c.ReorderRate,
		SyncLatency: 0, DiskCrashMode: "lose-unsynced",
		Nemesis: c.Nemesis, NemesisInterval: c.NemesisInterval, MaxCrashed: c.MaxCrashed, ChaosScenario: c.ChaosScenario, Swarm: c.Swarm,
	}
	var o options.Options
	simCfg.network(&o, bad)
	simCfg.faults(&o, bad)
	lc.Net = o.Net
	if !c.Swarm {
		field := "nemesis"
		if c.ChaosScenario != "" {
			field = "chaos-scenario"
		}
		names, err := nemesis.ParseFaults(strings.Join(o.Nemesis.Faults, ","))
		if err == nil {
			for _, name := range names {
				if why := live.Unsupported(name); why != "" {
					bad(field, "%s is %s; live mode injects partitions, network faults (flaky, duplicate, delay, reorder, slow-link), crashes and pauses", name, why)
				}
			}
		}
		lc.Nemesis = o.Nemesis
	}
	if c.CheckTimeout < 0 {
		bad("check-timeout", "must not be negative, got %s", c.CheckTimeout)
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
	if err := errors.Join(errs...); err != nil {
		return live.Config{}, err
	}
	return lc, nil
}

// Flags returns the `raftcheck live` flags that recreate c: the binary and
// its arguments and the seed first, then every knob that differs from
// DefaultLiveConfig. Output settings are left out.
func (c LiveConfig) Flags() []Flag {
	d := DefaultLiveConfig()
	flags := []Flag{{Name: "bin", Value: c.Bin}}
	for _, a := range c.BinArgs {
		flags = append(flags, Flag{Name: "bin-arg", Value: a})
	}
	flags = append(flags, Flag{Name: "seed", Value: strconv.FormatUint(c.Seed, 10)})
	add := func(name, v, def string) {
		if v != def {
			flags = append(flags, Flag{Name: name, Value: v})
		}
	}
	addBool := func(name string, v, def bool) {
		if v != def {
			flags = append(flags, Flag{Name: name, Value: strconv.FormatBool(v), Bool: true})
		}
	}
	dur := func(x Duration) string { return time.Duration(x).String() }
	i := strconv.Itoa
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	add("name", c.Name, d.Name)
	add("node-dir", c.NodeDir, d.NodeDir)
	add("role-regex", c.RoleRegex, d.RoleRegex)
	addBool("follow-leader", c.FollowLeader, d.FollowLeader)
	add("nodes", i(c.Nodes), i(d.Nodes))
	add("max-time", dur(c.MaxTime), dur(d.MaxTime))
	add("recovery-time", dur(c.RecoveryTime), dur(d.RecoveryTime))
	add("init-timeout", dur(c.InitTimeout), dur(d.InitTimeout))
	add("workload", string(c.Workload), string(d.Workload))
	add("clients", i(c.Clients), i(d.Clients))
	add("rate", f(c.Rate), f(d.Rate))
	add("keys", i(c.Keys), i(d.Keys))
	add("op-timeout", dur(c.OpTimeout), dur(d.OpTimeout))
	add("latency", dur(c.Latency), dur(d.Latency))
	add("latency-stddev", dur(c.LatencyStddev), dur(d.LatencyStddev))
	add("latency-dist", c.LatencyDist, d.LatencyDist)
	add("message-drop-rate", f(c.MessageDropRate), f(d.MessageDropRate))
	add("message-dup-rate", f(c.MessageDupRate), f(d.MessageDupRate))
	add("reorder-rate", f(c.ReorderRate), f(d.ReorderRate))
	nem := joinNames(c.Nemesis, ",")
	if nem == "" {
		nem = "none"
	}
	add("nemesis", nem, joinNames(d.Nemesis, ","))
	add("nemesis-interval", dur(c.NemesisInterval), dur(d.NemesisInterval))
	add("max-crashed", i(c.MaxCrashed), i(d.MaxCrashed))
	add("chaos-scenario", string(c.ChaosScenario), "")
	addBool("swarm", c.Swarm, false)
	add("check-timeout", dur(c.CheckTimeout), dur(d.CheckTimeout))
	add("check-memory", c.CheckMemory.String(), d.CheckMemory.String())
	return flags
}

// LiveCommand is one shell command that runs c again, live, with the same
// seed. It is not a replay: see LiveNote.
func LiveCommand(c LiveConfig) string {
	var args []string
	for _, f := range c.Flags() {
		for _, a := range f.Arg() {
			args = append(args, shellQuote(a))
		}
	}
	return "raftcheck live " + strings.Join(args, " ")
}
