package histories

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ops numbers a list of ops and gives them increasing times.
func ops(list ...Op) History {
	for i := range list {
		list[i].Index = i
		list[i].Time = int64(i)
	}
	return list
}

func TestValidateAcceptsJepsenHistories(t *testing.T) {
	h := ops(
		Op{Process: 0, Type: Invoke, F: "write", Value: int64(1)},
		Op{Process: 1, Type: Invoke, F: "read"},
		Op{Process: NemesisProcess, Type: Info, F: "start-partition"},
		Op{Process: 0, Type: OK, F: "write", Value: int64(1), Node: 1},
		Op{Process: 1, Type: Info, F: "read", Error: "timeout"},
		Op{Process: 3, Type: Invoke, F: "read"}, // process 1's thread, renumbered
		Op{Process: 0, Type: Invoke, F: "cas", Value: []any{int64(1), int64(2)}},
		Op{Process: 0, Type: Fail, F: "cas", Value: []any{int64(1), int64(2)}, Error: "cas-mismatch"},
		Op{Process: 0, Type: Invoke, F: "write", Value: int64(4)}, // still open at the end
	)
	require.NoError(t, Validate(h))

	pairs, err := Pairs(h)
	require.NoError(t, err)
	require.Len(t, pairs, 5)
	want := [][2]int{{0, 3}, {1, 4}, {5, -1}, {6, 7}, {8, -1}}
	for i, p := range pairs {
		assert.Equal(t, want[i][0], p.Invoke.Index, "pair %d invoke", i)
		if want[i][1] < 0 {
			assert.Nil(t, p.Complete, "pair %d", i)
		} else {
			require.NotNil(t, p.Complete, "pair %d", i)
			assert.Equal(t, want[i][1], p.Complete.Index, "pair %d completion", i)
		}
	}
	assert.Same(t, &h[3], pairs[0].Complete, "pairs point into the history")
}

func TestValidateErrors(t *testing.T) {
	inv := Op{Process: 0, Type: Invoke, F: "write", Value: int64(1)}
	ok := Op{Process: 0, Type: OK, F: "write", Value: int64(1)}
	for _, tc := range []struct {
		name string
		h    History
		want string
	}{
		{"index", History{{Index: 1, Process: 0, Type: Invoke, F: "w"}}, "op 0: Index is 1, want its position 0"},
		{"type", ops(Op{Process: 0, Type: 0, F: "w"}), "op 0: invalid type 0"},
		{"empty f", ops(Op{Process: 0, Type: Invoke}), "op 0: empty f"},
		{"node", ops(Op{Process: 0, Type: Invoke, F: "w", Node: -1}), "op 0: invalid node -1"},
		{"value type", ops(Op{Process: 0, Type: Invoke, F: "w", Value: 1}), "op 0: value: unsupported value type int"},
		{"nested value type", ops(Op{Process: 0, Type: Invoke, F: "w", Value: []any{int64(1), true}}), "op 0: value: unsupported value type bool"},
		{"process", ops(Op{Process: -5, Type: Invoke, F: "w"}), "op 0: invalid process -5"},
		{"double invoke", ops(inv, inv), "op 1: process 0 invokes while op 0 is in flight"},
		{"orphan completion", ops(inv, ok, ok), "op 2: process 0 completes (ok) with no operation in flight"},
		{"f mismatch", ops(inv, Op{Process: 0, Type: OK, F: "read"}), `op 1: completion f="read" key="" does not match its invoke (op 0) f="write" key=""`},
		{"key mismatch", ops(Op{Process: 0, Type: Invoke, F: "get", Key: "a"}, Op{Process: 0, Type: OK, F: "get", Key: "b"}), `key="b" does not match`},
		{"acts after info", ops(inv, Op{Process: 0, Type: Info, F: "write"}, inv), "op 2: process 0 acts after its info at op 1"},
		{"time goes back", History{{Index: 0, Process: 0, Type: Invoke, F: "w", Time: 5}, {Index: 1, Process: 0, Type: OK, F: "w", Time: 4}},
			"op 1: time 4 is before the previous op's time 5"},
		{"large process ids", ops(Op{Process: 1 << 40, Type: Invoke, F: "w"}, Op{Process: 1 << 40, Type: Invoke, F: "w"}),
			"op 1: process 1099511627776 invokes while op 0 is in flight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, Validate(tc.h), tc.want)
			_, err := Pairs(tc.h)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestEqualValues(t *testing.T) {
	for _, tc := range []struct {
		a, b any
		want bool
	}{
		{nil, nil, true},
		{int64(1), int64(1), true},
		{int64(1), int64(2), false},
		{int64(1), "1", false},
		{"a", "a", true},
		{[]any(nil), []any{}, true},
		{[]any{int64(1), "x"}, []any{int64(1), "x"}, true},
		{[]any{int64(1)}, []any{int64(1), int64(2)}, false},
		{[]any{[]any{nil}}, []any{[]any{nil}}, true},
		{[]any{[]any{nil}}, []any{[]any{int64(0)}}, false},
		{nil, []any{}, false},
		{1, 1, false}, // not an Op.Value type
	} {
		assert.Equal(t, tc.want, EqualValues(tc.a, tc.b), "%#v vs %#v", tc.a, tc.b)
	}
	a := simulateHistory(50, 3, 3, true, 5)
	b := append(History(nil), a...)
	assert.True(t, Equal(a, b))
	b[7].Node++
	assert.Contains(t, Diff(a, b), "op 7 differs")
	assert.Contains(t, Diff(a, b[:10]), "op 7 differs")
	assert.Equal(t, "lengths differ: 50 and 10 ops", Diff(a, a[:10]))
}

func TestCheckValueDepth(t *testing.T) {
	var v any = int64(1)
	for range maxValueDepth {
		v = []any{v}
	}
	assert.NoError(t, CheckValue(v))
	assert.Error(t, CheckValue([]any{v}))
}
