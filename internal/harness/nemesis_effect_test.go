package harness

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
)

// clientView is what clients saw of a run: each client op's time, type and
// serving node. A fault that leaves it untouched did nothing observable.
func clientView(t *testing.T, cfg options.Options) []histories.Op {
	t.Helper()
	x, err := Prepare(cfg)
	require.NoError(t, err)
	require.NoError(t, x.Simulate(context.Background()))
	var out []histories.Op
	for _, op := range x.History() {
		if op.Process != histories.NemesisProcess {
			out = append(out, histories.Op{Time: op.Time, Type: op.Type, Node: op.Node, F: op.F})
		}
	}
	return out
}

// offsetFaults move a clock's reading, not its rate; the correct build times
// everything on tick-counted, monotonic time and must not notice them (see
// docs/faults.md, "Clock offsets").
var offsetFaults = []string{"clock-skew", "clock-bump", "clock-strobe"}

// TestEveryFaultActs: each fault of the catalog, alone on the same seed,
// changes what the clients observe compared with a run without faults — so
// no fault exists in name only. Clock offsets are the exception by design:
// they act only on code that reads the wall clock (see
// TestClockOffsetsDoNotReachCorrectBuild; the lease-wall-clock recipe in
// TestBugsCaught proves clock-bump catches such code, and docs/faults.md gives
// the measured catch rates of clock-strobe and clock-skew).
func TestEveryFaultActs(t *testing.T) {
	base := func() options.Options {
		cfg := quick(3)
		cfg.MaxTime = 20 * time.Second
		cfg.Nemesis.Interval = int64(2 * time.Second)
		cfg.Nemesis.Faults = nil
		return cfg
	}
	plain := clientView(t, base())
	for _, fi := range nemesis.Catalog() {
		if slices.Contains(offsetFaults, fi.Name) {
			continue
		}
		t.Run(fi.Name, func(t *testing.T) {
			cfg := base()
			cfg.Nemesis.Faults = []string{fi.Name}
			assert.False(t, slices.Equal(plain, clientView(t, cfg)), "%s changed nothing the clients saw", fi.Name)
		})
	}
}

// TestClockOffsetsDoNotReachCorrectBuild: on the correct build, even with
// lease reads, clock offsets change nothing the clients see: timers and
// Raft's lease count ticks, which follow a clock's rate, not its reading.
func TestClockOffsetsDoNotReachCorrectBuild(t *testing.T) {
	cfg := quick(3)
	cfg.MaxTime = 20 * time.Second
	cfg.Nemesis.Interval = int64(2 * time.Second)
	cfg.ReadMode, cfg.Nemesis.Faults = kvstore.ReadLease, nil
	ref := clientView(t, cfg)
	for _, name := range offsetFaults {
		cfg.Nemesis.Faults = []string{name}
		assert.True(t, slices.Equal(ref, clientView(t, cfg)), "%s changed what the clients saw", name)
	}
	// clock-drift changes the rate, so it does reach the correct build.
	cfg.Nemesis.Faults = []string{"clock-drift"}
	assert.False(t, slices.Equal(ref, clientView(t, cfg)), "clock-drift changed nothing")
}
