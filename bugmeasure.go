package raftcheck

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// TrialStride separates the seed ranges of MeasureBug's trials: trial k sweeps
// seeds k·TrialStride+1 onwards, so trial 0 is the range bugs_test.go sweeps.
const TrialStride = 1_000_000

// BugMeasure is how fast sweeps of a bug's exposure catch it, over
// independent seed ranges.
type BugMeasure struct {
	Bug      Bug             `json:"-"`
	Name     string          `json:"bug"`
	Raft     string          `json:"raft"`                 // the implementation it was planted in
	MaxSeeds int             `json:"max_seeds"`            // seeds per trial at most
	Seeds    []int           `json:"seeds_to_catch"`       // per trial: seeds run up to the first catch; 0 = not caught
	Times    []time.Duration `json:"sim_time_to_catch_ns"` // per trial: simulated time of the catch
	Found    []string        `json:"found"`                // every finding that caught it in some trial
	Wall     time.Duration   `json:"wall_ns"`
	// Swarm: the trials swept SwarmBugConfig (whole-configuration swarm
	// with only the bug named), not the bug's exposure recipe.
	Swarm bool `json:"swarm,omitempty"`
	// Walls is, per trial, the wall time from its start to the catch (to its
	// end when it caught nothing): machine- and load-dependent, for people.
	Walls []time.Duration `json:"wall_to_catch_ns"`
	// Unknown is, per trial, the runs before the catch whose verdict was
	// unknown (a sweep with --fail-fast would stop at the first).
	Unknown []int `json:"unknown_before_catch"`
}

// Caught is the number of trials that caught the bug.
func (m *BugMeasure) Caught() int {
	n := 0
	for _, s := range m.Seeds {
		if s > 0 {
			n++
		}
	}
	return n
}

// MedianSeeds is the median of the seeds to the first catch over all trials;
// ok is false when that median falls on a trial that caught nothing.
func (m *BugMeasure) MedianSeeds() (v float64, ok bool) {
	xs := make([]float64, len(m.Seeds))
	for i, s := range m.Seeds {
		xs[i] = float64(s)
		if s == 0 {
			xs[i] = float64(m.MaxSeeds) + 1 // "more than MaxSeeds"
		}
	}
	v = median(xs)
	return v, v <= float64(m.MaxSeeds)
}

// MedianTime is the median simulated time to the catch, over the trials
// that caught the bug.
func (m *BugMeasure) MedianTime() time.Duration {
	var xs []float64
	for i, s := range m.Seeds {
		if s > 0 {
			xs = append(xs, float64(m.Times[i]))
		}
	}
	return time.Duration(median(xs))
}

// MedianWall is the median wall time to the catch, over the trials that
// caught the bug.
func (m *BugMeasure) MedianWall() time.Duration {
	var xs []float64
	for i, s := range m.Seeds {
		if s > 0 && i < len(m.Walls) {
			xs = append(xs, float64(m.Walls[i]))
		}
	}
	return time.Duration(median(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MeasureBug sweeps trials independent seed ranges of BugConfig(b.Name), each
// until the first catch or maxSeeds seeds, workers runs at a time, and
// reports after each trial through progress (may be nil).
func MeasureBug(ctx context.Context, b Bug, trials, maxSeeds, workers int, progress func(trial int, c Catch)) (*BugMeasure, error) {
	return MeasureBugOn(ctx, DefaultRaft, b, trials, maxSeeds, workers, progress)
}

// MeasureBugOn is MeasureBug with the Raft implementation raft under test
// (Config.Raft). A bug the implementation cannot host (a protocol bug on
// anything but the built-in) is an error naming why, before any run.
func MeasureBugOn(ctx context.Context, raft string, b Bug, trials, maxSeeds, workers int, progress func(trial int, c Catch)) (*BugMeasure, error) {
	cfg := DefaultConfig()
	cfg.Raft = raft
	b.Apply(&cfg)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &BugMeasure{Bug: b, Name: string(b.Name), Raft: raft, MaxSeeds: maxSeeds}
	return m, measureTrials(ctx, m, cfg, trials, workers, b.Caught, progress)
}

// MeasureBugSwarm is MeasureBugOn for the whole-configuration swarm: each
// trial sweeps SwarmBugConfig(b.Name) on raft — what `raftcheck sweep
// --swarm --bug NAME` runs — and any finding of an invalid run catches the
// bug (the swarm draws no recipe for it, and the same draws pass on the
// correct build).
func MeasureBugSwarm(ctx context.Context, raft string, b Bug, trials, maxSeeds, workers int, progress func(trial int, c Catch)) (*BugMeasure, error) {
	cfg, err := SwarmBugConfig(b.Name)
	if err != nil {
		return nil, err
	}
	cfg.Raft = raft
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &BugMeasure{Bug: b, Name: string(b.Name), Raft: raft, MaxSeeds: maxSeeds, Swarm: true}
	return m, measureTrials(ctx, m, cfg, trials, workers, invalidFindings, progress)
}

// SwarmBugConfig returns the run `raftcheck sweep --swarm --bug name`
// sweeps: the standard run under Swarm with the bug planted and no knob
// fixed, its linearizability search bounded in steps (exposeCheckSteps) so
// that which seed catches the bug does not depend on the machine.
func SwarmBugConfig(name BugName) (Config, error) {
	if _, ok := LookupBug(name); !ok {
		return Config{}, fmt.Errorf("bug: %w", errUnknownBug(name))
	}
	cfg := DefaultConfig()
	cfg.Name = "swarm-bug-" + string(name)
	cfg.Swarm = true
	cfg.Bugs = []BugName{name}
	cfg.CheckSteps = exposeCheckSteps
	return cfg, nil
}

// invalidFindings is every finding of r when its verdict is invalid: what
// stops a sweep with --fail-fast as a failure.
func invalidFindings(r *Result) []string {
	if r.Verdict != Invalid {
		return nil
	}
	return Findings(r)
}

// measureTrials sweeps trials seed ranges of cfg into m, each until caught
// finds something or maxSeeds seeds.
func measureTrials(ctx context.Context, m *BugMeasure, cfg Config, trials, workers int, caught func(*Result) []string, progress func(trial int, c Catch)) error {
	start := time.Now()
	found := map[string]bool{}
	for k := 0; k < trials; k++ {
		lo := uint64(k)*TrialStride + 1
		t0 := time.Now()
		c, err := sweepUntil(ctx, cfg, m.Bug, seedsFrom(lo, m.MaxSeeds), workers, caught)
		if err != nil {
			return err
		}
		if c.Seed != 0 {
			m.Seeds = append(m.Seeds, c.Seeds)
			for _, f := range c.Found {
				found[f] = true
			}
		} else {
			m.Seeds = append(m.Seeds, 0)
		}
		m.Times = append(m.Times, c.At)
		m.Walls = append(m.Walls, time.Since(t0))
		m.Unknown = append(m.Unknown, c.Unknown)
		if progress != nil {
			progress(k, c)
		}
	}
	for f := range found {
		m.Found = append(m.Found, f)
	}
	sort.Strings(m.Found)
	m.Wall = time.Since(start)
	return nil
}

// seedsFrom returns n consecutive seeds starting at lo.
func seedsFrom(lo uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = lo + uint64(i)
	}
	return out
}
