package checker

import (
	"fmt"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hardHistory is an illegal register history that porcupine can only refute
// by exhausting every order of n concurrent writes and n concurrent reads: a
// final read returns a value nobody wrote.
func hardHistory(n int) histories.History {
	var calls []call
	for i := 0; i < n; i++ {
		calls = append(calls,
			call{p: i, f: "write", in: int64(i + 1), start: int64(i), end: int64(1000 + i)},
			call{p: n + i, f: "read", out: int64((i*7)%n + 1), start: int64(i), end: int64(1000 + i)})
	}
	calls = append(calls, call{p: 2 * n, f: "read", out: int64(-1), start: 5000, end: 5001})
	return fromCalls(calls...)
}

// TestTimeoutIsUnknown: a hard history whose search outlasts the timeout on
// a scripted clock (a millisecond per reading) is unknown, with the time
// reason, at the first reading past the deadline; a deadline passed before
// a search starts stops it too. The step bound is only a safety net: a
// timeout that failed to stop the search would show its reason instead.
// The control, a legal history well within the timeout, is ok.
func TestTimeoutIsUnknown(t *testing.T) {
	h := hardHistory(14)
	const tick = time.Millisecond
	for _, timeout := range []time.Duration{time.Nanosecond, 50 * time.Millisecond, 2 * time.Second} {
		fake := newFakeProbes(tick)
		r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, Timeout: timeout, StepLimit: hangSteps, probes: fake.probes()})
		require.NoError(t, err)
		assert.Equal(t, LinUnknown, r.Result, "timeout %v", timeout)
		assert.Equal(t, fmt.Sprintf("the search timed out after %v", timeout), r.Reason)
		assert.Empty(t, r.Counterexample)
		assert.GreaterOrEqual(t, r.Duration, timeout)
		assert.LessOrEqual(t, r.Duration, timeout+2*tick, "stopped at the first reading past the deadline")
		res := Combine(Checks{Lin: r})
		assert.Equal(t, Unknown, res.Verdict, "a timed-out check is never valid")
		assert.Equal(t, 2, res.Verdict.ExitCode())
	}

	fake := newFakeProbes(tick)
	r, err := CheckLinearizable(genKV(1, 400, 3, 4, 0), LinOptions{Model: ModelKV, Timeout: time.Minute, probes: fake.probes()})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result)
	assert.Less(t, fake.elapsed(), time.Minute)
}

// TestRealClockStopsSearch: with the real clock, a timeout stops a search
// that cannot finish in it on any machine (it would fill gigabytes first):
// the verdict is unknown with the time reason. The step and memory bounds
// are safety nets: a timeout that failed would show their reason instead.
// Their figures are far from what 100ms of search reaches on any machine:
// a search takes a few million steps a second, and allocates far less than
// 768MiB (three quarters of the bound) in 100ms.
func TestRealClockStopsSearch(t *testing.T) {
	r, err := CheckLinearizable(hardHistory(14), LinOptions{Model: ModelRegister, Timeout: 100 * time.Millisecond, MemoryLimit: 1 << 30, StepLimit: 100_000_000})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Equal(t, "the search timed out after 100ms", r.Reason)
}

// TestStepLimit: the step bound stops a search at the same step on every
// machine. A history whose largest segment takes n steps is ok under a
// bound of n and unknown under n-1, with the step reason, every time; a
// hard one is unknown under a small bound.
func TestStepLimit(t *testing.T) {
	h := genKV(3, 400, 6, 1, 0.2)
	spec := kvSpec()
	conv, err := convert(h, spec, true)
	require.NoError(t, err)
	need := int64(0)
	for _, part := range verdictParts(spec, conv.ops) {
		model := spec.model
		model.Partition = nil
		steps := int64(0)
		step := model.Step
		model.Step = func(s, in, out any) (bool, any) {
			steps++
			return step(s, in, out)
		}
		require.True(t, porcupine.CheckOperations(model, part))
		need = max(need, steps)
	}
	require.Greater(t, need, int64(tickSteps), "a history that needs a few clock readings")
	for range 3 {
		r, err := CheckLinearizable(h, LinOptions{Model: ModelKV, StepLimit: need})
		require.NoError(t, err)
		assert.Equal(t, LinOK, r.Result, "bound %d", need)
		r, err = CheckLinearizable(h, LinOptions{Model: ModelKV, StepLimit: need - 1})
		require.NoError(t, err)
		assert.Equal(t, LinUnknown, r.Result, "bound %d", need-1)
		assert.Equal(t, fmt.Sprintf("the search was stopped at the step bound of %d steps", need-1), r.Reason)
	}
	r, err := CheckLinearizable(hardHistory(14), LinOptions{Model: ModelRegister, StepLimit: 10_000})
	require.NoError(t, err)
	assert.Equal(t, LinUnknown, r.Result)
	assert.Equal(t, "the search was stopped at the step bound of 10000 steps", r.Reason)
	res := Combine(Checks{Lin: r})
	assert.Equal(t, Unknown, res.Verdict, "a search stopped by steps is never valid")
}
