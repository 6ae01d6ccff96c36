package nemesis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Profile is a randomly chosen nemesis configuration (swarm testing, as in
// TigerBeetle's VOPR): which faults are on and how hard they hit. It has the
// same fields and JSON form as Config, so a run's results can store it and
// the seed alone reproduces it.
type Profile Config

// SwarmOptions shapes a swarm draw (SwarmWith).
type SwarmOptions struct {
	// Nodes is the cluster size: faults it is too small for are never drawn.
	Nodes int
	// Faults, when not nil, are the faults the profile uses (the user chose
	// them); the choice is still drawn, and thrown away, so pacing and
	// intensities are the ones the same seed draws without it.
	Faults []string
	// Exclude lists faults never drawn (the caller knows they do not fit
	// the rest of the run, e.g. pauses under lease reads).
	Exclude []string
	// MinInterval and MaxInterval bound the pacing, drawn log-uniformly;
	// zero means 1 s and 10 s.
	MinInterval, MaxInterval int64
	// MaxSyncLatency bounds slow-fsync's latency; zero means 500 ms.
	MaxSyncLatency int64
	// MinActive, when above the drawn MaxActive, raises it: the caller's
	// scenario needs that many faults acting together (a membership change
	// while the leader is cut off needs two).
	MinActive int
}

// Swarm draws a profile for a cluster of nodes from rng with the default
// options (SwarmWith).
func Swarm(rng *rand.Rand, nodes int) Profile {
	return SwarmWith(rng, SwarmOptions{Nodes: nodes})
}

// SwarmWith draws a profile from rng. Each fault category is on with
// probability ½ (at least one is), each fault of an enabled category with
// probability ½ (at least one is); pacing, budget and every intensity are
// drawn from ranges wide enough to matter. Faults the cluster is too small
// for, and excluded ones, are never chosen. The same rng stream and options
// give the same profile.
func SwarmWith(rng *rand.Rand, o SwarmOptions) Profile {
	var p Profile
	nodes := o.Nodes
	categories := [...]string{CategoryPartition, CategoryProcess, CategoryNetwork, CategoryClock, CategoryDisk, CategoryMembership}
	on := make([]bool, len(categories))
	for i := range on {
		on[i] = rng.IntN(2) == 0
	}
	if !slices.Contains(on, true) {
		on[rng.IntN(len(on))] = true
	}
	for ci, c := range categories {
		if !on[ci] {
			continue
		}
		var members []int // catalog positions usable on this cluster
		for j := range catalog {
			if catalog[j].Category == c && nodes >= catalog[j].MinNodes && !slices.Contains(o.Exclude, catalog[j].Name) {
				members = append(members, j)
			}
		}
		if len(members) == 0 {
			continue
		}
		picked := make([]bool, len(members))
		for k := range picked {
			picked[k] = rng.IntN(2) == 0
		}
		if !slices.Contains(picked, true) {
			picked[rng.IntN(len(picked))] = true
		}
		for k, j := range members {
			if picked[k] {
				p.Faults = append(p.Faults, catalog[j].Name)
			}
		}
	}
	if len(p.Faults) == 0 {
		// Only a cluster with no applicable pick lands here.
		for j := range catalog {
			if catalog[j].Category == CategoryProcess && nodes >= catalog[j].MinNodes && !slices.Contains(o.Exclude, catalog[j].Name) {
				p.Faults = []string{catalog[j].Name}
				break
			}
		}
	}
	if o.Faults != nil {
		p.Faults = slices.Clone(o.Faults)
	}
	minIv, maxIv := o.MinInterval, o.MaxInterval
	if minIv <= 0 {
		minIv = Second
	}
	if maxIv <= 0 {
		maxIv = 10 * Second
	}
	maxSync := o.MaxSyncLatency
	if maxSync <= 0 {
		maxSync = 500 * Millisecond
	}

	minority := (nodes - 1) / 2
	p.Interval = logDuration(rng, minIv, max(maxIv, minIv))
	p.Jitter = round3(0.1 + 0.8*rng.Float64())
	p.MaxActive = max(1+rng.IntN(3), o.MinActive)
	switch {
	case minority == 0:
		p.MaxCrashed = BudgetMinority
	case rng.IntN(8) == 0:
		p.MaxCrashed = BudgetMajority
	default:
		p.MaxCrashed = 1 + rng.IntN(minority)
	}
	if p.MaxCrashed == BudgetMajority && (slices.Contains(p.Faults, "corrupt") || slices.Contains(p.Faults, "member-churn")) {
		// A majority down for good (a corrupted disk, a removed member) is
		// a cluster no Raft can repair: the budget stays a minority.
		p.MaxCrashed = BudgetMinority
	}
	in := &p.Intensity
	in.CrashCount = 1 + rng.IntN(max(minority, 1))
	in.Downtime = logDuration(rng, 200*Millisecond, 5*Second)
	in.Loss = round3(0.01 + 0.49*rng.Float64())
	in.Duplicate = round3(0.01 + 0.49*rng.Float64())
	in.Reorder = round3(0.05 + 0.75*rng.Float64())
	in.Delay = logDuration(rng, Millisecond, 200*Millisecond)
	in.LinkDelay = logDuration(rng, 10*Millisecond, 2*Second)
	in.ClockSkew = logDuration(rng, Millisecond, 2*Second)
	in.ClockDrift = float64(logUniform(rng, 100, 200000)) // ppm
	in.ClockBump = logDuration(rng, 10*Millisecond, 10*Second)
	in.StrobeDelta = logDuration(rng, Millisecond, Second)
	in.StrobePeriod = logDuration(rng, Millisecond, 100*Millisecond)
	in.SyncLatency = logDuration(rng, min(Millisecond, maxSync), maxSync)
	in.ChurnWipe = max(round3(rng.Float64()), 0.001) // 0 would mean the default
	in.ChurnLeader = max(round3(rng.Float64()), 0.001)
	return p
}

// Config returns the profile as a nemesis configuration.
func (p Profile) Config() Config {
	c := Config(p)
	c.Faults = append([]string(nil), p.Faults...)
	return c
}

// String prints the profile on one line, with only the intensities of the
// faults it uses.
func (p Profile) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "faults=%s interval=%s jitter=%.2f max-active=%d max-crashed=%s",
		strings.Join(p.Faults, ","), dur(p.Interval), p.Jitter, p.MaxActive, budgetString(p.MaxCrashed))
	in := p.Intensity
	uses := func(name string) bool { return slices.Contains(p.Faults, name) }
	if uses("crash-random") {
		fmt.Fprintf(&b, " crash-count=%d", in.CrashCount)
	}
	if uses("rolling-restart") {
		fmt.Fprintf(&b, " downtime=%s", dur(in.Downtime))
	}
	if uses("flaky") {
		fmt.Fprintf(&b, " loss=%.3f", in.Loss)
	}
	if uses("duplicate") {
		fmt.Fprintf(&b, " duplicate=%.3f", in.Duplicate)
	}
	if uses("reorder") {
		fmt.Fprintf(&b, " reorder=%.3f", in.Reorder)
	}
	if uses("delay") {
		fmt.Fprintf(&b, " delay=%s", dur(in.Delay))
	}
	if uses("slow-link") {
		fmt.Fprintf(&b, " link-delay=%s", dur(in.LinkDelay))
	}
	if uses("clock-skew") {
		fmt.Fprintf(&b, " clock-skew=%s", dur(in.ClockSkew))
	}
	if uses("clock-drift") {
		fmt.Fprintf(&b, " clock-drift=%.0fppm", in.ClockDrift)
	}
	if uses("clock-bump") {
		fmt.Fprintf(&b, " clock-bump=%s", dur(in.ClockBump))
	}
	if uses("clock-strobe") {
		fmt.Fprintf(&b, " strobe=%s/%s", dur(in.StrobeDelta), dur(in.StrobePeriod))
	}
	if uses("slow-fsync") {
		fmt.Fprintf(&b, " sync-latency=%s", dur(in.SyncLatency))
	}
	if uses("member-churn") {
		fmt.Fprintf(&b, " churn-wipe=%s churn-leader=%s", chance(in.ChurnWipe), chance(in.ChurnLeader))
	}
	return b.String()
}

