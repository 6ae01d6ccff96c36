package raftcheck

import (
	"context"
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
	start := time.Now()
	found := map[string]bool{}
	for k := 0; k < trials; k++ {
		lo := uint64(k)*TrialStride + 1
		c, err := SweepUntilCaught(ctx, cfg, b, seedsFrom(lo, maxSeeds), workers)
		if err != nil {
			return m, err
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
		if progress != nil {
			progress(k, c)
		}
	}
	for f := range found {
		m.Found = append(m.Found, f)
	}
	sort.Strings(m.Found)
	m.Wall = time.Since(start)
	return m, nil
}

// seedsFrom returns n consecutive seeds starting at lo.
func seedsFrom(lo uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = lo + uint64(i)
	}
	return out
}
