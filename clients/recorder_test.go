package clients

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

func TestRecorder(t *testing.T) {
	var now int64
	r := NewRecorder(func() int64 { return now })
	now = 10
	assert.Equal(t, 0, r.Invoke(0, "put", "k", "x 0 1 y"))
	now = 11
	assert.Equal(t, 1, r.Invoke(1, "get", "k", nil))
	now = 12
	r.Nemesis("start-partition", "isolated 3 from {1,2,4,5}")
	now = 20
	r.Complete(1, histories.OK, "x 0 1 y", 3, "")
	r.Complete(0, histories.Info, "x 0 1 y", 0, "timeout")
	require.NoError(t, r.Err())
	assert.Equal(t, histories.History{
		{Index: 0, Process: 0, Type: histories.Invoke, F: "put", Key: "k", Value: "x 0 1 y", Time: 10},
		{Index: 1, Process: 1, Type: histories.Invoke, F: "get", Key: "k", Time: 11},
		{Index: 2, Process: histories.NemesisProcess, Type: histories.Info, F: "start-partition", Value: "isolated 3 from {1,2,4,5}", Time: 12},
		{Index: 3, Process: 1, Type: histories.OK, F: "get", Key: "k", Value: "x 0 1 y", Time: 20, Node: 3},
		{Index: 4, Process: 0, Type: histories.Info, F: "put", Key: "k", Value: "x 0 1 y", Time: 20, Error: "timeout"},
	}, r.History())
	require.NoError(t, histories.Validate(r.History()))
	h := r.History()
	_ = append(h, histories.Op{}) // must not clobber the recorder's next op
	r.Invoke(2, "get", "k", nil)
	assert.Equal(t, 2, r.History()[5].Process)
	assert.Equal(t, 6, r.Len())
}

func TestRecorderMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(r *Recorder, now *int64)
		want string
	}{
		{"double invoke", func(r *Recorder, _ *int64) { r.Invoke(0, "w", "", nil); r.Invoke(0, "w", "", nil) }, "process 0 invokes w while op 0 is in flight"},
		{"orphan complete", func(r *Recorder, _ *int64) { r.Complete(4, histories.OK, nil, 1, "") }, "process 4 completes (ok) with no operation in flight"},
		{"complete as invoke", func(r *Recorder, _ *int64) { r.Invoke(0, "w", "", nil); r.Complete(0, histories.Invoke, nil, 1, "") }, "completes with type invoke"},
		{"negative process", func(r *Recorder, _ *int64) { r.Invoke(-3, "w", "", nil) }, "invoke by invalid process -3"},
		{"bad value", func(r *Recorder, _ *int64) { r.Invoke(0, "w", "", 3) }, "unsupported value type int"},
		{"no f", func(r *Recorder, _ *int64) { r.Nemesis("", nil) }, "has no f"},
		{"time backwards", func(r *Recorder, now *int64) { *now = 5; r.Nemesis("a", nil); *now = 4; r.Nemesis("b", nil) }, "op 1 at time 4 is before op 0 at time 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now int64
			r := NewRecorder(func() int64 { return now })
			tc.do(r, &now)
			assert.ErrorContains(t, r.Err(), tc.want)
		})
	}
}

func TestRecorderLimit(t *testing.T) {
	r := NewRecorder(func() int64 { return 0 })
	r.SetLimit(2)
	assert.Equal(t, 0, r.Invoke(0, "w", "", nil))
	assert.Equal(t, 1, r.Invoke(1, "w", "", nil))
	assert.True(t, r.Full())
	assert.Equal(t, -1, r.Invoke(2, "w", "", nil))
	r.Nemesis("start", nil)
	r.Complete(0, histories.OK, nil, 1, "") // still recorded
	r.Complete(2, histories.OK, nil, 1, "") // its invoke was dropped: silently skipped
	assert.Len(t, r.History(), 3)
	assert.NoError(t, histories.Validate(r.History()))
	assert.EqualError(t, r.Err(), "recorder: limit of 2 ops reached: 2 invokes and nemesis events dropped")
	// The overflow is a truncated history, not a misuse.
	assert.NoError(t, r.Misuse())
	assert.Equal(t, 2, r.Limit())
}

// TestRecorderOverflow: Overflow counts the refusals and dates the first.
func TestRecorderOverflow(t *testing.T) {
	var now int64 = 7
	r := NewRecorder(func() int64 { return now })
	r.SetLimit(1)
	dropped, _ := r.Overflow()
	assert.Zero(t, dropped)
	r.Invoke(0, "w", "", nil)
	now = 9
	r.Invoke(1, "w", "", nil)
	now = 11
	r.Nemesis("start", nil)
	dropped, at := r.Overflow()
	assert.Equal(t, 2, dropped)
	assert.Equal(t, int64(9), at)
	assert.NoError(t, r.Misuse())
	r.Complete(5, histories.Invoke, nil, 0, "")
	assert.Error(t, r.Misuse(), "a misuse is still reported when the recorder is full")
}

// TestRecorderOnOp: the hook sees every recorded op, as recorded (index and
// time set), and nothing the recorder refuses.
func TestRecorderOnOp(t *testing.T) {
	var now int64
	r := NewRecorder(func() int64 { return now })
	r.SetLimit(3)
	var seen histories.History
	r.OnOp(func(op *histories.Op) { seen = append(seen, *op) })
	now = 5
	r.Invoke(0, "put", "k", "v")
	r.Nemesis("start-crash-random", "nodes 1")
	now = 6
	r.Complete(0, histories.OK, "v", 2, "")
	r.Invoke(1, "get", "k", nil) // refused: the limit is 3
	assert.Equal(t, r.History(), seen)
	require.Len(t, seen, 3)
	assert.Equal(t, histories.Op{Index: 2, Process: 0, Type: histories.OK, F: "put", Key: "k", Value: "v", Time: 6, Node: 2}, seen[2])
	r.OnOp(nil)
	r.SetLimit(10)
	r.Invoke(1, "get", "k", nil)
	assert.Len(t, seen, 3, "a nil hook is off")
}
