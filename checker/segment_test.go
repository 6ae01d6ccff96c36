package checker

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// genRegister makes a linearizable register history: each client runs ops
// one after another, each takes effect at a random instant between its
// invoke and its completion, and outputs follow from that order.
func genRegister(seed uint64, ops, clients, keys int) histories.History {
	rng := rand.New(rand.NewPCG(seed, 0x7265))
	type op struct {
		client, key    int
		f              string
		a, b           int64
		call, at, done int64
		out            any
		ok             bool
	}
	all := make([]*op, 0, ops)
	next := make([]int64, clients)
	for i := range ops {
		c := i % clients
		o := &op{client: c, key: rng.IntN(keys), a: rng.Int64N(20), b: rng.Int64N(20)}
		switch r := rng.IntN(10); {
		case r < 5:
			o.f = "read"
		case r < 8:
			o.f = "write"
		default:
			o.f = "cas"
		}
		o.call = next[c] + rng.Int64N(1000)
		o.done = o.call + 1 + rng.Int64N(3000)
		o.at = o.call + rng.Int64N(o.done-o.call+1)
		next[c] = o.done + 1
		all = append(all, o)
	}
	byAt := append([]*op(nil), all...)
	sort.SliceStable(byAt, func(i, j int) bool { return byAt[i].at < byAt[j].at })
	state := map[int]int64{}
	for _, o := range byAt {
		v, set := state[o.key]
		switch o.f {
		case "read":
			o.ok = true
			if set {
				o.out = v
			}
		case "write":
			o.ok, state[o.key] = true, o.a
		case "cas":
			o.ok = set && v == o.a
			if o.ok {
				state[o.key] = o.b
			}
		}
	}
	type event struct {
		t   int64
		inv bool
		o   *op
	}
	var evs []event
	for _, o := range all {
		evs = append(evs, event{o.call, true, o}, event{o.done, false, o})
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t < evs[j].t })
	h := make(histories.History, 0, len(evs))
	for _, e := range evs {
		o := e.o
		op := histories.Op{Index: len(h), Process: o.client, Type: histories.OK, F: o.f, Key: fmt.Sprint(o.key), Time: e.t}
		switch {
		case e.inv:
			op.Type = histories.Invoke
		case !o.ok:
			op.Type = histories.Fail
		}
		switch {
		case o.f == "cas":
			op.Value = []any{o.a, o.b}
		case o.f == "write":
			op.Value = o.a
		case !e.inv:
			op.Value = o.out
		}
		h = append(h, op)
	}
	return h
}

// verdicts checks h with segmented keys (as CheckLinearizable does) and with
// whole keys, and returns both verdicts and the number of partitions each
// used.
func verdicts(t *testing.T, h histories.History, model string, dropUnobserved bool) (seg, whole porcupine.CheckResult, segParts, keys int) {
	t.Helper()
	spec, err := lookupModel(model)
	require.NoError(t, err)
	require.NotNil(t, spec.seed)
	conv, err := convert(h, spec, dropUnobserved)
	require.NoError(t, err)
	m := spec.model
	sg := &segmenter{seed: spec.seed, settled: spec.settled}
	m.Partition = sg.partition
	seg = porcupine.CheckOperationsTimeout(m, conv.ops, 0)
	whole = porcupine.CheckOperationsTimeout(spec.model, conv.ops, 0)
	return seg, whole, len(sg.partition(conv.ops)), countKeys(conv.ops)
}