// budgetString names a MaxCrashed value.
func budgetString(v int) string {
	switch v {
	case BudgetMinority:
		return "minority"
	case BudgetMajority:
		return "majority"
	}
	return fmt.Sprint(v)
}

// logDuration draws a duration from [lo, hi] nanoseconds like logUniform,
// rounded to a millisecond from 10 ms up and to a microsecond below, so a
// profile prints as short flags.
func logDuration(rng *rand.Rand, lo, hi int64) int64 {
	v := logUniform(rng, lo, hi)
	unit := int64(1000)
	if v >= 10*Millisecond {
		unit = Millisecond
	}
	return max((v+unit/2)/unit*unit, min(unit, lo))
}

// round3 rounds a probability to three decimals.
func round3(p float64) float64 { return math.Round(p*1000) / 1000 }

// logUniform draws from [lo, hi] with a uniform logarithm, so small and large
// values are equally likely to be explored.
func logUniform(rng *rand.Rand, lo, hi int64) int64 {
	l, h := math.Log(float64(lo)), math.Log(float64(hi))
	return int64(math.Exp(l + (h-l)*rng.Float64()))
}

// chance renders a probability knob for the profile line: "off" for Off.
func chance(p float64) string {
	if p == Off {
		return "off"
	}
	return fmt.Sprintf("%.2f", p)
}
