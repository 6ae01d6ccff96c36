package checker

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stopAfter wraps m so that its k-th step stops g: a search interrupted at a
// known point, as the watchdog would interrupt it at an unknown one.
func stopAfter(m porcupine.Model, g *searchGuard, k int) porcupine.Model {
	step, n := m.Step, 0
	m.Step = func(s, in, out any) (bool, any) {
		if n++; n == k {
			g.stop(0)
		}
		return step(s, in, out)
	}
	return m
}

// TestGuardStopsSearch: once the flag is set mid-search, porcupine finishes
// within O(ops²) further steps (no timing), and the checker reports Unknown,
// never Ok, whether the history is legal or not; an Illegal porcupine
// returns after the stop is not believed either.
func TestGuardStopsSearch(t *testing.T) {
	reg, kv := registerSpec(), kvSpec()
	hard, err := convert(hardHistory(14), reg, true)
	require.NoError(t, err)
	legal, err := convert(genKV(1, 400, 3, 1, 0), kv, true)
	require.NoError(t, err)
	cases := []struct {
		name  string
		model porcupine.Model
		ops   []porcupine.Operation
		steps int64                 // the control's step bound (0: none)
		plain porcupine.CheckResult // the control's answer
		cause stopCause             // and what stopped it
	}{
		{"legal", kv.model, legal.ops, 0, porcupine.Ok, stopNone},
		{"hard illegal", reg.model, hard.ops, 200_000, porcupine.Unknown, stopSteps},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The control: unstopped, the search says what it says.
			pr := checkParts(newGuard(0, c.steps, nil), c.model, [][]porcupine.Operation{c.ops}, time.Time{})
			require.Equal(t, c.plain, pr.res)
			require.Equal(t, c.cause, pr.cause)

			// Porcupine alone, counting the steps after the stop.
			g := newGuard(0, 0, nil)
			guarded := g.search(time.Time{}).model(stopAfter(c.model, g, 100))
			after := 0
			counted := guarded
			counted.Partition = nil
			counted.Step = func(s, in, out any) (bool, any) {
				if g.hit() {
					after++
				}
				return guarded.Step(s, in, out)
			}
			res := porcupine.CheckOperationsTimeout(counted, c.ops, 0)
			require.True(t, g.hit())
			assert.NotEqual(t, porcupine.Ok, res, "refused steps never make a linearization")
			n := len(c.ops)
			assert.LessOrEqual(t, after, 2*n*n, "the search unwinds without exploring further")

			// The checker discards that answer.
			g = newGuard(0, 0, nil)
			pr = checkParts(g, stopAfter(c.model, g, 100), [][]porcupine.Operation{c.ops}, time.Time{})
			assert.Equal(t, porcupine.Unknown, pr.res)
			assert.Equal(t, stopMemory, pr.cause)
			g = newGuard(0, 0, nil)
			g.stop(0)
			pr = checkParts(g, c.model, [][]porcupine.Operation{c.ops, c.ops}, time.Time{})
			assert.Equal(t, porcupine.Unknown, pr.res, "stopped before it starts")
			assert.Equal(t, stopMemory, pr.cause)
		})
	}
}

