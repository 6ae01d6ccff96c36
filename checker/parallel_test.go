package checker

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckParts: the verdict over independent parts is Illegal if any part
// is, else Unknown if any search ran out of time, else Ok — whatever the order
// the workers take them in.
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

	assert.Equal(t, porcupine.Ok, checkParts(newGuard(0), spec.model, nil, 0), "no parts")
	assert.Equal(t, porcupine.Ok, checkParts(newGuard(0), spec.model, [][]porcupine.Operation{good, good, good}, 0))
	for i := range 4 {
		parts := [][]porcupine.Operation{good, good, good, good}
		parts[i] = bad
		assert.Equal(t, porcupine.Illegal, checkParts(newGuard(0), spec.model, parts, 0), "illegal part %d", i)
	}
	hard := hardHistory(14)
	hconv, err := convert(hard, registerSpec(), true)
	require.NoError(t, err)
	assert.Equal(t, porcupine.Unknown, checkParts(newGuard(0), registerSpec().model, [][]porcupine.Operation{good[:0], hconv.ops}, 20*time.Millisecond),
		"a search that runs out of time")
}
