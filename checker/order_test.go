package checker

import (
	"math"
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrderTimes: the times the checks order ops by are strictly increasing in
// history order and stay on the time field's scale.
func TestOrderTimes(t *testing.T) {
	cases := []struct {
		name  string
		times []int64
		want  []int64
	}{
		{"distinct times kept", []int64{1, 5, 9}, []int64{1, 5, 9}},
		{"equal times spread by position", []int64{10, 10, 10, 20}, []int64{10, 11, 12, 20}},
		{"a spread may run into the next time", []int64{10, 10, 10, 11, 30}, []int64{10, 11, 12, 13, 30}},
		{"no times: positions", []int64{0, 0, 0}, []int64{0, 1, 2}},
		{"empty", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := make(histories.History, len(c.times))
			for i, tm := range c.times {
				h[i] = ev(tm, 0, histories.Invoke, "read", "", nil)
			}
			at := orderTimes(h)
			got := make([]int64, 0, len(h))
			for i := range h {
				got = append(got, at(i))
			}
			if len(c.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, c.want, got)
		})
	}
}

// TestSameInstantIsHistoryOrder: an op whose completion comes before another's
// invoke in the history precedes it, even when both carry the same time. A
// closed-loop simulated client invokes its next op at the instant its
// previous one completed, so with equal times treated as overlapping a
// process's read could miss the write it had just finished. Events at one
// instant whose invoke comes first in the history still overlap.
func TestSameInstantIsHistoryOrder(t *testing.T) {
	const inv = histories.Invoke
	runLinCases(t, []linCase{
		{"register: own stale read at the write's instant", ModelRegister, hist(
			ev(1, 0, inv, "write", "", i64(1)), ev(2, 0, ok, "write", "", i64(1)),
			ev(3, 0, inv, "write", "", i64(2)), ev(10, 0, ok, "write", "", i64(2)),
			ev(10, 0, inv, "read", "", nil), ev(12, 0, ok, "read", "", i64(1)),
		), LinIllegal},
		{"register: another process's stale read at the write's instant", ModelRegister, hist(
			ev(1, 0, inv, "write", "", i64(1)), ev(2, 0, ok, "write", "", i64(1)),
			ev(3, 0, inv, "write", "", i64(2)), ev(10, 0, ok, "write", "", i64(2)),
			ev(10, 1, inv, "read", "", nil), ev(12, 1, ok, "read", "", i64(1)),
		), LinIllegal},
		{"register: invoke before the completion at one instant overlaps", ModelRegister, hist(
			ev(1, 0, inv, "write", "", i64(1)), ev(2, 0, ok, "write", "", i64(1)),
			ev(3, 0, inv, "write", "", i64(2)), ev(10, 1, inv, "read", "", nil),
			ev(10, 0, ok, "write", "", i64(2)), ev(12, 1, ok, "read", "", i64(1)),
		), LinOK},
		{"register: a history without times is ordered by position", ModelRegister, hist(
			ev(0, 0, inv, "write", "", i64(1)), ev(0, 0, ok, "write", "", i64(1)),
			ev(0, 0, inv, "write", "", i64(2)), ev(0, 0, ok, "write", "", i64(2)),
			ev(0, 0, inv, "read", "", nil), ev(0, 0, ok, "read", "", i64(1)),
		), LinIllegal},
		{"register: all at one instant, in order, is legal", ModelRegister, hist(
			ev(5, 0, inv, "write", "", i64(1)), ev(5, 0, ok, "write", "", i64(1)),
			ev(5, 0, inv, "read", "", nil), ev(5, 0, ok, "read", "", i64(1)),
		), LinOK},
		{"kv: get misses the put completed at its invoke's instant", ModelKV, hist(
			ev(1, 0, inv, "put", "k", "a"), ev(2, 0, ok, "put", "k", "a"),
			ev(2, 0, inv, "put", "k", "b"), ev(7, 0, ok, "put", "k", "b"),
			ev(7, 0, inv, "get", "k", nil), ev(9, 0, ok, "get", "k", "a"),
		), LinIllegal},
		{"append: read misses the append completed at its invoke's instant", ModelAppend, hist(
			ev(1, 0, inv, "append", "k", i64(1)), ev(2, 0, ok, "append", "k", i64(1)),
			ev(2, 0, inv, "read", "k", nil), ev(4, 0, ok, "read", "k", list()),
		), LinIllegal},
	})
}

// TestCheckAppendSameInstantFinalRead: a read invoked at the very instant the
// last acknowledged append completed, after it in the history, is the final
// read and must hold the append.
func TestCheckAppendSameInstantFinalRead(t *testing.T) {
	const inv = histories.Invoke
	cases := []struct {
		name string
		h    histories.History
		lost bool
	}{
		{"read after the ack at its instant", hist(
			ev(1, 0, inv, "append", "k", i64(1)), ev(2, 0, ok, "append", "k", i64(1)),
			ev(2, 0, inv, "read", "k", nil), ev(4, 0, ok, "read", "k", list()),
		), true},
		{"read invoked before the ack at its instant", hist(
			ev(1, 0, inv, "append", "k", i64(1)), ev(2, 1, inv, "read", "k", nil),
			ev(2, 0, ok, "append", "k", i64(1)), ev(4, 1, ok, "read", "k", list()),
		), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := CheckAppend(c.h)
			if !c.lost {
				assert.Empty(t, ps)
				return
			}
			require.Len(t, ps, 1)
			assert.Equal(t, CheckAppendLost, ps[0].Check)
			assert.Equal(t, []int{1, 3}, ps[0].Ops)
		})
	}
}

// Times near the top of int64 would make the strictly increasing order times
// (and +infinity for info ops) wrap around: such a history is refused, naming
// the op, rather than given a wrong verdict.
func TestHugeTimesRefused(t *testing.T) {
	const top = math.MaxInt64
	h := histories.History{
		{Index: 0, Process: 0, Type: histories.Invoke, F: "write", Value: int64(1), Time: top},
		{Index: 1, Process: 0, Type: histories.OK, F: "write", Value: int64(1), Time: top},
		{Index: 2, Process: 1, Type: histories.Invoke, F: "read", Time: top},
		{Index: 3, Process: 1, Type: histories.OK, F: "read", Time: top},
	}
	_, err := CheckLinearizable(h, LinOptions{Model: ModelRegister})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "op 0: time")
	assert.Contains(t, err.Error(), "2^62")

	// Just under the bound the stale read is still caught.
	for i := range h {
		h[i].Time = maxTime
	}
	lin, err := CheckLinearizable(h, LinOptions{Model: ModelRegister})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, lin.Result)
}