// TestGuardBudget: the counterexample search counts a check a bound
// stopped as undecided, even though porcupine calls it illegal, spends
// nothing more once the guard stopped or its time is up, and says when the
// step bound stopped a check.
func TestGuardBudget(t *testing.T) {
	spec := registerSpec()
	hard, err := convert(hardHistory(14), spec, true)
	require.NoError(t, err)
	bad, err := convert(fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	), spec, true)
	require.NoError(t, err)
	model := spec.model
	model.Partition = nil
	const tick = time.Millisecond
	fake := newFakeProbes(tick)
	g := newGuard(0, 0, fake.probes())
	b := &budget{checks: 10, deadline: fake.start.Add(time.Hour), guard: g, unbounded: true}
	assert.False(t, b.illegal(stopAfter(model, g, 100), hard.ops))
	assert.True(t, b.undecided)
	assert.False(t, b.stepped)
	assert.True(t, b.spent())
	assert.Equal(t, 9, b.checks)
	assert.False(t, b.illegal(model, hard.ops))
	assert.Equal(t, 9, b.checks, "no check runs once stopped")

	g = newGuard(0, 1000, fake.probes())
	b = &budget{checks: 10, deadline: fake.start.Add(time.Hour), guard: g, unbounded: true}
	assert.True(t, b.illegal(model, bad.ops), "a check within the step bound decides")
	assert.False(t, b.undecided)
	assert.False(t, b.illegal(model, hard.ops))
	assert.True(t, b.undecided)
	assert.True(t, b.stepped, "the step bound stopped it")
	assert.False(t, b.spent(), "a check the step bound stopped leaves the budget to the others")

	// The explanation's own step bound is spent by all its checks together.
	b = &budget{checks: 10, deadline: fake.start.Add(time.Hour), guard: newGuard(0, 0, fake.probes()), steps: 5000}
	assert.True(t, b.illegal(model, bad.ops))
	left := b.steps
	assert.Less(t, left, int64(5000), "the check's steps are spent")
	assert.False(t, b.illegal(model, hard.ops))
	assert.True(t, b.undecided)
	assert.False(t, b.stepped, "the explanation's bound is no search's own")
	assert.LessOrEqual(t, b.steps, int64(0))
	assert.True(t, b.spent(), "no steps left")
	assert.Equal(t, 8, b.checks)

	b = &budget{checks: 10, deadline: fake.now().Add(3 * tick), guard: newGuard(0, 0, fake.probes()), unbounded: true}
	assert.False(t, b.spent())
	assert.False(t, b.spent())
	assert.True(t, b.spent(), "the clock passed the deadline")
	assert.False(t, b.illegal(model, bad.ops))
	assert.True(t, b.undecided)
	assert.Equal(t, 10, b.checks, "no check runs once the time is up")
}

// TestExplainUnderMemoryBound: when its memory bound stops the
// explanation, the illegal verdict stands, no counterexample is claimed,
// and the explanation and the page say why there is none. The bound is on
// the heap's growth from where the explanation started: a scripted heap of
// 3MiB and a bound of 1 byte stop it at once.
func TestExplainUnderMemoryBound(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, ExplainChecks: -1})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Nil(t, r.Explain(nil), "no explanation was asked for")
	assert.Nil(t, r.Partial)
	fake := newFakeProbes(time.Millisecond)
	fake.base = 3 << 20
	r.probes = fake.probes()
	r.explain(LinOptions{ExplainMemory: 1})
	assert.Empty(t, r.Counterexample)
	assert.Nil(t, r.Partial, "stopped before porcupine's search")
	assert.Equal(t, []string{"not linearizable; the search for a small counterexample stopped at its memory bound (1 of heap growth; live heap 3.00MiB); porcupine's partial linearizations are on the visualization"}, r.Explain(nil))
	var page bytes.Buffer
	require.NoError(t, r.WriteHTMLPage(&page, HTMLOptions{}))
	assert.Contains(t, page.String(), "the search for a small counterexample stopped at its memory bound (1 of heap growth; live heap 3.00MiB)")
	res := Combine(Checks{Lin: r})
	assert.Equal(t, Invalid, res.Verdict)
	assert.Contains(t, res.Reasons, "linearizability: "+r.Explain(nil)[0])

	r.explainNote = "" // the control: no bound on growth, it finds the read
	r.explain(LinOptions{ExplainMemory: -1})
	assert.Equal(t, []int{2}, r.Counterexample, "the read of a value nobody wrote")
	require.NotNil(t, r.Partial)
	assert.Equal(t, []int{0}, r.Partial.Prefix, "the write linearizes")
	assert.Equal(t, 2, r.Partial.Next, "the read cannot follow it")
}

// hangSteps bounds the searches of tests that expect another bound to stop
// them first: a guard that failed to would show as the step bound's reason
// instead of the expected one, after a second or so rather than a hang.
const hangSteps = 2_000_000

