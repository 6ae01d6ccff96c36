package raftcheck

import (
	"fmt"
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
		d, _, err := c.swarmDraw()
		return d, err
	case c.ChaosScenario != "":
		nc, err := nemesis.Scenario(c.ChaosScenario)
		if err != nil {
			return Config{}, fmt.Errorf("chaos-scenario: %w", err)
		}
		if err := nemesis.ParseTuning(c.NemesisTuning, &nc); err != nil {
			return Config{}, fmt.Errorf("nemesis-tuning: %w", err)
		}
		c.ChaosScenario = ""
		c.Nemesis = slices.Clone(nc.Faults)
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
func (c *Config) swarmDraw() (Config, nemesis.Profile, error) {
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
	draw("nodes", func(r *rand.Rand) { d.Nodes = weighted(r, []int{3, 5, 4, 7}, []float64{55, 25, 8, 12}) })

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
				keep(func(m string) bool { return slices.Contains(b.ReadModes, m) })
			}
		}
		if len(modes) == 1 && modes[0] == "lease" {
			leaseAsked = true // a bug that acts only under leases asks for them
		}
		noCQ := fixed("check-quorum") && !c.CheckQuorum && !slices.Contains(c.Bugs, "lease-without-checkquorum")
		hazard := fixed("nemesis") && slices.ContainsFunc(c.Nemesis, func(f string) bool { return slices.Contains(leaseHazardFaults, f) })
		shortET := fixed("election-ticks") && c.ElectionTicks < 8
		if !leaseAsked && (noCQ || hazard || shortET) {
			keep(func(m string) bool { return m != "lease" })
		}
		d.ReadMode = weighted(r, modes, weights)
	})
	draw("prevote", func(r *rand.Rand) { d.PreVote = r.IntN(2) == 0 })
	draw("check-quorum", func(r *rand.Rand) { d.CheckQuorum = r.IntN(2) == 0 || d.ReadMode == "lease" })

	// Raft timing: short election timeouts are the corner, but the timeout
	// always spans several heartbeats and many network round trips.
	draw("tick-interval", func(r *rand.Rand) {
		d.TickInterval = Duration(roundTo(logUniform(r, float64(5*time.Millisecond), float64(50*time.Millisecond)), time.Millisecond))
	})
	draw("election-ticks", func(r *rand.Rand) {
		target := logUniform(r, float64(100*time.Millisecond), float64(500*time.Millisecond))
		if r.Float64() < 0.4 {
			target = logUniform(r, float64(500*time.Millisecond), float64(2*time.Second))
		}
		d.ElectionTicks = min(max(int(math.Round(target/float64(d.TickInterval))), 8), 1000)
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

	// Network: mean latency at most an eighth of the election timeout.
	draw("latency-dist", func(r *rand.Rand) {
		d.LatencyDist = weighted(r, []string{"constant", "uniform", "normal", "exponential", "lognormal"}, []float64{10, 15, 25, 30, 20})
	})
	draw("latency", func(r *rand.Rand) {
		hi := max(min(30*time.Millisecond, et/8), 100*time.Microsecond)
		d.Latency = Duration(roundTo(logUniform(r, float64(50*time.Microsecond), float64(hi)), time.Microsecond))
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

	// Disks: slow fsync (up to a fifth of the election timeout) is the corner.
	draw("sync-latency", func(r *rand.Rand) {
		hi := max(et/5, 100*time.Microsecond)
		v := logUniform(r, float64(20*time.Microsecond), float64(min(2*time.Millisecond, hi)))
		if r.Float64() < 0.4 {
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

	// Workload: few clients on few, hot keys.
	draw("workload", func(r *rand.Rand) {
		ws, weights := []string{"kv", "append", "register"}, []float64{40, 35, 25}
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
		d.Workload = weighted(r, ws, weights)
	})
	draw("keys", func(r *rand.Rand) {
		d.Keys = 1 + r.IntN(3)
		if r.Float64() >= 0.35 {
			d.Keys = int(math.Round(logUniform(r, 4, 64)))
		}
	})
	draw("key-dist", func(r *rand.Rand) { d.KeyDist = weighted(r, []string{"uniform", "zipf"}, []float64{1, 1}) })
	// Concurrency on a key is what makes the linearizability search
	// expensive: a few clients are enough to interleave reads and writes.
	draw("clients", func(r *rand.Rand) { d.Clients = int(math.Round(logUniform(r, 1, 8))) })
	draw("rate", func(r *rand.Rand) {
		rate := logUniform(r, 2, 30)
		// A bound on the whole cluster's load keeps histories checkable; a
		// single register holds every operation of the run, so it gets less.
		total := 100.0
		if d.Workload == "register" {
			total = 50
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
		d.OpTimeout = Duration(roundTo(logUniform(r, float64(lo), float64(max(5*time.Second, 3*lo))), time.Millisecond))
	})

	// The nemesis profile: faults, pacing (fault storms every 100 ms are
	// the corner), budget and intensities.
	opt := nemesis.SwarmOptions{Nodes: d.Nodes, MinInterval: int64(100 * time.Millisecond), MaxInterval: int64(10 * time.Second),
		MaxSyncLatency: int64(max(et/5, time.Millisecond))}
	if fixed("nemesis") {
		opt.Faults = append([]string{}, c.Nemesis...)
	}
	if d.ReadMode == "lease" && !leaseAsked {
		opt.Exclude = leaseHazardFaults
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
			return Config{}, nemesis.Profile{}, fmt.Errorf("nemesis-tuning: %w", err)
		}
		p = nemesis.Profile(pc)
	}
	d.Nemesis, d.NemesisInterval = slices.Clone(p.Faults), Duration(p.Interval)
	d.MaxCrashed = explicitBudget(p.MaxCrashed, d.Nodes)
	d.NemesisTuning = nemesis.FormatTuning(p.Config().Trim())

	for _, b := range bugs {
		if b.swarm != nil {
			b.swarm(&d, fixed)
		}
	}
	return d, p, nil
}

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
