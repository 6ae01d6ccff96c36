package checker

import (
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phasedPuts is a kv history on one key in phases: k processes put distinct
// values concurrently, then a get observes the last one. The final get reads
// a value nobody put. The verdict's segmented search refutes the last
// segment alone; a search over the whole key (the verbose pass, the
// counterexample search) must exhaust every earlier phase's orders first,
// which takes several times the steps, time and memory: the shape of
// porcupine's kv test c50-bad.
func phasedPuts(phases, k int) histories.History {
	var h histories.History
	add := func(p int, typ histories.Type, f string, v any) {
		h = append(h, histories.Op{Index: len(h), Process: p, Type: typ, F: f, Key: "x", Value: v, Time: int64(len(h) + 1)})
	}
	for i := range phases {
		for j := range k {
			add(j, histories.Invoke, "put", fmt.Sprintf("%d.%d", i, j))
		}
		for j := range k {
			add(j, histories.OK, "put", fmt.Sprintf("%d.%d", i, j))
		}
		got := fmt.Sprintf("%d.%d", i, k-1)
		if i == phases-1 {
			got = "nobody put this"
		}
		add(k, histories.Invoke, "get", nil)
		add(k, histories.OK, "get", got)
	}
	return h
}

// TestBoundsCoverEveryPhase: the verdict's search, the verbose pass and the
// counterexample search of an illegal history share the check's step bound,
// timeout and memory bound. The verdict stays illegal, the check ends at
// its timeout or its memory bound (on a scripted clock and heap), and the
// explanation says which bound stopped the search for a counterexample.
func TestBoundsCoverEveryPhase(t *testing.T) {
	h := phasedPuts(150, 8)
	check := func(t *testing.T, r *LinResult, why string) {
		t.Helper()
		require.Equal(t, LinIllegal, r.Result, "the bounds stop the explanation, not the verdict")
		require.Len(t, r.Explain(nil), 1)
		assert.Contains(t, r.Explain(nil)[0], "not linearizable; the search for a small counterexample "+why)
		assert.Empty(t, r.Counterexample)
		res := Combine(Checks{Lin: r})
		assert.Equal(t, Invalid, res.Verdict)
		assert.Contains(t, res.Reasons, "linearizability: "+r.Explain(nil)[0])
	}

	// The step bound: the verdict's searches fit in 200,000 steps each
	// (the largest segment takes 122,401), the whole-key search (540,000)
	// does not. On the scripted clock, this also shows about where the
	// verdict's search ends: it reads the clock every tickSteps steps of
	// each segment, and an illegal segment stops segments from starting, so
	// the check may read it fewer times (at most once per segment and per
	// tickSteps of all 123,448 steps of the segments: ~0.5s in all).
	const tick = time.Millisecond
	fake := newFakeProbes(tick)
	r, err := CheckLinearizable(h, LinOptions{StepLimit: 200_000, probes: fake.probes()})
	require.NoError(t, err)
	check(t, r, "stopped at the step bound (200000 steps): see the visualization")
	verdict := r.Duration
	require.Positive(t, verdict)

	// The explanation's searches get at least 0.5s of the scripted clock
	// (128,000 steps) after the verdict: then the timeout, or the heap
	// filling at 64MiB/s, stops them.
	const more = time.Second
	const base, fill = 8 << 20, 64 << 20
	timeout := verdict + more
	memory := int64(float64(base+fill*timeout.Seconds()) / liveShare)
	cases := []struct {
		name string
		opts LinOptions
		why  string
	}{
		{"time", LinOptions{Timeout: timeout, StepLimit: hangSteps}, fmt.Sprintf("stopped at the time bound (%v)", timeout)},
		{"memory", LinOptions{MemoryLimit: memory, StepLimit: hangSteps}, fmt.Sprintf("stopped at the memory bound (%s; live heap ", FormatBytes(memory))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newFakeProbes(tick)
			fake.base, fake.fill = base, fill
			c.opts.probes = fake.probes()
			r, err := CheckLinearizable(h, c.opts)
			require.NoError(t, err)
			check(t, r, c.why)
			assert.InDelta(t, verdict, r.Duration, float64(more/2), "the verdict's search reads the clock about as often whatever the bounds")
			// The first reading past the time bound stops the check, or
			// the first poll of the heap past the memory bound.
			assert.InDelta(t, timeout, fake.elapsed(), float64(2*memPoll), "the check ends at its bound")
		})
	}
}

// TestMemoryLimitRestored: a guard lowers the runtime's memory limit while
// it watches, nested guards keep the lowest bound, and the limit from before
// is back once the last one ends.
func TestMemoryLimitRestored(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(8 << 30)
	huge := newGuard(1<<40, 0, nil) // never hit
	end1 := huge.watch()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1), "an earlier, lower limit wins")
	big := newGuard(6<<30, 0, nil)
	end2 := big.watch()
	assert.Equal(t, int64(6<<30), debug.SetMemoryLimit(-1))
	end2()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1))
	end1()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1))
	assert.False(t, huge.hit() || big.hit())
	newGuard(-1, 0, nil).watch()()
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1), "no bound, no change")
}
