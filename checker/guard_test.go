package checker

import (
	"bytes"
	"runtime"
	"runtime/metrics"
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
		plain porcupine.CheckResult // without a stop (hard: unknown within 50ms)
	}{
		{"legal", kv.model, legal.ops, porcupine.Ok},
		{"hard illegal", reg.model, hard.ops, porcupine.Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The control: unstopped, the search says what it says.
			require.Equal(t, c.plain, checkParts(newGuard(0), c.model, [][]porcupine.Operation{c.ops}, 50*time.Millisecond))

			// Porcupine alone, counting the steps after the stop.
			g := newGuard(0)
			guarded := g.model(stopAfter(c.model, g, 100))
			after := 0
			counted := guarded
			counted.Partition = nil
			counted.Step = func(s, in, out any) (bool, any) {
				if g.hit() {
					after++
				}
				return guarded.Step(s, in, out)
			}
			res := porcupine.CheckOperationsTimeout(counted, c.ops, time.Minute)
			require.True(t, g.hit())
			assert.NotEqual(t, porcupine.Ok, res, "refused steps never make a linearization")
			n := len(c.ops)
			assert.LessOrEqual(t, after, 2*n*n, "the search unwinds without exploring further")

			// The checker discards that answer.
			g = newGuard(0)
			assert.Equal(t, porcupine.Unknown, checkParts(g, stopAfter(c.model, g, 100), [][]porcupine.Operation{c.ops}, 0))
			g = newGuard(0)
			g.stop(0)
			assert.Equal(t, porcupine.Unknown, checkParts(g, c.model, [][]porcupine.Operation{c.ops, c.ops}, 0), "stopped before it starts")
		})
	}
}

// TestGuardBudget: the counterexample search counts a check the guard
// stopped as undecided, even though porcupine calls it illegal, and spends
// nothing more once stopped.
func TestGuardBudget(t *testing.T) {
	spec := registerSpec()
	hard, err := convert(hardHistory(14), spec, true)
	require.NoError(t, err)
	model := spec.model
	model.Partition = nil
	g := newGuard(0)
	b := &budget{checks: 10, deadline: time.Now().Add(time.Minute), guard: g}
	assert.False(t, b.illegal(g.model(stopAfter(model, g, 100)), hard.ops))
	assert.True(t, b.undecided)
	assert.True(t, b.spent())
	assert.Equal(t, 9, b.checks)
	assert.False(t, b.illegal(g.model(model), hard.ops))
	assert.Equal(t, 9, b.checks, "no check runs once stopped")
}

// TestExplainUnderMemoryBound: when the bound stops the counterexample
// search, the illegal verdict stands, no counterexample is claimed, and the
// explanation and the page say why there is none.
func TestExplainUnderMemoryBound(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, ExplainChecks: -1})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Nil(t, r.Explain(nil), "no counterexample was asked for")
	// The guard reads the live heap of the latest collection: in a fresh
	// test process (-run this test alone) there has been none yet.
	runtime.GC()
	g := newGuard(1) // every heap is over it
	g.watch()()
	require.True(t, g.hit())
	r.explain(LinOptions{}, g, time.Time{})
	assert.Empty(t, r.Counterexample)
	assert.Equal(t, []string{"not linearizable; the search for a small counterexample stopped at the memory bound (1; live heap " +
		roughBytes(g.heap.Load()) + "): see the visualization"}, r.Explain(nil))
	var page bytes.Buffer
	require.NoError(t, r.WriteHTMLPage(&page, HTMLOptions{}))
	assert.Contains(t, page.String(), "the search for a small counterexample stopped at the memory bound (1; live heap")
	res := Combine(Checks{Lin: r})
	assert.Equal(t, Invalid, res.Verdict)
	assert.Contains(t, res.Reasons, "linearizability: "+r.Explain(nil)[0])

	r.explainNote = "" // the control: unbounded, it finds the read
	r.explain(LinOptions{}, newGuard(-1), time.Time{})
	assert.Equal(t, []int{2}, r.Counterexample, "the read of a value nobody wrote")
}

