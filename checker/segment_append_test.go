package checker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// genAppend makes a linearizable append-workload history, closed loop: each
// client runs ops back to back, each takes effect at a random instant
// between its invoke and its completion, and reads return the list at that
// instant. A share infoRate of ops end unknown: recorded as info, or (one
// in three of them) never completed; such an append takes effect or not at
// random, and the client goes on as a fresh process.
func genAppend(seed uint64, ops, clients, keys int, infoRate float64) histories.History {
	rng := rand.New(rand.NewPCG(seed, 0x6170))
	type op struct {
		process, key   int
		f              string
		v              int64
		call, at, done int64
		out            []any
		info, pending  bool
		applied        bool
	}
	all := make([]*op, 0, ops)
	next := make([]int64, clients)
	process := make([]int, clients)
	for c := range clients {
		process[c] = c
	}
	for i := range ops {
		c := i % clients
		o := &op{process: process[c], key: rng.IntN(keys), f: "read", v: int64(i)}
		if rng.IntN(2) == 0 {
			o.f = "append"
		}
		o.call = next[c] + rng.Int64N(100)
		o.done = o.call + 1 + rng.Int64N(2000)
		o.at = o.call + rng.Int64N(o.done-o.call+1)
		o.applied = true
		next[c] = o.done + 1
		if rng.Float64() < infoRate {
			o.info = true
			o.pending = rng.IntN(3) == 0
			o.applied = o.f == "append" && rng.IntN(2) == 0
			process[c] += clients
		}
		all = append(all, o)
	}
	byAt := slices.Clone(all)
	sort.SliceStable(byAt, func(i, j int) bool { return byAt[i].at < byAt[j].at })
	lists := map[int][]any{}
	for _, o := range byAt {
		switch {
		case o.f == "read":
			o.out = slices.Clone(lists[o.key])
			if o.out == nil {
				o.out = []any{}
			}
		case o.applied:
			lists[o.key] = append(lists[o.key], o.v)
		}
	}
	type event struct {
		t   int64
		inv bool
		o   *op
	}
	var evs []event
	for _, o := range all {
		evs = append(evs, event{o.call, true, o})
		if !o.pending {
			evs = append(evs, event{o.done, false, o})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t < evs[j].t })
	h := make(histories.History, 0, len(evs))
	for _, e := range evs {
		o := e.o
		op := histories.Op{Index: len(h), Process: o.process, Type: histories.OK, F: o.f, Key: fmt.Sprint(o.key), Time: e.t}
		switch {
		case e.inv:
			op.Type = histories.Invoke
		case o.info:
			op.Type = histories.Info
		}
		switch {
		case o.f == "append":
			op.Value = o.v
		case !e.inv && !o.info:
			op.Value = o.out
		}
		h = append(h, op)
	}
	return h
}

// appendVerdicts checks h (append model, unobserved unknown appends dropped
// as CheckLinearizable does) with whole keys and with keys cut into
// segments of at least min ops (0: minSegment), and returns both verdicts
// and the number of segments.
func appendVerdicts(t *testing.T, h histories.History, min int) (seg, whole porcupine.CheckResult, parts int) {
	t.Helper()
	spec, err := lookupModel(ModelAppend)
	require.NoError(t, err)
	conv, err := convert(h, spec, true)
	require.NoError(t, err)
	sg := &segmenter{seed: spec.seed, settled: spec.settled, min: min}
	m := spec.model
	m.Partition = sg.partition
	seg = porcupine.CheckOperationsTimeout(m, conv.ops, 0)
	whole = porcupine.CheckOperationsTimeout(spec.model, conv.ops, 0)
	return seg, whole, len(sg.partition(conv.ops))
}

// readAt is the index of the first ok read of key at or after position from
// whose list has at least n elements (-1: none).
func readAt(h histories.History, from, n int) int {
	for i := from; i < len(h); i++ {
		if h[i].Type == histories.OK && h[i].F == "read" && len(h[i].Value.([]any)) >= n {
			return i
		}
	}
	return -1
}