// TestMemoryLimitIsUnknown: a hard history, searched while the heap fills
// (a scripted heap: 64MiB more every second of a scripted clock), comes out
// unknown with the memory reason once the live heap passes three quarters
// of the bound, confirmed by one forced collection; its page says so too.
// The control without a memory bound is stopped by the step bound instead:
// the memory guard, not the search's end, stopped the first. Neither is
// ever ok.
func TestMemoryLimitIsUnknown(t *testing.T) {
	h := hardHistory(14)
	const limit = 256 << 20
	fake := newFakeProbes(memPoll) // every reading of the clock is a poll's worth
	fake.base, fake.fill = 8<<20, 64<<20
	r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, MemoryLimit: limit, StepLimit: hangSteps, probes: fake.probes()})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Contains(t, r.Reason, "the search was stopped at the memory bound of 256MiB (live heap ")
	assert.Empty(t, r.Counterexample)
	assert.Equal(t, 1, fake.collections, "one forced collection confirms the live heap")
	assert.Equal(t, []int64{limit}, fake.limits, "the runtime's memory limit is lowered to the bound while the search runs")
	// The live heap passes 192MiB (3/4 of the bound) after 2.875s of the
	// scripted clock: the stop comes at the first poll past it.
	assert.InDelta(t, 2875*time.Millisecond, fake.elapsed(), float64(2*memPoll))
	res := Combine(Checks{Lin: r})
	assert.Equal(t, Unknown, res.Verdict)
	require.NotEmpty(t, res.Reasons)
	assert.Contains(t, res.Reasons[0], "linearizability: unknown, the search was stopped at the memory bound")

	var page bytes.Buffer
	require.NoError(t, r.WritePorcupinePage(&page, HTMLOptions{}), "porcupine's page's own search is bounded too")
	head := page.String()[strings.Index(page.String(), `<header id="rc-head"`):strings.Index(page.String(), "</header>")]
	assert.Contains(t, head, "The search was stopped at the memory bound of")
	assert.Contains(t, head, "the verdict is unknown, not ok")

	fake = newFakeProbes(memPoll)
	fake.base, fake.fill = 8<<20, 64<<20
	r, err = CheckLinearizable(h, LinOptions{Model: ModelRegister, MemoryLimit: -1, StepLimit: hangSteps, probes: fake.probes()})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Equal(t, "the search was stopped at the step bound of 2000000 steps", r.Reason)
	assert.Zero(t, fake.heapReads, "no bound, no reading")
}

// TestMemoryLimitDefault: 0 is the default bound, negative none; a bound
// the heap already exceeds stops a search before it starts (the real heap:
// it is never under 1 byte).
func TestMemoryLimitDefault(t *testing.T) {
	assert.Equal(t, DefaultMemoryLimit, resolveMemoryLimit(0))
	assert.LessOrEqual(t, resolveMemoryLimit(-1), int64(0))
	assert.Equal(t, int64(1<<20), resolveMemoryLimit(1<<20))

	g := newGuard(1, 0, nil)
	g.watch()()
	assert.True(t, g.hit(), "a 1-byte bound is always exceeded")
	assert.Contains(t, g.reason(), "memory bound of 1 (live heap ")
	g = newGuard(-1, 0, nil)
	g.watch()()
	assert.False(t, g.hit())

	// An easy history checks fine under the default bound.
	easy := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 2}, call{p: 1, f: "read", out: int64(1), start: 1, end: 3})
	r, err := CheckLinearizable(easy, LinOptions{Model: ModelRegister})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result)
}

