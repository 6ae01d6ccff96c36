package nemesis

import (
	"fmt"
	"math"
)

// Budget values for Config.MaxCrashed besides a plain node count.
const (
	// BudgetMinority (the default) lets at most (n-1)/2 nodes be down at once,
	// so a quorum always survives and the cluster can make progress.
	BudgetMinority = 0
	// BudgetMajority lets a bare majority, n/2+1, be down at once: crash-majority
	// then really takes the cluster below quorum.
	BudgetMajority = -1
)

// Off turns off a knob whose zero value means its default: Jitter (exact
// intervals), Intensity.ChurnWipe and Intensity.ChurnLeader (never).
const Off = -1

// Time units, in nanoseconds, for configs written in Go.
const (
	Millisecond int64 = 1e6
	Second      int64 = 1e9
)

// Defaults applied to zero Config fields.
const (
	DefaultInterval      = 5 * Second
	DefaultJitter        = 0.5
	DefaultMaxActive     = 2
	DefaultRepairTimeout = 8 * Second
	// MinInterval is the smallest Interval accepted; it bounds how many actions
	// a run can schedule.
	MinInterval = Millisecond
)

// Config selects the faults and paces them. The zero value of every field
// means its documented default; Config round-trips through JSON so a run's
// results can record it.
type Config struct {
	// Faults names the faults to use (catalog names; "all" and category names
	// expand as in ParseFaults). Empty means no faults: Start schedules nothing
	// and Heal only resets the cluster.
	Faults []string `json:"faults"`
	// Interval is the mean time between fault actions, where an action starts
	// or stops one fault (Jepsen's --nemesis-interval). Default 5 s.
	Interval int64 `json:"interval_ns"`
	// Jitter spreads each gap uniformly over Interval·[1−Jitter, 1+Jitter].
	// Range [0,1]; 0 means the default 0.5 and Off means exact intervals.
	Jitter float64 `json:"jitter"`
	// MaxActive bounds how many faults are active at once. Default 2.
	MaxActive int `json:"max_active"`
	// MaxCrashed bounds how many nodes may be down at once: crashed, paused,
	// fail-stopped, removed from the membership, or with a membership change in
	// flight (a proposed removal not yet seen to commit, a repair under way:
	// the change may still take the node out). BudgetMinority (0, the
	// default) keeps a quorum up; BudgetMajority allows a bare majority down.
	// crash-all deliberately ignores it (it starts only when every node is up).
	MaxCrashed int `json:"max_crashed"`
	// RepairTimeout bounds how long the nemesis keeps retrying a membership
	// repair (re-adding a removed node, replacing a corrupted one), both mid-run
	// and after Heal. Keep it below the run's recovery window. Default 8 s.
	RepairTimeout int64 `json:"repair_timeout_ns"`
	// Intensity sets how hard each fault hits.
	Intensity Intensity `json:"intensity"`
	// Script, when not nil, is the schedule to follow instead of drawing
	// one: every step's fault must be among Faults, and Interval, Jitter
	// and MaxActive are then unused. Nemesis.Schedule records the schedule
	// any run followed, so a run can be replayed and edited this way.
	Script []Step `json:"script,omitempty"`
}

// Intensity sets how hard each fault hits. Zero fields take the defaults
// shown; probabilities are in [0,1], durations in nanoseconds.
type Intensity struct {
	CrashCount   int     `json:"crash_count"`      // nodes crash-random takes down (1; capped by the budget)
	Downtime     int64   `json:"downtime_ns"`      // rolling-restart: each node's downtime, and the gap before the next (2 s)
	Loss         float64 `json:"loss"`             // flaky: per-message loss probability (0.2)
	Duplicate    float64 `json:"duplicate"`        // duplicate: duplication probability (0.2)
	Reorder      float64 `json:"reorder"`          // reorder: reorder probability (0.3)
	Delay        int64   `json:"delay_ns"`         // delay: mean extra latency on every message (50 ms)
	LinkDelay    int64   `json:"link_delay_ns"`    // slow-link: mean extra latency on the slow link (500 ms)
	ClockSkew    int64   `json:"clock_skew_ns"`    // clock-skew: largest |offset| (250 ms)
	ClockDrift   float64 `json:"clock_drift_ppm"`  // clock-drift: largest |drift| in ppm (50000 = 5%)
	ClockBump    int64   `json:"clock_bump_ns"`    // clock-bump: largest |jump| (2 s)
	StrobeDelta  int64   `json:"strobe_delta_ns"`  // clock-strobe: size of each flip (200 ms)
	StrobePeriod int64   `json:"strobe_period_ns"` // clock-strobe: time between flips (10 ms)
	SyncLatency  int64   `json:"sync_latency_ns"`  // slow-fsync: fsync latency (100 ms)
	ChurnWipe    float64 `json:"churn_wipe"`       // member-churn: chance the node comes back with an empty disk (0.5; Off: never)
	ChurnLeader  float64 `json:"churn_leader"`     // member-churn: chance the leader is the node removed (0.3; Off: never)
}

