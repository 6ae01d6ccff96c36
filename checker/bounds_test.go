package checker

import (
	"cmp"
	"fmt"
	"runtime/debug"
	"strings"
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

// TestExplainHasItsOwnBudget: the explanation of an illegal history runs
// after the verdict, within bounds of its own, and never changes the
// verdict. On phasedPuts, unbounded, it finds the minimal counterexample
// (the get of a value nobody put); its step bound (ExplainSteps, all its
// searches together) stops it at the same point every time: before the
// partial linearization, it says only which bound stopped it; after it,
// it falls back on it. Its time bound, on a scripted clock, ends the check
// within that much of the verdict, and its bound on the heap's growth, on
// a scripted heap, stops it too.
func TestExplainHasItsOwnBudget(t *testing.T) {
	h := phasedPuts(150, 8)
	last := len(h) - 2 // the invoke of the final get
	const tick = time.Millisecond
	opts := func(o LinOptions) LinOptions {
		fake := newFakeProbes(tick)
		o.probes = fake.probes()
		o.ExplainTimeout = cmp.Or(o.ExplainTimeout, time.Hour)
		return o
	}
	verdictOnly, err := CheckLinearizable(h, opts(LinOptions{ExplainChecks: -1}))
	require.NoError(t, err)
	require.Equal(t, LinIllegal, verdictOnly.Result)

	// A step bound far above what it needs: the explanation then counts the
	// same steps as under the bounds below (see findIllegal).
	full, err := CheckLinearizable(h, opts(LinOptions{ExplainSteps: 1 << 40}))
	require.NoError(t, err)
	require.Equal(t, LinIllegal, full.Result)
	assert.Equal(t, []int{last}, full.Counterexample, "a get of a value nobody put needs no other op")
	assert.Equal(t, last, full.Culprit)
	assert.True(t, full.Minimal)
	assert.Equal(t, `1 operation on key "x" cannot be linearized even alone (no operation can be dropped), and none of the others can have been the source of the value it observes:`, full.Explain(nil)[0])
	require.NotNil(t, full.Partial)
	assert.Equal(t, last, full.Partial.Next, "the final get cannot follow the puts")
	assert.Equal(t, "x", full.Partial.Key)
	assert.Positive(t, full.Partial.From, "the last segment starts from the value an earlier get read")
	for _, n := range full.explainSteps {
		require.Positive(t, n)
	}
	t.Logf("explanation steps: find %d, partial %d, minimize %d", full.explainSteps[0], full.explainSteps[1], full.explainSteps[2])

	// The step bound, at the same point every time.
	find, partial := full.explainSteps[0], full.explainSteps[1]
	for range 2 {
		r, err := CheckLinearizable(h, opts(LinOptions{ExplainSteps: find + partial - 1}))
		require.NoError(t, err)
		require.Equal(t, LinIllegal, r.Result)
		assert.Nil(t, r.Partial, "stopped in porcupine's verbose search")
		assert.Empty(t, r.Counterexample)
		assert.Equal(t, []string{fmt.Sprintf("not linearizable; the search for a small counterexample stopped at its step bound (%d steps in all); porcupine's partial linearizations are on the visualization", find+partial-1)}, r.Explain(nil))

		r, err = CheckLinearizable(h, opts(LinOptions{ExplainSteps: find + partial + 1}))
		require.NoError(t, err)
		require.Equal(t, LinIllegal, r.Result)
		assert.Empty(t, r.Counterexample, "no steps left to prove the key illegal")
		require.NotNil(t, r.Partial, "the fallback")
		assert.Equal(t, full.Partial, r.Partial)
		lines := r.Explain(nil)
		require.Len(t, lines, 1+shownBeforeNext+1)
		assert.Contains(t, lines[0], fmt.Sprintf("not linearizable; the search for a small counterexample stopped at its step bound (%d steps in all); porcupine linearized ", find+partial+1))
		assert.Contains(t, lines[0], fmt.Sprintf(`on key "x" (after the operations before history #%d, from the value it read), leaving it at "149.`, full.Partial.From))
		assert.Contains(t, lines[0], "and the next to return cannot follow them:")
		assert.True(t, strings.HasPrefix(lines[1], "linearized: history #"), lines[1])
		assert.Equal(t, fmt.Sprintf(`history #%d (process 8): get("x") → "nobody put this", invoked at %v, completed at %v, served by an unknown node; after them, neither it nor any other operation called before it returned can take effect`,
			last, time.Duration(h[last].Time), time.Duration(h[last+1].Time)), lines[len(lines)-1])
		res := Combine(Checks{Lin: r})
		assert.Equal(t, Invalid, res.Verdict)
	}

	// The time bound: the check ends within it of the verdict (a scripted
	// clock, a millisecond per reading).
	const limit = 20 * time.Millisecond
	fake := newFakeProbes(tick)
	r, err := CheckLinearizable(h, LinOptions{ExplainTimeout: limit, probes: fake.probes()})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Contains(t, r.Explain(nil)[0], "the search for a small counterexample stopped at its time bound (20ms)")
	// The verdict's Duration counts the readings of its own searches only,
	// which depend on the scheduling of its workers: the explanation's
	// time is measured from it.
	assert.GreaterOrEqual(t, fake.elapsed(), r.Duration+limit, "the explanation ran after the verdict, to its bound")
	assert.LessOrEqual(t, fake.elapsed(), r.Duration+limit+3*tick, "the explanation delays the verdict by its bound at most")

	// The bound on the heap's growth: a scripted heap filling at 64MiB a
	// second of the scripted clock passes 16MiB of growth well before the
	// explanation ends.
	fake = newFakeProbes(memPoll)
	fake.base, fake.fill = 8<<20, 64<<20
	r, err = CheckLinearizable(h, LinOptions{ExplainMemory: 16 << 20, ExplainTimeout: time.Hour, probes: fake.probes()})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Contains(t, r.Explain(nil)[0], "the search for a small counterexample stopped at its memory bound (16MiB of heap growth; live heap ")
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
