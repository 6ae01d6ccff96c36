package raftcheck

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/internal/impls"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// readModes maps --read-mode names to the store's modes.
var readModes = map[ReadMode]kvstore.ReadMode{
	ReadModeReadIndex: kvstore.ReadIndex, ReadModeLog: kvstore.ReadLog, ReadModeLease: kvstore.ReadLease, ReadModeLocal: kvstore.ReadLocal,
}

// maxNameBytes bounds Config.Name, a directory name in the store.
const maxNameBytes = 200

// options validates c and parses it into the typed options a run executes:
// the one place where a Config's strings are read. Every invalid field is
// reported as a *FieldError, named as a Go field and as its CLI flag.
func (c *Config) options() (options.Options, error) {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, newFieldError(flag, fmt.Sprintf(format, args...)))
	}
	c.swarmCheck(bad)
	if c.Swarm {
		// The drawn configuration is parsed like any other; the fields
		// that steer the draw are checked first, since a draw from bad
		// ones means nothing.
		if err := errors.Join(errs...); err != nil {
			return options.Options{}, err
		}
		d, p, _, err := c.swarmDraw()
		if err != nil {
			return options.Options{}, err
		}
		o, err := d.options()
		if err != nil {
			return options.Options{}, fmt.Errorf("swarm (seed %d, fixed: %s): %w", c.Seed, strings.Join(c.SwarmFixed, ","), err)
		}
		o.Profile = &p
		return o, nil
	}
	o := options.Options{
		Name: c.Name, Seed: c.Seed, Nodes: c.Nodes,
		MaxTime: c.MaxTime.D(), RecoveryTime: c.RecoveryTime.D(),
		Workload: string(c.Workload), Clients: c.Clients, Rate: c.Rate, Keys: c.Keys, KeyDist: c.KeyDist, OpTimeout: c.OpTimeout.D(),
		PreVote: c.PreVote, CheckQuorum: c.CheckQuorum, TickInterval: c.TickInterval.D(),
		HeartbeatTicks: c.HeartbeatTicks, ElectionTicks: c.ElectionTicks, SnapshotEvery: c.SnapshotEvery, MaxSessions: c.MaxSessions,
		CheckTimeout: c.CheckTimeout.D(), CheckMemory: c.CheckMemory.limit(), CheckSteps: c.CheckSteps,
		TracePath: c.TracePath, KeepMessages: c.KeepMessages && c.Store != "",
	}
	im, err := impls.Lookup(c.Raft)
	if err != nil {
		bad("raft", "%v", err)
	}
	o.Raft = im
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
	switch {
	case c.Rate < 0:
		bad("rate", "must not be negative, got %g", c.Rate)
	case math.IsNaN(c.Rate):
		bad("rate", "must be a number of ops/s, got %g", c.Rate)
	case c.Rate > clients.MaxRate:
		bad("rate", "%g ops/s per client is over the limit of %g", c.Rate, float64(clients.MaxRate))
	}
	// A paced run's history can be predicted: refuse one that would overflow
	// the recorder rather than cut it short (a closed loop, --rate 0, cannot
	// be predicted; its run stops recording at the limit, verdict unknown).
	if c.Rate > 0 && c.MaxTime > 0 && c.RecoveryTime >= 0 {
		span := time.Duration(c.MaxTime + c.RecoveryTime).Seconds()
		// Each op is two records: its invoke and its completion.
		if ops := 2 * float64(c.Clients) * c.Rate * span; ops > float64(clients.DefaultMaxOps) {
			bad("rate", "--clients %d at --rate %g ops/s for %v (--max-time %v + --recovery-time %v) would record about %.3g ops, over the limit of %d; use fewer --clients, a lower --rate, or a shorter --max-time",
				c.Clients, c.Rate, time.Duration(c.MaxTime+c.RecoveryTime), c.MaxTime, c.RecoveryTime, ops, clients.DefaultMaxOps)
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
	if clients.WorkloadOps(string(c.Workload)) != nil {
		mix, err := options.ParseMix(c.Mix, string(c.Workload))
		if err != nil {
			bad("mix", "%v", err)
		}
		o.Mix = mix
	}
	if c.OpTimeout <= 0 {
		bad("op-timeout", "must be positive, got %s", c.OpTimeout)
	}
	mode, ok := readModes[c.ReadMode]
	switch {
	case !ok:
		bad("read-mode", "%q is not one of readindex, log, lease, local", c.ReadMode)
	case c.ReadMode == ReadModeLease && !c.CheckQuorum && !slices.Contains(c.Bugs, BugLeaseWithoutCheckQuorum):
		// Raft refuses it too, but only when a node starts; say it up front.
		// The lease-without-checkquorum planted bug is the one way past it.
		bad("read-mode", "lease reads need CheckQuorum (--check-quorum): a leader cut off from a quorum must step down before its lease can end")
	}
	o.ReadMode = mode
	o.RaftBugs, o.HostBugs = c.bugs(im, bad)
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
	c.network(&o, bad)
	c.faults(&o, bad)
	if c.CheckSteps < 0 {
		bad("check-steps", "must not be negative, got %d", c.CheckSteps)
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
	switch {
	case strings.ContainsAny(c.Name, `/\`) || c.Name == "" || c.Name == "." || c.Name == ".." || c.Name == "latest":
		bad("name", "%q must be a plain, non-empty directory name other than \"latest\"", c.Name)
	case len(c.Name) > maxNameBytes:
		// File systems take 255 bytes a name; the store's own suffixes
		// (.partial, temporary files) need some of them.
		bad("name", "%d bytes is longer than %d", len(c.Name), maxNameBytes)
	case strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
		bad("name", "%q holds a control character", c.Name)
	}
	if len(errs) == 0 {
		c.feasible(bad)
	}
	if err := errors.Join(errs...); err != nil {
		return options.Options{}, err
	}
	return o, nil
}

// bugs resolves the planted bugs into the protocol's and the host's
// switches, refusing those the implementation im cannot host.
func (c *Config) bugs(im impls.Impl, bad func(field, format string, args ...any)) (raft.Bugs, kvstore.Bugs) {
	var rb raft.Bugs
	var kb kvstore.Bugs
	for _, name := range c.Bugs {
		b, ok := LookupBug(name)
		switch {
		case !ok:
			bad("bug", "%v", errUnknownBug(name))
		case b.Layer == LayerProtocol && !im.ProtocolBugs && im.Name != "":
			bad("bug", "%s is a protocol bug, a switch inside the built-in Raft's own code: --raft %s cannot host it (it can host the host bugs: %s)",
				name, im.Name, strings.Join(bugNames(LayerHost), ", "))
		case b.needsLease && !im.LeaseReporter && im.Name != "":
			bad("bug", "%s needs a Raft whose nodes report their read lease (raft.LeaseReporter); --raft %s's do not", name, im.Name)
		case b.ReadModes != nil && !slices.Contains(b.ReadModes, c.ReadMode):
			bad("bug", "%s acts only with --read-mode %s; with %s reads it would change nothing", name, joinNames(b.ReadModes, " or "), c.ReadMode)
		default:
			b.set(&rb, &kb)
		}
	}
	return rb, kb
}

// network parses the network's and the disks' knobs.
func (c *Config) network(o *options.Options, bad func(field, format string, args ...any)) {
	if c.Latency < 0 {
		bad("latency", "must not be negative, got %s", c.Latency)
	}
	if c.LatencyStddev < 0 {
		bad("latency-stddev", "must not be negative, got %s", c.LatencyStddev)
	}
	switch c.LatencyDist {
	case "constant", "uniform", "normal", "exponential", "lognormal":
		if c.Latency >= 0 && c.LatencyStddev >= 0 {
			lat, err := sim.ParseDist(c.LatencyDist, sim.Time(c.Latency), sim.Time(c.LatencyStddev))
			if err != nil {
				bad("latency-dist", "%v", err)
			}
			o.Net.Latency = lat
		}
	default:
		bad("latency-dist", "%q is not one of constant, uniform, normal, exponential, lognormal", c.LatencyDist)
	}
	o.Net.Loss, o.Net.Duplicate, o.Net.Reorder = c.MessageDropRate, c.MessageDupRate, c.ReorderRate
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
	o.Disk.SyncLatency = sim.Time(c.SyncLatency)
	mode, err := sim.ParseCrashMode(c.DiskCrashMode)
	if err != nil {
		bad("disk-crash-mode", "%q is not one of lose-unsynced, keep-prefix, tear-last", c.DiskCrashMode)
	}
	o.Disk.CrashMode = mode
}

// faults resolves --nemesis, --chaos-scenario, --nemesis-tuning and
// --nemesis-schedule into one schedule (a swarm run's is drawn before).
func (c *Config) faults(o *options.Options, bad func(field, format string, args ...any)) {
	// The nemesis refuses shorter intervals (they bound its actions per
	// run); saying so here names the flag rather than the nemesis field.
	minIv := Duration(nemesis.MinInterval)
	if c.NemesisInterval < minIv {
		bad("nemesis-interval", "must be at least %s, got %s", minIv, c.NemesisInterval)
	}
	faults, err := nemesis.ParseFaults(joinNames(c.Nemesis, ","))
	if err != nil {
		bad("nemesis", "%v", err)
	}
	if c.MaxCrashed < 0 || c.MaxCrashed > c.Nodes {
		bad("max-crashed", "%d is outside 0..nodes (%d)", c.MaxCrashed, c.Nodes)
	}
	switch {
	case c.ChaosScenario != "" && c.Swarm:
		bad("swarm", "a swarm run draws its faults from the seed, and --chaos-scenario %s names them: give one or the other", c.ChaosScenario)
	case c.ChaosScenario != "":
		nc, err := nemesis.Scenario(string(c.ChaosScenario))
		if err != nil {
			bad("chaos-scenario", "%v", err)
		}
		o.Nemesis = nc
		faults = nc.Faults
	case err == nil:
		o.Nemesis = nemesis.Config{Faults: faults, Interval: int64(c.NemesisInterval), MaxCrashed: c.MaxCrashed}
		if err := o.Nemesis.Validate(); err != nil && c.NemesisInterval >= minIv {
			bad("nemesis", "%v", err)
		}
	}
	if c.NemesisTuning != "" {
		if err := nemesis.ParseTuning(c.NemesisTuning, &o.Nemesis); err != nil {
			bad("nemesis-tuning", "%v", err)
		}
	}
	if o.Raft.RejoinHazard != "" && o.Nemesis.Intensity.ChurnWipe == 0 && slices.Contains(faults, "member-churn") {
		// Not asked for: bring members back with their disks, the lesser
		// of the two hazards (see impls.Impl.RejoinHazard).
		o.Nemesis.Intensity.ChurnWipe = nemesis.Off
	}
	if c.NemesisSchedule != "" {
		steps, err := nemesis.ParseSchedule(c.NemesisSchedule)
		if err != nil {
			bad("nemesis-schedule", "%v", err)
		}
		for i, st := range steps {
			if st.Fault != "" && !slices.Contains(faults, st.Fault) {
				bad("nemesis-schedule", "step %d: fault %s is not among --nemesis (%s)", i+1, st.Fault, strings.Join(faults, ","))
				break
			}
		}
		o.Nemesis.Script = steps
	}
}
