package checker

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckParts: the verdict over independent parts is Illegal if any part
// is, else Unknown if a bound stopped any search (and which), else Ok —
// whatever the order the workers take them in.
func TestCheckParts(t *testing.T) {
	spec, err := lookupModel(ModelKV)
	require.NoError(t, err)
	okH := genKV(1, 400, 3, 1, 0)
	conv, err := convert(okH, spec, true)
	require.NoError(t, err)
	good := conv.ops
	bad := append([]porcupine.Operation(nil), good...)
	stale := &linOp{kind: opGet, key: "0", outStr: "x 9 9 y", call: 1, done: 2}
	bad = append(bad, porcupine.Operation{ClientId: 99, Input: stale, Output: stale, Call: 1, Return: 2})

	check := func(g *searchGuard, model porcupine.Model, parts [][]porcupine.Operation, deadline time.Time) porcupine.CheckResult {
		pr := checkParts(g, model, parts, deadline)
		assert.Equal(t, pr.res == porcupine.Unknown, pr.cause != stopNone, "a cause for Unknown, and only for it")
		assert.Equal(t, pr.res == porcupine.Illegal, pr.bad >= 0, "the illegal part, and only for Illegal")
		if pr.bad >= 0 {
			assert.False(t, porcupine.CheckOperations(spec.model, parts[pr.bad]), "part %d is the illegal one", pr.bad)
			assert.False(t, pr.proved[pr.bad])
		}
		return pr.res
	}
	assert.Equal(t, porcupine.Ok, check(newGuard(0, 0, nil), spec.model, nil, time.Time{}), "no parts")
	assert.Equal(t, porcupine.Ok, check(newGuard(0, 0, nil), spec.model, [][]porcupine.Operation{good, good, good}, time.Time{}))
	for i := range 4 {
		parts := [][]porcupine.Operation{good, good, good, good}
		parts[i] = bad
		assert.Equal(t, porcupine.Illegal, check(newGuard(0, 0, nil), spec.model, parts, time.Time{}), "illegal part %d", i)
	}
	pr := checkParts(newGuard(0, 0, nil), spec.model, [][]porcupine.Operation{good, good}, time.Time{})
	assert.Equal(t, []bool{true, true}, pr.proved, "both proved linearizable")
	hard := hardHistory(14)
	hconv, err := convert(hard, registerSpec(), true)
	require.NoError(t, err)
	fake := newFakeProbes(time.Millisecond)
	pr = checkParts(newGuard(0, hangSteps, fake.probes()), registerSpec().model, [][]porcupine.Operation{good[:0], hconv.ops}, fake.start.Add(20*time.Millisecond))
	assert.Equal(t, porcupine.Unknown, pr.res, "a search that runs out of time")
	assert.Equal(t, stopTime, pr.cause)
	pr = checkParts(newGuard(0, 10_000, nil), registerSpec().model, [][]porcupine.Operation{good[:0], hconv.ops}, time.Time{})
	assert.Equal(t, porcupine.Unknown, pr.res, "a search that runs out of steps")
	assert.Equal(t, stopSteps, pr.cause)
	regBad, err := convert(fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	), registerSpec(), true)
	require.NoError(t, err)
	pr = checkParts(newGuard(0, 10_000, nil), registerSpec().model, [][]porcupine.Operation{hconv.ops, regBad.ops}, time.Time{})
	assert.Equal(t, porcupine.Illegal, pr.res, "an illegal part wins over one stopped")
	assert.Equal(t, 1, pr.bad)
}

// TestCheckPartsCancels: as in porcupine, the first illegal part cancels
// the searches still running: a hard part that cannot finish in millions
// of steps stops within two clock ticks' worth of steps once the flag the
// illegal part sets is up. The hard part waits for the flag after a few
// steps, so the test does not depend on which worker runs first.
func TestCheckPartsCancels(t *testing.T) {
	reg := registerSpec()
	hard, err := convert(hardHistory(14), reg, true)
	require.NoError(t, err)
	bad, err := convert(fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	), reg, true)
	require.NoError(t, err)
	inHard := make(map[*linOp]bool)
	for _, op := range hard.ops {
		inHard[op.Input.(*linOp)] = true
	}
	var illegal atomic.Bool
	var hardSteps atomic.Int64
	model := reg.model
	step := model.Step
	const waitAt = 1000
	model.Step = func(s, in, out any) (bool, any) {
		if inHard[in.(*linOp)] {
			if hardSteps.Add(1) == waitAt {
				for !illegal.Load() {
					runtime.Gosched()
				}
			}
		}
		return step(s, in, out)
	}
	pr := checkPartsWith(newGuard(0, hangSteps, nil), model, [][]porcupine.Operation{hard.ops, bad.ops}, time.Time{}, &illegal)
	assert.Equal(t, porcupine.Illegal, pr.res)
	assert.Equal(t, 1, pr.bad)
	assert.Equal(t, []bool{false, false}, pr.proved)
	assert.LessOrEqual(t, hardSteps.Load(), int64(waitAt+2*tickSteps), "cancelled at its next clock tick")
	assert.GreaterOrEqual(t, searchWorkers(2), 2, "two parts are searched at once, whatever the cores")
}