// TestGuardCollectsFirst: a heap over the bound only with garbage does not
// stop a search (the guard collects first), nor does a live heap the latest
// collection saw over it that has died since; a live heap over it does. The
// guard forces at most one collection per collection the runtime started.
// The heap is scripted: each case gives the reading before the guard's
// collection and after it.
func TestGuardCollectsFirst(t *testing.T) {
	const limit = 100 << 20
	var reading, afterGC heapReading
	collections := 0
	p := &probes{
		now:  time.Now,
		heap: func() heapReading { return reading },
		collect: func() {
			collections++
			reading = afterGC
		},
		lowerLimit: func(int64) func() { return func() {} },
	}
	g := newGuard(limit, 0, p)
	steps := []struct {
		name          string
		before, after heapReading // after: the reading once the guard collected
		collected     int         // the guard's collections so far
		stopped       bool
	}{
		{"garbage over the bound", heapReading{total: 150 << 20, live: 40 << 20, cycles: 5}, heapReading{total: 40 << 20, live: 40 << 20, cycles: 6}, 1, false},
		{"under the bound", heapReading{total: 60 << 20, live: 40 << 20, cycles: 6}, heapReading{}, 1, false},
		{"garbage again, no collection of the runtime's since", heapReading{total: 150 << 20, live: 40 << 20, cycles: 6}, heapReading{}, 1, false},
		{"the live heap seen over, dead since", heapReading{total: 95 << 20, live: 90 << 20, cycles: 7}, heapReading{total: 30 << 20, live: 30 << 20, cycles: 8}, 2, false},
		{"the live heap over", heapReading{total: 95 << 20, live: 90 << 20, cycles: 9}, heapReading{total: 90 << 20, live: 90 << 20, cycles: 10}, 3, true},
	}
	for _, s := range steps {
		reading, afterGC = s.before, s.after
		g.check()
		assert.Equal(t, s.collected, collections, s.name)
		assert.Equal(t, s.stopped, g.hit(), s.name)
	}
	assert.Equal(t, "the search was stopped at the memory bound of 100MiB (live heap 90.0MiB)", g.reason())

	// A live heap over the bound at the guard's own collection stops the
	// search without another.
	g = newGuard(limit, 0, p)
	reading, afterGC = heapReading{total: 150 << 20, live: 40 << 20, cycles: 11}, heapReading{total: 40 << 20, live: 40 << 20, cycles: 12}
	g.check()
	require.False(t, g.hit())
	reading = heapReading{total: 95 << 20, live: 80 << 20, cycles: 12}
	g.check()
	assert.True(t, g.hit())
	assert.Equal(t, 4, collections)
}

// TestGuardPollsByTheClock: the searches read the heap at most every
// memPoll of the clock, however often they tick.
func TestGuardPollsByTheClock(t *testing.T) {
	fake := newFakeProbes(memPoll / 4)
	fake.base = 1 << 20
	g := newGuard(1<<30, 0, fake.probes())
	for range 40 {
		g.poll(fake.now())
	}
	assert.Equal(t, 10, fake.heapReads, "one poll every four ticks of a quarter of memPoll")
	assert.False(t, g.hit())
	assert.Zero(t, fake.collections)
}

func TestParseBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  string
	}{
		{"4GiB", 4 << 30, ""},
		{"512MiB", 512 << 20, ""},
		{"512mib", 512 << 20, ""},
		{"1.5 GiB", 3 << 29, ""},
		{"2G", 2 << 30, ""},
		{"2Gi", 2 << 30, ""},
		{"800MB", 800e6, ""},
		{"1kB", 1000, ""},
		{"1073741824", 1 << 30, ""},
		{"100B", 100, ""},
		{"0", 0, ""},
		{"none", 0, ""},
		{"off", 0, ""},
		{"", 0, "want a size"},
		{"GiB", 0, "want a size"},
		{"4 GiBs", 0, "want a size"},
		{"-1GiB", 0, "must not be negative"},
		{"1e30", 0, "too large"},
		{"inf", 0, "want a size"},
		{"NaN", 0, "want a size"},
		{"0x10", 0, "want a size"},
		{"4PiB", 0, "want a size"},
	}
	for _, c := range cases {
		got, err := ParseBytes(c.in)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, "%q", c.in)
			continue
		}
		require.NoError(t, err, "%q", c.in)
		assert.Equal(t, c.want, got, "%q", c.in)
	}
	for _, n := range []int64{0, 1, 1000, 1 << 10, 3 << 29, 4 << 30, 5 << 40, 1<<62 + 1} {
		s := FormatBytes(n)
		back, err := ParseBytes(s)
		require.NoError(t, err, s)
		assert.Equal(t, n, back, "%d → %q reads back", n, s)
	}
	assert.Equal(t, "4GiB", FormatBytes(4<<30))
	assert.Equal(t, "1536MiB", FormatBytes(3<<29))
	assert.Equal(t, "1.02GiB", roughBytes(1045<<20))
	assert.Equal(t, "1020MiB", roughBytes(1020<<20))
	assert.Equal(t, "12.5KiB", roughBytes(12800))
	assert.Equal(t, "7B", roughBytes(7))
}
