package raftcheck

import (
	"fmt"
	"github.com/raftcheck/raftcheck/internal/impls"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// Swarm testing (TigerBeetle's VOPR): under Config.Swarm the seed draws the
// whole run — cluster size, Raft timing, network, disks, workload, read mode
// and the nemesis profile — from distributions that favour the corners
// where bugs live (3 nodes, short election timeouts, slow disks, tiny
// snapshot intervals, few and hot keys), while every draw stays a run a
// correct build handles: latency and fsync well under the election timeout,
// enough room in the recorder, and no lease reads under pauses or clock
// faults unless asked for (see leaseHazardFaults).
//
// Each knob draws from a stream of its own ("swarm/<knob>"), so fixing one
// knob (SwarmFixed) changes no other knob's draw, except where one bounds
// another (the election timeout bounds latency and fsync; the read mode
// decides CheckQuorum and which faults may be drawn).

// Swarm corners: before the knobs, the seed draws which corner of the space
// the run explores. Each stresses one part of Raft and biases the knobs the
// user did not fix toward it; "free" draws every knob on its own.
const (
	// CornerFree draws every knob independently.
	CornerFree = "free"
	// CornerLeaderStorm kills and cuts off the leader at the election
	// timescale on slow disks, so terms pile up with unreplicated log
	// tails: the corner of the commit, truncation and election-restriction
	// rules (Raft's Figure 8).
	CornerLeaderStorm = "leader-storm"
	// CornerMembership changes the membership while the leader is cut off
	// with a minority, on 5 or 7 nodes: the corner of configuration
	// changes (one at a time, committed before the next).
	CornerMembership = "membership"
	// CornerSlowNetwork makes messages slow against the election timeout
	// (mean latency up to a fifth of it, heavy tails, no PreVote) while
	// partitions come and go: the corner of elections, where vote replies
	// and heartbeats arrive late.
	CornerSlowNetwork = "slow-network"
)

// swarmCorners are the corners with their chances.
var swarmCorners = []string{CornerFree, CornerLeaderStorm, CornerMembership, CornerSlowNetwork}
var swarmCornerWeights = []float64{30, 25, 25, 20}

// swarmKnobs lists, in draw order, the knobs Swarm draws, by flag name.
var swarmKnobs = []string{
	"nodes", "read-mode", "prevote", "check-quorum",
	"tick-interval", "election-ticks", "heartbeat-ticks",
	"latency-dist", "latency", "latency-stddev", "message-drop-rate", "message-dup-rate", "reorder-rate",
	"sync-latency", "disk-crash-mode", "snapshot-every",
	"workload", "keys", "key-dist", "clients", "rate", "op-timeout",
	"nemesis", "nemesis-interval", "max-crashed", "nemesis-tuning",
}

// SwarmKnobs lists the knobs Config.Swarm draws from the seed, by flag name,
// in the order they are drawn. Config.SwarmFixed names a subset to keep.
func SwarmKnobs() []string { return slices.Clone(swarmKnobs) }

// isSwarmKnob reports whether the swarm draws the knob called name.
func isSwarmKnob(name string) bool { return slices.Contains(swarmKnobs, name) }

// rejoinFaults are the faults that bring a removed node back under its old
// ID: member-churn, and corrupt (a node whose disk went bad is replaced by
// one with an empty disk). The swarm draws neither on an implementation
// with a RejoinHazard unless --nemesis is given.
var rejoinFaults = []string{"member-churn", "corrupt"}

// leaseHazardFaults are the faults under which lease reads are unsafe on a
// correct Raft: a paused leader, or one whose clock runs slow or jumps, keeps
// a lease its followers no longer honour and serves stale reads. This is the
// documented limit of leases (raft/readindex.go), not a bug.
var leaseHazardFaults = []string{"pause-random", "pause-leader", "clock-skew", "clock-drift", "clock-bump", "clock-strobe"}

// Resolve returns the configuration a run of c executes: c itself, or under
// Swarm the configuration the seed draws, with Swarm off and every drawn
// knob explicit (the nemesis profile as Nemesis, NemesisInterval,
// MaxCrashed and NemesisTuning). Running the resolved configuration is the
// same run, trace hash included.
//
// A chaos scenario resolves the same way: its faults, pacing and
// intensities become explicit knobs. Resolve refuses what Validate refuses.
func (c Config) Resolve() (Config, error) {
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	switch {
	case c.Swarm:
		d, _, _, err := c.swarmDraw()
		return d, err
	case c.ChaosScenario != "":
		nc, err := nemesis.Scenario(string(c.ChaosScenario))
		if err != nil {
			return Config{}, fmt.Errorf("chaos-scenario: %w", err)
		}
		if err := nemesis.ParseTuning(c.NemesisTuning, &nc); err != nil {
			return Config{}, fmt.Errorf("nemesis-tuning: %w", err)
		}
		c.ChaosScenario = ""
		c.Nemesis = namesOf[Fault](nc.Faults)
		c.NemesisInterval = Duration(nc.WithDefaults().Interval)
		c.MaxCrashed = explicitBudget(nc.MaxCrashed, c.Nodes)
		c.NemesisTuning = nemesis.FormatTuning(nc.Trim())
	}
	return c, nil
}

// explicitBudget writes a nemesis budget as Config.MaxCrashed takes it: a
// count, or 0 for a minority.
func explicitBudget(b, nodes int) int {
	if b == nemesis.BudgetMajority {
		return nodes/2 + 1 // what the nemesis makes of BudgetMajority
	}
	return b
}

// SwarmCorner names the corner a swarm run of c explores (see CornerFree
// and the others); "" when c is not a swarm run or does not validate.
func (c Config) SwarmCorner() string {
	if !c.Swarm || c.Validate() != nil {
		return ""
	}
	_, _, corner, _ := c.swarmDraw()
	return corner
}

// swarmFlags lists the knobs a swarm run drew (not those it kept) with the
// values drawn, as flags of the resolved configuration d.
func swarmFlags(c, d Config) []Flag {
	var out []Flag
	for _, k := range swarmKnobs {
		if !slices.Contains(c.SwarmFixed, k) {
			out = append(out, knobFlag(&d, k))
		}
	}
	return out
}

// swarmCheck validates the fields that steer the swarm.
func (c *Config) swarmCheck(bad func(field, format string, args ...any)) {
	for _, k := range c.SwarmFixed {
		if !isSwarmKnob(k) {
			bad("swarm-fixed", "%q is not a knob the swarm draws (those are: %s)", k, strings.Join(swarmKnobs, ", "))
		}
	}
	if !c.Swarm {
		if len(c.SwarmFixed) > 0 {
			bad("swarm-fixed", "names knobs to keep under --swarm, but --swarm is off")
		}
		return
	}
	if c.ChaosScenario != "" {
		bad("chaos-scenario", "--swarm draws the faults; --chaos-scenario %s names them: give one or the other", c.ChaosScenario)
	}
	if c.NemesisSchedule != "" {
		bad("nemesis-schedule", "--swarm draws the fault schedule; an explicit schedule needs the explicit run (Config.Resolve, or the run's \"explicit\" command)")
	}
}

// swarmDraw draws the configuration of a swarm run from c's seed, keeping
// the knobs c.SwarmFixed names, and returns it with the nemesis profile.
func (c *Config) swarmDraw() (Config, nemesis.Profile, string, error) {
	d := *c
	d.Swarm, d.SwarmFixed = false, nil
	fixed := func(k string) bool { return slices.Contains(c.SwarmFixed, k) }
	draw := func(k string, f func(r *rand.Rand)) {
		if !fixed(k) {
			f(sim.NewStream(c.Seed, "swarm/"+k))
		}
	}
	bugs := make([]Bug, 0, len(c.Bugs))
	for _, name := range c.Bugs {
		if b, ok := LookupBug(name); ok {
			bugs = append(bugs, b)
		}
	}

	// Two nodes are left out: with no node to spare, split votes between
	// the two can last long enough to fail liveness on a correct Raft.
	corner := weighted(sim.NewStream(c.Seed, "swarm/corner"), swarmCorners, swarmCornerWeights)
	draw("nodes", func(r *rand.Rand) {
		switch corner {
		case CornerLeaderStorm:
			d.Nodes = weighted(r, []int{3, 5}, []float64{65, 35})
		case CornerMembership:
			d.Nodes = weighted(r, []int{5, 7}, []float64{1, 1})
		default:
			d.Nodes = weighted(r, []int{3, 5, 4, 7}, []float64{55, 25, 8, 12})
		}
	})

	// Lease reads are drawn only where they are safe on a correct Raft,
	// unless the user or a planted bug asks for them.
	leaseAsked := fixed("read-mode") && c.ReadMode == "lease"
	draw("read-mode", func(r *rand.Rand) {
		modes, weights := []string{"readindex", "log", "lease"}, []float64{40, 30, 30}
		keep := func(ok func(m string) bool) {
			var m2 []string
			var w2 []float64
			for i, m := range modes {
				if ok(m) {
					m2, w2 = append(m2, m), append(w2, weights[i])
				}
			}
			if len(m2) > 0 {
				modes, weights = m2, w2
			}
		}
		for _, b := range bugs {
			if b.ReadModes != nil {
				keep(func(m string) bool { return slices.Contains(b.ReadModes, ReadMode(m)) })
			}
		}
		if len(modes) == 1 && modes[0] == "lease" {
			leaseAsked = true // a bug that acts only under leases asks for them
		}
		noCQ := fixed("check-quorum") && !c.CheckQuorum && !slices.Contains(c.Bugs, "lease-without-checkquorum")
		hazard := fixed("nemesis") && slices.ContainsFunc(c.Nemesis, func(f Fault) bool { return slices.Contains(leaseHazardFaults, string(f)) })
		shortET := fixed("election-ticks") && c.ElectionTicks < 8
		// An implementation whose lease is unsafe on good clocks too
		// (impls.Impl.LeaseHazard: etcd's) gets no lease reads unasked.
		im, err := impls.Lookup(c.Raft)
		implLease := err == nil && im.LeaseHazard != ""
		if !leaseAsked && (noCQ || hazard || shortET || implLease) {
			keep(func(m string) bool { return m != "lease" })
		}
		d.ReadMode = ReadMode(weighted(r, modes, weights))
	})
	draw("prevote", func(r *rand.Rand) {
		switch corner {
		case CornerSlowNetwork: // PreVote would hide most late votes
			d.PreVote = r.IntN(4) == 0
		case CornerLeaderStorm: // slow disks need it (see sync-latency)
			d.PreVote = r.IntN(8) != 0
		default:
			d.PreVote = r.IntN(2) == 0
		}
	})
	draw("check-quorum", func(r *rand.Rand) { d.CheckQuorum = r.IntN(2) == 0 || d.ReadMode == "lease" })

	// Raft timing: short election timeouts are the corner, but the timeout
	// always spans several heartbeats and many network round trips.
	draw("tick-interval", func(r *rand.Rand) {
		d.TickInterval = Duration(roundTo(logUniform(r, float64(5*time.Millisecond), float64(50*time.Millisecond)), time.Millisecond))
	})
	draw("election-ticks", func(r *rand.Rand) {
		target := logUniform(r, float64(100*time.Millisecond), float64(500*time.Millisecond))
		if r.Float64() < 0.4 {
			target = logUniform(r, float64(500*time.Millisecond), float64(time.Second))
		}
		if rt := float64(d.RecoveryTime); rt > 0 {
			// The recovery window spans many elections, or a slow one
			// would read as a liveness failure.
			target = min(target, rt/10)
		}
		// At least 10 ticks: the timeout is randomized in whole ticks,
		// and fewer make two nodes time out together too often.
		d.ElectionTicks = min(max(int(math.Round(target/float64(d.TickInterval))), 10), 1000)
		if rt := float64(d.RecoveryTime); rt > 0 {
			d.ElectionTicks = min(d.ElectionTicks, max(int(rt/10/float64(d.TickInterval)), 10))
		}
		if fixed("heartbeat-ticks") { // several heartbeats per timeout
			d.ElectionTicks = max(d.ElectionTicks, 3*d.HeartbeatTicks+1)
		}
	})
	draw("heartbeat-ticks", func(r *rand.Rand) {
		d.HeartbeatTicks = 1
		if most := d.ElectionTicks / 4; most > 1 && r.Float64() >= 0.35 {
			d.HeartbeatTicks = 1 + r.IntN(most)
		}
	})
	et := time.Duration(d.ElectionTicks) * time.Duration(d.TickInterval)

	// Network: mean latency at most an eighth of the election timeout (a
	// fifth in the slow-network corner).
	draw("latency-dist", func(r *rand.Rand) {
		weights := []float64{10, 15, 25, 30, 20}
		if corner == CornerSlowNetwork { // heavy tails
			weights = []float64{0, 0, 0, 70, 30}
		}
		d.LatencyDist = weighted(r, []string{"constant", "uniform", "normal", "exponential", "lognormal"}, weights)
	})
	draw("latency", func(r *rand.Rand) {
		hi := max(min(30*time.Millisecond, et/8), 100*time.Microsecond)
		v := logUniform(r, float64(50*time.Microsecond), float64(hi))
		if corner == CornerSlowNetwork {
			v = float64(et) * (1.0/8 + (1.0/5-1.0/8)*r.Float64())
		}
		d.Latency = Duration(roundTo(v, time.Microsecond))
	})
	draw("latency-stddev", func(r *rand.Rand) {
		d.LatencyStddev = 0
		if d.LatencyDist != "constant" && d.LatencyDist != "exponential" {
			d.LatencyStddev = Duration(roundTo(float64(d.Latency)*(0.1+0.9*r.Float64()), time.Microsecond))
		}
	})
	rare := func(lo, hi float64) func(r *rand.Rand) float64 {
		return func(r *rand.Rand) float64 {
			if r.Float64() >= 0.25 {
				return 0
			}
			return roundSig(logUniform(r, lo, hi))
		}
	}
	draw("message-drop-rate", func(r *rand.Rand) { d.MessageDropRate = rare(0.001, 0.05)(r) })
	draw("message-dup-rate", func(r *rand.Rand) { d.MessageDupRate = rare(0.001, 0.1)(r) })
	draw("reorder-rate", func(r *rand.Rand) { d.ReorderRate = rare(0.01, 0.3)(r) })

	// Disks: slow fsync (up to a fifth of the election timeout, a quarter in
	// a leader storm) is the corner.
	// Without PreVote every election persists a term and a vote on each
	// node before it can win: a slow disk then makes split votes last, so
	// the bound is a sixteenth of the election timeout.
	draw("sync-latency", func(r *rand.Rand) {
		hi := max(et/5, 100*time.Microsecond)
		storm := 0.25
		if !d.PreVote {
			hi, storm = max(et/16, 100*time.Microsecond), 1.0/16
		}
		v := logUniform(r, float64(20*time.Microsecond), float64(min(2*time.Millisecond, hi)))
		switch x := r.Float64(); {
		case corner == CornerLeaderStorm && x < 0.8:
			// Replication slower than the leader changes: a tenth to a
			// quarter of the election timeout.
			v = float64(et) * storm * (0.4 + 0.6*r.Float64())
		case corner != CornerLeaderStorm && x < 0.4:
			v = logUniform(r, float64(min(10*time.Millisecond, hi/2)), float64(min(150*time.Millisecond, hi)))
		}
		d.SyncLatency = Duration(roundTo(v, time.Microsecond))
	})
	draw("disk-crash-mode", func(r *rand.Rand) {
		d.DiskCrashMode = weighted(r, []string{"lose-unsynced", "keep-prefix", "tear-last"}, []float64{50, 25, 25})
	})
	draw("snapshot-every", func(r *rand.Rand) {
		switch x := r.Float64(); {
		case x < 0.4:
			d.SnapshotEvery = int(math.Round(logUniform(r, 3, 64)))
		case x < 0.75:
			d.SnapshotEvery = int(math.Round(logUniform(r, 64, 2000)))
		default:
			d.SnapshotEvery = 0
		}
	})

	// Where leaders keep changing, many operations end indeterminate (they
	// time out), and each one stays open on its key for the rest of the
	// history: there, keys are not few, nor very hot, and the workload is
	// not the single register.
	churn := corner == CornerLeaderStorm || corner == CornerMembership

	// Workload: few clients on few, hot keys.
	draw("workload", func(r *rand.Rand) {
		ws, weights := []string{"kv", "append", "register"}, []float64{40, 35, 25}
		if churn {
			weights[2] = 0
		}
		if c.Mix != "" { // only the workloads whose operations the mix names
			var w2 []string
			var x2 []float64
			for i, w := range ws {
				if _, err := options.ParseMix(c.Mix, w); err == nil {
					w2, x2 = append(w2, w), append(x2, weights[i])
				}
			}
			if len(w2) > 0 {
				ws, weights = w2, x2
			}
		}
		d.Workload = Workload(weighted(r, ws, weights))
	})
	draw("keys", func(r *rand.Rand) {
		d.Keys = 1 + r.IntN(3)
		if r.Float64() >= 0.35 || churn {
			d.Keys = int(math.Round(logUniform(r, 4, 64)))
		}
	})
	draw("key-dist", func(r *rand.Rand) {
		weights := []float64{1, 1}
		if churn {
			weights = []float64{3, 1}
		}
		d.KeyDist = weighted(r, []string{"uniform", "zipf"}, weights)
	})
	// Concurrency on a key is what makes the linearizability search
	// expensive: a few clients are enough to interleave reads and writes.
	draw("clients", func(r *rand.Rand) { d.Clients = int(math.Round(logUniform(r, 1, 8))) })
	draw("rate", func(r *rand.Rand) {
		rate := logUniform(r, 2, 30)
		// A bound on the load of the hottest key keeps histories checkable:
		// the linearizability search runs key by key, and a key with
		// thousands of concurrent operations can take minutes.
		hot := d.Keys
		switch {
		case d.Workload == "register":
			hot = 1
		case d.KeyDist == "zipf":
			hot = max(1, d.Keys/3)
		}
		total := min(100, 30*float64(hot))
		// Operations in flight on the hottest key at once are what makes its
		// search expensive (each one it cannot order multiplies the search).
		// A client has one operation in flight, busy for a few network round
		// trips and fsyncs each: where operations are slow, fewer clients
		// (rather than a lower rate, which leaves a thread too few
		// operations to show it recovered after the heal).
		opTime := (4*time.Duration(d.Latency) + 2*time.Duration(d.SyncLatency)).Seconds()
		if busy := min(1, rate*opTime); busy > 0 && !fixed("clients") {
			d.Clients = max(1, min(d.Clients, int(swarmHotInFlight*float64(hot)/busy)))
		}
		span := (time.Duration(d.MaxTime) + time.Duration(d.RecoveryTime)).Seconds()
		if span > 0 {
			total = min(total, float64(clients.DefaultMaxOps)/4/span)
		}
		rate = min(rate, total/float64(max(d.Clients, 1)))
		d.Rate = math.Max(math.Round(rate*10)/10, 0.1)
	})
	// An operation that times out is indeterminate for the rest of the
	// history, and every one multiplies the linearizability search: the
	// timeout outlasts a few elections and many round trips.
	draw("op-timeout", func(r *rand.Rand) {
		trip := 2*time.Duration(d.Latency) + time.Duration(d.SyncLatency)
		lo := max(500*time.Millisecond, 3*et, 20*trip)
		v := logUniform(r, float64(lo), float64(max(5*time.Second, 3*lo)))
		if rt := float64(d.RecoveryTime); rt > 0 {
			// A client stuck on an operation from before the heal must still
			// complete one in the recovery window.
			v = min(v, float64(time.Duration(rt/3).Truncate(time.Millisecond)))
		}
		d.OpTimeout = Duration(roundTo(v, time.Millisecond))
	})

	// The nemesis profile: faults, pacing (fault storms every 100 ms are
	// the corner), budget and intensities.
	opt := nemesis.SwarmOptions{Nodes: d.Nodes, MinInterval: int64(100 * time.Millisecond), MaxInterval: int64(10 * time.Second),
		MaxSyncLatency: int64(max(et/5, time.Millisecond))}
	if !d.PreVote {
		opt.MaxSyncLatency = int64(max(et/16, time.Millisecond))
	}
	if d.ReadMode == "lease" && !leaseAsked {
		opt.Exclude = slices.Clone(leaseHazardFaults)
	}
	rejoinHazard := false
	if im, err := impls.Lookup(c.Raft); err == nil && im.RejoinHazard != "" {
		rejoinHazard = true
		opt.Exclude = append(opt.Exclude, rejoinFaults...)
	}
	// A corner's faults: the ones its part of Raft must survive, a few
	// others by chance, at the election timescale. The ones it always
	// draws act together (a membership change while the leader is cut off
	// with a minority): at most one fault at a time would never show the
	// corner's scenario.
	corr := sim.NewStream(c.Seed, "swarm/corner-faults")
	cornerFaults := func(always, maybe []string, pace [2]float64) {
		opt.Faults = nil
		for _, f := range always {
			if !slices.Contains(opt.Exclude, f) {
				opt.Faults = append(opt.Faults, f)
			}
		}
		opt.MinActive = len(opt.Faults)
		for _, f := range maybe {
			if corr.IntN(3) == 0 && !slices.Contains(opt.Exclude, f) {
				opt.Faults = append(opt.Faults, f)
			}
		}
		opt.Faults, _ = nemesis.ParseFaults(strings.Join(opt.Faults, ",")) // catalog order, as the nemesis keeps them
		opt.MinInterval = max(int64(float64(et)*pace[0]), int64(10*time.Millisecond))
		opt.MaxInterval = max(int64(float64(et)*pace[1]), opt.MinInterval)
	}
	switch corner {
	case CornerLeaderStorm:
		cornerFaults([]string{"partition-isolate-leader", "crash-leader"},
			[]string{"pause-leader", "partition-leader-minority", "crash-random", "lose-unsynced"}, [2]float64{0.3, 1.5})
	case CornerMembership:
		cornerFaults([]string{"partition-leader-minority", "member-churn"},
			[]string{"corrupt", "crash-leader", "partition-isolate-leader"}, [2]float64{0.1, 0.5})
	case CornerSlowNetwork:
		cornerFaults([]string{"partition-isolate-leader", "partition-random-halves"},
			[]string{"crash-leader", "delay", "pause-leader", "reorder"}, [2]float64{2, 10})
	}
	if fixed("nemesis") {
		opt.Faults = namesOf[string](c.Nemesis)
	}
	p := nemesis.SwarmWith(sim.NewStream(c.Seed, "swarm/nemesis"), opt)
	if fixed("nemesis-interval") {
		p.Interval = int64(c.NemesisInterval)
	}
	if fixed("max-crashed") {
		p.MaxCrashed = c.MaxCrashed
	}
	if fixed("nemesis-tuning") {
		pc := p.Config()
		if err := nemesis.ParseTuning(c.NemesisTuning, &pc); err != nil {
			return Config{}, nemesis.Profile{}, "", fmt.Errorf("nemesis-tuning: %w", err)
		}
		p = nemesis.Profile(pc)
	}
	if rejoinHazard && !fixed("nemesis-tuning") {
		// Members come back with their disks on an implementation that
		// never takes a removed member back (impls.Impl.RejoinHazard).
		pc := p.Config()
		pc.Intensity.ChurnWipe = nemesis.Off
		p = nemesis.Profile(pc)
	}
	if slices.Contains(p.Faults, "member-churn") && !fixed("prevote") {
		// Members that come back behind the others (with a wiped disk, or
		// after missing the changes) time out first and, without PreVote,
		// bump every node's term with elections they cannot win: after the
		// final heal a correct Raft can then go many election timeouts
		// without a leader (the dissertation's disruptive servers, §4.2.3).
		d.PreVote = true
	}
	d.Nemesis, d.NemesisInterval = namesOf[Fault](p.Faults), Duration(p.Interval)
	d.MaxCrashed = explicitBudget(p.MaxCrashed, d.Nodes)
	d.NemesisTuning = nemesis.FormatTuning(p.Config().Trim())

	for _, b := range bugs {
		if b.swarm != nil {
			b.swarm(&d, fixed)
		}
	}
	return d, p, corner, nil
}

// swarmHotInFlight bounds the operations a swarm run keeps in flight on its
// hottest key at once, on average, when it draws the clients.
const swarmHotInFlight = 2.0

// weighted draws one of xs with the given relative weights.
func weighted[T any](r *rand.Rand, xs []T, weights []float64) T {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return xs[i]
		}
		x -= w
	}
	return xs[len(xs)-1]
}

// logUniform draws from [lo, hi] with a uniform logarithm: every order of
// magnitude is as likely as the next.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	if hi <= lo {
		return lo
	}
	return math.Exp(math.Log(lo) + (math.Log(hi)-math.Log(lo))*r.Float64())
}

// roundTo rounds v nanoseconds to a multiple of unit (at least one unit), so
// drawn durations print as short flags.
func roundTo(v float64, unit time.Duration) time.Duration {
	return max(time.Duration(math.Round(v/float64(unit)))*unit, unit)
}

// roundSig rounds a probability to three significant digits.
func roundSig(v float64) float64 {
	if v == 0 {
		return 0
	}
	scale := math.Pow(10, 2-math.Floor(math.Log10(v)))
	return math.Round(v*scale) / scale
}