// staleReads returns copies of h in each of which one successful read, late in
// the history, returns instead the value an earlier read of its key returned
// (a stale read) — the violation a wrong cut would hide, since the stale
// value is exactly the state before some cut.
func staleReads(h histories.History, readF string, n int, rng *rand.Rand) []histories.History {
	seen := map[string][]any{} // key → distinct values read so far
	var cands []struct {
		i     int
		stale any
	}
	for i, op := range h {
		if op.Type != histories.OK || op.F != readF || op.Value == nil {
			continue
		}
		vals := seen[op.Key]
		// Far enough back (ten distinct values) that no overlap excuses it.
		if k := len(vals) - 10; i > len(h)/4 && k >= 0 && fmt.Sprint(vals[k]) != fmt.Sprint(op.Value) {
			cands = append(cands, struct {
				i     int
				stale any
			}{i, vals[k]})
		}
		if len(vals) == 0 || fmt.Sprint(vals[len(vals)-1]) != fmt.Sprint(op.Value) {
			seen[op.Key] = append(vals, op.Value)
		}
	}
	var out []histories.History
	for range n {
		if len(cands) == 0 {
			break
		}
		c := cands[rng.IntN(len(cands))]
		bad := append(histories.History(nil), h...)
		bad[c.i].Value = c.stale
		out = append(out, bad)
	}
	return out
}

// TestSegmentsKeepVerdicts: cutting keys into segments changes no verdict,
// on linearizable histories long enough to be cut and on copies with one
// stale read planted (each of which must be illegal).
func TestSegmentsKeepVerdicts(t *testing.T) {
	cases := []struct {
		name, model, readF string
		dropUnobserved     bool
		gen                func(seed uint64) histories.History
	}{
		{"kv", ModelKV, "get", true, func(seed uint64) histories.History { return genKV(seed, 6000, 3, 3, 0.002) }},
		// Many unknown outcomes, observed or not: cuts pass them (kvSettled).
		{"kv-info", ModelKV, "get", true, func(seed uint64) histories.History { return genKV(seed, 6000, 3, 3, 0.02) }},
		{"kv-info-kept", ModelKV, "get", false, func(seed uint64) histories.History { return genKV(seed, 3000, 3, 3, 0.01) }},
		{"register", ModelRegister, "read", true, func(seed uint64) histories.History { return genRegister(seed, 6000, 3, 2) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			for seed := uint64(1); seed <= 2; seed++ {
				h := c.gen(seed)
				seg, whole, parts, keys := verdicts(t, h, c.model, c.dropUnobserved)
				require.Equal(t, porcupine.Ok, whole, "seed %d: the generator makes linearizable histories", seed)
				assert.Equal(t, whole, seg, "seed %d", seed)
				assert.Greater(t, parts, 2*keys, "seed %d: keys of ~2,000 ops are cut into segments", seed)
				bads := staleReads(h, c.readF, 12, rng)
				require.NotEmpty(t, bads)
				illegal := 0
				for i, bad := range bads {
					seg, whole, _, _ := verdicts(t, bad, c.model, c.dropUnobserved)
					assert.Equal(t, whole, seg, "seed %d mutant %d: segmenting changed the verdict", seed, i)
					if whole == porcupine.Illegal {
						illegal++
					}
				}
				// A stale value may happen to be legal again (a register
				// rewritten with it); most must not be.
				assert.GreaterOrEqual(t, illegal, len(bads)/2, "seed %d: the mutants are mostly violations", seed)
			}
		})
	}
}

// TestSegmentCuts checks the cut rule on a hand-made history: a cut needs a
// quiescent point and a read after every write of the segment.
func TestSegmentCuts(t *testing.T) {
	mk := func(kind opKind, call, done int64, out string) porcupine.Operation {
		o := &linOp{kind: kind, key: "k", call: call, done: done, outStr: out, str: out}
		return porcupine.Operation{Input: o, Output: o, Call: call, Return: done}
	}
	var s segSummary
	s.add(mk(opPut, 0, 10, "a"))
	assert.False(t, s.closes(11), "no read forces the state")
	s.add(mk(opGet, 5, 12, "a"))
	assert.False(t, s.closes(13), "the read overlaps the put: the put may follow it")
	s.add(mk(opGet, 11, 20, "a"))
	assert.False(t, s.closes(20), "equal times overlap")
	assert.True(t, s.closes(21))
	s.add(mk(opAppend, 21, 30, "b"))
	assert.False(t, s.closes(31), "the append follows the last read")
}