func heapNow(t *testing.T) int64 {
	s := []metrics.Sample{{Name: heapMetric}}
	h := heapBytes(s)
	require.Positive(t, h, "the runtime reports %s", heapMetric)
	return h
}

// TestMemoryLimitIsUnknown: a hard history under a small memory bound comes
// out unknown with the memory reason (the timeout is only a safety net:
// hitting it fails the test), its page says so too; with no memory bound
// and a short timeout it is unknown by timeout. Neither is ever ok.
func TestMemoryLimitIsUnknown(t *testing.T) {
	h := hardHistory(14)
	limit := heapNow(t) + 48<<20
	r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, Timeout: time.Minute, MemoryLimit: limit})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Contains(t, r.Reason, "the search was stopped at the memory bound of "+FormatBytes(limit))
	assert.Empty(t, r.Counterexample)
	res := Combine(Checks{Lin: r})
	assert.Equal(t, Unknown, res.Verdict)
	require.NotEmpty(t, res.Reasons)
	assert.Contains(t, res.Reasons[0], "linearizability: unknown, the search was stopped at the memory bound")

	var page bytes.Buffer
	require.NoError(t, r.WritePorcupinePage(&page, HTMLOptions{}), "porcupine's page's own search is bounded too")
	head := page.String()[strings.Index(page.String(), `<header id="rc-head"`):strings.Index(page.String(), "</header>")]
	assert.Contains(t, head, "The search was stopped at the memory bound of")
	assert.Contains(t, head, "the verdict is unknown, not ok")

	r, err = CheckLinearizable(h, LinOptions{Model: ModelRegister, Timeout: 200 * time.Millisecond, MemoryLimit: -1})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Equal(t, "the search timed out after 200ms", r.Reason)
}

// TestMemoryLimitDefault: 0 is the default bound, negative none; a bound
// the heap already exceeds stops a search before it starts.
func TestMemoryLimitDefault(t *testing.T) {
	assert.Equal(t, DefaultMemoryLimit, resolveMemoryLimit(0))
	assert.LessOrEqual(t, resolveMemoryLimit(-1), int64(0))
	assert.Equal(t, int64(1<<20), resolveMemoryLimit(1<<20))

	g := newGuard(1)
	g.watch()()
	assert.True(t, g.hit(), "a 1-byte bound is always exceeded")
	assert.Contains(t, g.reason(), "memory bound of 1 (live heap ")
	g = newGuard(-1)
	g.watch()()
	assert.False(t, g.hit())

	// An easy history checks fine under the default bound.
	easy := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 2}, call{p: 1, f: "read", out: int64(1), start: 1, end: 3})
	r, err := CheckLinearizable(easy, LinOptions{Model: ModelRegister})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result)
}

// TestGuardCollectsFirst: a heap over the bound only with garbage does not
// stop a search (the watchdog collects first); a live heap over it does.
func TestGuardCollectsFirst(t *testing.T) {
	sample := []metrics.Sample{{Name: heapMetric}}
	runtime.GC()
	g := newGuard(heapNow(t) + 32<<20)
	g.forced = ^uint64(0) // no collection of the watchdog's yet
	fill := func() [][]byte {
		var chunks [][]byte
		for range 64 {
			chunks = append(chunks, make([]byte, 1<<20))
		}
		return chunks
	}
	chunks := fill()
	chunks = nil // garbage now, but not yet collected
	require.Greater(t, heapBytes(sample), g.limit, "the garbage puts the heap over the bound")
	g.check()
	assert.False(t, g.hit(), "garbage alone never stops a search")

	chunks = fill()
	g.check()
	assert.True(t, g.hit(), "a live heap over the bound does")
	assert.Contains(t, g.reason(), "the search was stopped at the memory bound of "+FormatBytes(g.limit))
	runtime.KeepAlive(chunks)
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
