package checker

import (
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
		res, cause := checkParts(g, model, parts, deadline)
		assert.Equal(t, res == porcupine.Unknown, cause != stopNone, "a cause for Unknown, and only for it")
		return res
	}
	assert.Equal(t, porcupine.Ok, check(newGuard(0, 0, nil), spec.model, nil, time.Time{}), "no parts")
	assert.Equal(t, porcupine.Ok, check(newGuard(0, 0, nil), spec.model, [][]porcupine.Operation{good, good, good}, time.Time{}))
	for i := range 4 {
		parts := [][]porcupine.Operation{good, good, good, good}
		parts[i] = bad
		assert.Equal(t, porcupine.Illegal, check(newGuard(0, 0, nil), spec.model, parts, time.Time{}), "illegal part %d", i)
	}
	hard := hardHistory(14)
	hconv, err := convert(hard, registerSpec(), true)
	require.NoError(t, err)
	fake := newFakeProbes(time.Millisecond)
	res, cause := checkParts(newGuard(0, hangSteps, fake.probes()), registerSpec().model, [][]porcupine.Operation{good[:0], hconv.ops}, fake.start.Add(20*time.Millisecond))
	assert.Equal(t, porcupine.Unknown, res, "a search that runs out of time")
	assert.Equal(t, stopTime, cause)
	res, cause = checkParts(newGuard(0, 10_000, nil), registerSpec().model, [][]porcupine.Operation{good[:0], hconv.ops}, time.Time{})
	assert.Equal(t, porcupine.Unknown, res, "a search that runs out of steps")
	assert.Equal(t, stopSteps, cause)
	regBad, err := convert(fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: int64(2), start: 20, end: 30},
	), registerSpec(), true)
	require.NoError(t, err)
	res, _ = checkParts(newGuard(0, 10_000, nil), registerSpec().model, [][]porcupine.Operation{hconv.ops, regBad.ops}, time.Time{})
	assert.Equal(t, porcupine.Illegal, res, "an illegal part wins over one stopped")
}