// appendMutants returns illegal copies of a legal append history h, each
// with one read late in the history changed: an element left out (a lost
// append, acknowledged long before the read), an element returned twice,
// two elements swapped, and the value an earlier read returned (stale).
// Every change is far enough from the read's own time that no concurrency
// excuses it.
func appendMutants(t *testing.T, h histories.History) map[string]histories.History {
	t.Helper()
	i := readAt(h, len(h)*3/4, 40)
	require.GreaterOrEqual(t, i, 0, "a late read with 40 elements")
	vals := h[i].Value.([]any)
	mutate := func(vs []any) histories.History {
		bad := slices.Clone(h)
		bad[i].Value = vs
		return bad
	}
	out := map[string]histories.History{
		"lost":      mutate(slices.Delete(slices.Clone(vals), 5, 6)),
		"duplicate": mutate(slices.Insert(slices.Clone(vals), 6, vals[5])),
		"reordered": mutate(func() []any { vs := slices.Clone(vals); vs[5], vs[6] = vs[6], vs[5]; return vs }()),
		"stale":     mutate(slices.Clone(vals[:len(vals)-20])),
	}
	return out
}

// TestAppendSegmentsKeepVerdicts: cutting append keys into segments changes no
// verdict, on closed-loop histories long enough to be cut (with info and
// never-completed ops, observed or not) and on mutants of them with one lost,
// duplicated, reordered or stale read, each of which must be illegal.
func TestAppendSegmentsKeepVerdicts(t *testing.T) {
	for _, c := range []struct {
		name     string
		infoRate float64
	}{
		{"ok-only", 0},
		{"info", 0.01},
		{"much-info", 0.05},
	} {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				h := genAppend(seed, 3000, 5, 2, c.infoRate)
				seg, whole, parts := appendVerdicts(t, h, 64)
				require.Equal(t, porcupine.Ok, whole, "seed %d: the generator makes linearizable histories", seed)
				assert.Equal(t, porcupine.Ok, seg, "seed %d", seed)
				assert.Greater(t, parts, 8, "seed %d: keys of ~1,500 ops are cut", seed)
				for name, bad := range appendMutants(t, h) {
					seg, whole, _ := appendVerdicts(t, bad, 64)
					assert.Equal(t, porcupine.Illegal, whole, "seed %d %s", seed, name)
					assert.Equal(t, porcupine.Illegal, seg, "seed %d %s: segmenting hid the violation", seed, name)
				}
			}
		})
	}
}

// TestAppendSegmentsPassObservedInfo: closed-loop keys with many info appends
// that later reads observe are still cut (the only-append rule of
// appendSettled); without it the first such append would end all cuts.
func TestAppendSegmentsPassObservedInfo(t *testing.T) {
	h := genAppend(7, 6000, 3, 3, 0.03)
	unknown, with, without := cutsWithAndWithoutPassRule(t, ModelAppend, h)
	require.Greater(t, unknown, 20, "the history keeps observed unknown appends")
	assert.Greater(t, with, 15, "cuts pass observed unknown appends")
	assert.Less(t, without, with/3)
	seg, whole, _ := appendVerdicts(t, h, 0)
	assert.Equal(t, porcupine.Ok, whole)
	assert.Equal(t, porcupine.Ok, seg)
}