// Validate checks every field and returns an error naming the first bad one.
// It accepts zero values (defaults); New also checks what needs the cluster
// size.
func (c Config) Validate() error {
	for i, name := range c.Faults {
		if _, err := ParseFaults(name); err != nil || normalize(name) == "" {
			return fmt.Errorf("nemesis: faults[%d]: %w %q", i, ErrUnknownFault, name)
		}
	}
	switch {
	case c.Interval < 0:
		return fmt.Errorf("nemesis: interval: %d ns is negative", c.Interval)
	case c.Interval > 0 && c.Interval < MinInterval:
		return fmt.Errorf("nemesis: interval: %d ns is below the %d ns minimum", c.Interval, MinInterval)
	case !(c.Jitter >= 0 && c.Jitter <= 1) && c.Jitter != Off:
		return fmt.Errorf("nemesis: jitter: %v is outside [0,1] (and is not Off)", c.Jitter)
	case c.MaxActive < 0:
		return fmt.Errorf("nemesis: max_active: %d is negative", c.MaxActive)
	case c.MaxCrashed < BudgetMajority:
		return fmt.Errorf("nemesis: max_crashed: %d is neither a node count nor BudgetMajority (-1)", c.MaxCrashed)
	case c.RepairTimeout < 0:
		return fmt.Errorf("nemesis: repair_timeout: %d ns is negative", c.RepairTimeout)
	}
	if err := validateScript(c.Script); err != nil {
		return err
	}
	return c.Intensity.validate()
}

// validate checks the intensities; field names match the JSON keys.
func (in Intensity) validate() error {
	probs := [...]struct {
		name  string
		v     float64
		offOK bool
	}{
		{"loss", in.Loss, false}, {"duplicate", in.Duplicate, false}, {"reorder", in.Reorder, false},
		{"churn_wipe", in.ChurnWipe, true}, {"churn_leader", in.ChurnLeader, true},
	}
	for _, p := range probs {
		if p.offOK && p.v == Off {
			continue
		}
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("nemesis: intensity.%s: %v is outside [0,1]", p.name, p.v)
		}
	}
	durations := [...]struct {
		name string
		v    int64
	}{
		{"downtime_ns", in.Downtime}, {"delay_ns", in.Delay}, {"link_delay_ns", in.LinkDelay},
		{"clock_skew_ns", in.ClockSkew}, {"clock_bump_ns", in.ClockBump},
		{"strobe_delta_ns", in.StrobeDelta}, {"strobe_period_ns", in.StrobePeriod},
		{"sync_latency_ns", in.SyncLatency},
	}
	for _, d := range durations {
		if d.v < 0 {
			return fmt.Errorf("nemesis: intensity.%s: %d is negative", d.name, d.v)
		}
	}
	switch {
	case in.CrashCount < 0:
		return fmt.Errorf("nemesis: intensity.crash_count: %d is negative", in.CrashCount)
	case !(in.ClockDrift >= 0 && in.ClockDrift < 1e6) || math.IsInf(in.ClockDrift, 0):
		// 1e6 ppm would stop a slow clock; beyond it time runs backwards.
		return fmt.Errorf("nemesis: intensity.clock_drift_ppm: %v is outside [0, 1e6)", in.ClockDrift)
	case in.StrobePeriod > 0 && in.StrobePeriod < Millisecond/10:
		return fmt.Errorf("nemesis: intensity.strobe_period_ns: %d is below the 100 µs minimum", in.StrobePeriod)
	}
	return nil
}

// WithDefaults returns c with every zero field replaced by its default: the
// values a run actually uses (worth storing in its results).
func (c Config) WithDefaults() Config {
	orDefault(&c.Interval, DefaultInterval)
	orDefault(&c.Jitter, DefaultJitter)
	orDefault(&c.MaxActive, DefaultMaxActive)
	orDefault(&c.RepairTimeout, DefaultRepairTimeout)
	c.Intensity = c.Intensity.WithDefaults()
	return c
}

// WithDefaults returns in with every zero field replaced by its default.
func (in Intensity) WithDefaults() Intensity {
	orDefault(&in.CrashCount, 1)
	orDefault(&in.Downtime, 2*Second)
	orDefault(&in.Loss, 0.2)
	orDefault(&in.Duplicate, 0.2)
	orDefault(&in.Reorder, 0.3)
	orDefault(&in.Delay, 50*Millisecond)
	orDefault(&in.LinkDelay, 500*Millisecond)
	orDefault(&in.ClockSkew, 250*Millisecond)
	orDefault(&in.ClockDrift, 50000)
	orDefault(&in.ClockBump, 2*Second)
	orDefault(&in.StrobeDelta, 200*Millisecond)
	orDefault(&in.StrobePeriod, 10*Millisecond)
	orDefault(&in.SyncLatency, 100*Millisecond)
	orDefault(&in.ChurnWipe, 0.5)
	orDefault(&in.ChurnLeader, 0.3)
	return in
}

// orDefault sets *v to def when it is zero.
func orDefault[T int | int64 | float64](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}