// TestSegmentsPassUnknownWrites: with many unknown outcomes, kv keys are still
// cut (kvSettled); without it the first unknown write would end all cuts.
func TestSegmentsPassUnknownWrites(t *testing.T) {
	unknown, with, without := cutsWithAndWithoutPassRule(t, ModelKV, genKV(1, 6000, 3, 3, 0.02))
	require.Greater(t, unknown, 30, "the history keeps observed unknown writes")
	assert.Greater(t, with, 2*without, "cuts pass settled unknown writes")
}

// TestSegmentUnknownWriteSeenLater: an unknown append that a read after the
// candidate cut observes must keep the cut from being made — else the read
// after the cut, starting from the state before the append, looks illegal.
func TestSegmentUnknownWriteSeenLater(t *testing.T) {
	var ops []histories.Op
	add := func(op histories.Op) {
		op.Index = len(ops)
		ops = append(ops, op)
	}
	tm := int64(0)
	tick := func() int64 { tm += 10; return tm }
	// An append of "A" by process 9 that never completes, invoked first.
	add(histories.Op{Process: 9, Type: histories.Invoke, F: "append", Key: "k", Value: "A", Time: tick()})
	// Gets of "" that may all precede the append's effect, one at a time:
	// each is a quiescent point whose state "" a get forces.
	for range 20 {
		add(histories.Op{Process: 0, Type: histories.Invoke, F: "get", Key: "k", Time: tick()})
		add(histories.Op{Process: 0, Type: histories.OK, F: "get", Key: "k", Value: nil, Time: tick()})
	}
	// Then gets of "A": the append took effect in between.
	for range 20 {
		add(histories.Op{Process: 0, Type: histories.Invoke, F: "get", Key: "k", Time: tick()})
		add(histories.Op{Process: 0, Type: histories.OK, F: "get", Key: "k", Value: "A", Time: tick()})
	}
	// A put of "B" and gets of "B": from here on nothing shows "A", and
	// cuts may pass the append.
	add(histories.Op{Process: 0, Type: histories.Invoke, F: "put", Key: "k", Value: "B", Time: tick()})
	add(histories.Op{Process: 0, Type: histories.OK, F: "put", Key: "k", Value: "B", Time: tick()})
	for range 20 {
		add(histories.Op{Process: 0, Type: histories.Invoke, F: "get", Key: "k", Time: tick()})
		add(histories.Op{Process: 0, Type: histories.OK, F: "get", Key: "k", Value: "B", Time: tick()})
	}
	h := histories.History(ops)
	spec, err := lookupModel(ModelKV)
	require.NoError(t, err)
	conv, err := convert(h, spec, true)
	require.NoError(t, err)
	require.Len(t, conv.ops, 62, "the append is observed, so it is kept")
	m := spec.model
	sg := &segmenter{seed: spec.seed, settled: spec.settled, min: 5}
	m.Partition = sg.partition
	assert.Equal(t, porcupine.Ok, porcupine.CheckOperationsTimeout(spec.model, conv.ops, 0), "linearizable as a whole")
	assert.Equal(t, porcupine.Ok, porcupine.CheckOperationsTimeout(m, conv.ops, 0), "and in segments")
	parts := sg.partition(conv.ops)
	assert.Greater(t, len(parts), 2, "cuts among the gets of \"B\" are sound and made")
	assert.Greater(t, len(parts[0]), 41, "no cut before the last get of \"A\"")
}

// cutsWithAndWithoutPassRule converts h for model and returns how many of
// its ops have an unknown outcome, and how many segments the key histories
// are cut into with the model's pass rule (settled) and without it.
func cutsWithAndWithoutPassRule(t *testing.T, model string, h histories.History) (unknown, with, without int) {
	t.Helper()
	spec, err := lookupModel(model)
	require.NoError(t, err)
	conv, err := convert(h, spec, true)
	require.NoError(t, err)
	for _, op := range conv.ops {
		if op.Input.(*linOp).unknown {
			unknown++
		}
	}
	with = len((&segmenter{seed: spec.seed, settled: spec.settled}).partition(conv.ops))
	without = len((&segmenter{seed: spec.seed}).partition(conv.ops))
	return unknown, with, without
}