// TestAppendCutPoints: hand-made histories around one cut point, cut into
// segments of at least 2 ops. Each is checked whole and in segments; both
// must give the expected verdict, and cuts must be made where the case says
// they are sound (and only there: a wrong cut would flip "legal" cases to
// illegal).
func TestAppendCutPoints(t *testing.T) {
	l := func(vs ...int64) []any {
		out := make([]any, len(vs))
		for i, v := range vs {
			out[i] = v
		}
		return out
	}
	app := func(p int, v int64, start, end int64) call {
		return call{p: p, f: "append", key: "k", in: v, start: start, end: end}
	}
	info := func(p int, v int64, start, end int64) call {
		c := app(p, v, start, end)
		c.typ = histories.Info
		return c
	}
	read := func(p int, out []any, start, end int64) call {
		return call{p: p, f: "read", key: "k", out: out, start: start, end: end}
	}
	for _, c := range []struct {
		name  string
		calls []call
		want  porcupine.CheckResult
		parts int // segments expected; 0: not checked
	}{
		{
			name: "legal, cut",
			calls: []call{
				app(0, 1, 0, 10), read(0, l(1), 11, 20),
				app(0, 2, 21, 30), read(0, l(1, 2), 31, 40), read(0, l(1, 2), 41, 50),
			},
			want: porcupine.Ok, parts: 2,
		},
		{
			name: "read misses an append acknowledged before it, across the cut",
			calls: []call{
				app(0, 1, 0, 10), read(0, l(1), 11, 20),
				app(0, 2, 21, 30), read(0, l(1), 31, 40), read(0, l(1, 2), 41, 50),
			},
			want: porcupine.Illegal,
		},
		{
			name: "lost append: a read after the cut lacks what the read before it saw",
			calls: []call{
				app(0, 1, 0, 10), app(0, 2, 11, 20), read(0, l(1, 2), 21, 30),
				read(0, l(1), 31, 40), read(0, l(1, 2), 41, 50),
			},
			want: porcupine.Illegal,
		},
		{
			name: "duplicated append after the cut",
			calls: []call{
				app(0, 1, 0, 10), app(0, 2, 11, 20), read(0, l(1, 2), 21, 30),
				read(0, l(1, 2, 2), 31, 40), read(0, l(1, 2), 41, 50),
			},
			want: porcupine.Illegal,
		},
		{
			name: "reordered elements after the cut",
			calls: []call{
				app(0, 1, 0, 10), app(0, 2, 11, 20), read(0, l(1, 2), 21, 30),
				app(0, 3, 31, 40), read(0, l(2, 1, 3), 41, 50), read(0, l(1, 2, 3), 51, 60),
			},
			want: porcupine.Illegal,
		},
		{
			name: "info append observed before the cut: passed",
			calls: []call{
				app(0, 1, 0, 10), info(1, 2, 1, 15), read(0, l(1, 2), 21, 30),
				app(0, 3, 31, 40), read(0, l(1, 2, 3), 41, 50), read(0, l(1, 2, 3), 51, 60),
			},
			want: porcupine.Ok, parts: 2,
		},
		{
			name: "never-completed append observed before the cut: passed",
			calls: []call{
				app(0, 1, 0, 10), info(1, 2, 1, -1), read(0, l(1, 2), 21, 30),
				app(0, 3, 31, 40), read(0, l(1, 2, 3), 41, 50), read(0, l(1, 2, 3), 51, 60),
			},
			want: porcupine.Ok, parts: 2,
		},
		{
			name: "info append observed before the cut, missing after it",
			calls: []call{
				app(0, 1, 0, 10), info(1, 2, 1, 15), read(0, l(1, 2), 21, 30),
				app(0, 3, 31, 40), read(0, l(1, 3), 41, 50), read(0, l(1, 3), 51, 60),
			},
			want: porcupine.Illegal,
		},
		{
			// Reads of [1] are quiescent points, but the info append of 2
			// may take effect after them: no cut until a read shows it.
			name: "info append observed only after the cut point",
			calls: []call{
				app(0, 1, 0, 10), info(1, 2, 1, 15), read(0, l(1), 21, 30), read(0, l(1), 31, 40),
				read(0, l(1, 2), 41, 50), read(0, l(1, 2), 51, 60), read(0, l(1, 2), 61, 70),
			},
			want: porcupine.Ok, parts: 2,
		},
		{
			// The info append of 2 is not the only append of 2: the read
			// of [1 2] may have seen the other one, and the info append may
			// come later, as the reads of [1 2 2] say. A cut after the
			// read of [1 2] would lose it.
			name: "info append of a value appended twice",
			calls: []call{
				app(0, 1, 0, 10), app(0, 2, 11, 20), info(1, 2, 12, 15), read(0, l(1, 2), 21, 30),
				read(0, l(1, 2, 2), 31, 40), read(0, l(1, 2, 2), 41, 50),
			},
			want: porcupine.Ok, parts: 1,
		},
		{
			// An unobserved info append is dropped before the check; kept,
			// the kv rule lets the cut pass it.
			name: "info append never observed",
			calls: []call{
				app(0, 1, 0, 10), info(1, 9, 1, 15), read(0, l(1), 21, 30),
				app(0, 3, 31, 40), read(0, l(1, 3), 41, 50), read(0, l(1, 3), 51, 60),
			},
			want: porcupine.Ok, parts: 2,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := fromCalls(c.calls...)
			seg, whole, parts := appendVerdicts(t, h, 2)
			assert.Equal(t, c.want, whole, "whole")
			assert.Equal(t, c.want, seg, "segmented")
			if c.parts > 0 {
				assert.Equal(t, c.parts, parts, "segments")
			}
			// The same through the public entry point (no cuts there: the
			// history is short) and, for the kept-unobserved path, with
			// unknown appends kept.
			spec, err := lookupModel(ModelAppend)
			require.NoError(t, err)
			conv, err := convert(h, spec, false)
			require.NoError(t, err)
			m := spec.model
			m.Partition = (&segmenter{seed: spec.seed, settled: spec.settled, min: 2}).partition
			assert.Equal(t, c.want, porcupine.CheckOperationsTimeout(m, conv.ops, 0), "segmented, unobserved appends kept")
		})
	}
}

// TestListInterner: interned reads return exactly their elements, share
// arrays and nodes where they agree, and a read that diverges never changes
// what an earlier read returned.
func TestListInterner(t *testing.T) {
	in := &listInterner{keys: map[string]*keyLists{}}
	lists := [][]int64{
		{}, {1}, {1, 2, 3, 4}, {1, 2}, {1, 2, 3, 4, 5},
		{1, 2, 9}, // diverges
		{1, 2, 3},
		{1, 2, 9, 8},
		{7}, {7, 1}, {6}, {5}, {4}, // more branches than maxTips
		{1, 2, 3, 4, 5, 6},
		{1, 2, 9, 8}, // its branch was dropped: a new one
	}
	type got struct {
		vals []int64
		node *listNode
	}
	var gots []got
	for _, vs := range lists {
		as := make([]any, len(vs))
		for i, v := range vs {
			as[i] = v
		}
		vals, node := in.intern("k", as)
		gots = append(gots, got{vals, node})
	}
	for i, vs := range lists {
		assert.Equal(t, vs, gots[i].vals, "read %d: outList", i)
		assert.Equal(t, len(vs), cap(gots[i].vals), "read %d: no spare capacity", i)
		assert.True(t, gots[i].node.equals(vs), "read %d: list", i)
	}
	assert.Nil(t, gots[0].node)
	assert.NotNil(t, gots[0].vals, "an empty read is an empty list, not nil")
	assert.Same(t, &gots[2].vals[0], &gots[3].vals[0], "a prefix read shares the array")
	assert.Same(t, gots[2].node.prev.prev, gots[3].node, "and the nodes")
	assert.Same(t, gots[1].node, gots[3].node.prev)
	assert.Same(t, gots[2].node, gots[4].node.prev, "an extension shares the nodes")
	assert.Same(t, gots[3].node, gots[5].node.prev, "a divergent read shares the common prefix's nodes")
	assert.NotSame(t, &gots[4].vals[0], &gots[5].vals[0], "a divergent read gets its own array")
	assert.Same(t, &gots[4].vals[0], &gots[6].vals[0], "and the first branch goes on")
	assert.Same(t, gots[2].node.prev, gots[6].node)
	assert.Same(t, gots[5].node, gots[7].node.prev)
	assert.Equal(t, gots[7].node.hash(), gots[14].node.hash())
	assert.True(t, listEqual(gots[7].node, gots[14].node))
	assert.True(t, listEqual(gots[6].node, (*listNode)(nil).push(1).push(2).push(3)), "equal to a list built by steps")
	assert.False(t, listEqual(gots[6].node, (*listNode)(nil).push(1).push(3).push(2)))

	vals, ok := in.ints("k", []any{int64(1), 2, int32(3)})
	assert.True(t, ok)
	assert.Equal(t, []int64{1, 2, 3}, vals)
	vals, ok = in.ints("k", nil)
	assert.True(t, ok)
	assert.Nil(t, vals)
	_, ok = in.ints("k", []any{int64(1), "x"})
	assert.False(t, ok)
	_, ok = in.ints("k", "1 2")
	assert.False(t, ok)
}

// TestAppendStepCollisionSafe: two different lists with the same length and
// hash are still different states.
func TestAppendStepCollisionSafe(t *testing.T) {
	a := (*listNode)(nil).push(1).push(2)
	b := &listNode{prev: (*listNode)(nil).push(1), v: 3, n: 2, h: a.h} // forged collision
	assert.False(t, listEqual(a, b))
	ok, _ := appendStep(a, &linOp{kind: opRead, list: b, outList: []int64{1, 3}}, nil)
	assert.False(t, ok)
	ok, _ = appendStep(a, &linOp{kind: opRead, list: a, outList: []int64{1, 2}}, nil)
	assert.True(t, ok)
}

// TestCheckClosedLoopAppend: a closed-loop append history of 20,000 ops on
// five keys is checked ok through CheckLinearizable, and a lost element in a
// late read makes it illegal.
func TestCheckClosedLoopAppend(t *testing.T) {
	h := genAppend(3, 20000, 5, 5, 0.002)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelAppend, MemoryLimit: 1 << 30})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result, r.Reason)
	bad := appendMutants(t, h)["lost"]
	r, err = CheckLinearizable(bad, LinOptions{Model: ModelAppend, MemoryLimit: 1 << 30, ExplainChecks: -1})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, r.Result, r.Reason)
}
