package checker

import (
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ok   = histories.OK
	fail = histories.Fail
	info = histories.Info
)

func i64(v int64) int64 { return v }

func list(vs ...int64) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

type linCase struct {
	name  string
	model string
	h     histories.History
	want  LinVerdict
}

func runLinCases(t *testing.T, cases []linCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckLinearizable(c.h, LinOptions{Model: c.model})
			require.NoError(t, err)
			assert.Equal(t, c.want, r.Result)
			assert.Equal(t, c.model, r.Model)
			if c.want == LinIllegal {
				require.NotEmpty(t, r.Counterexample, "an illegal history names its counterexample")
				assert.Contains(t, r.Counterexample, r.Culprit)
			} else {
				assert.Empty(t, r.Counterexample)
			}
		})
	}
}

func TestRegisterModel(t *testing.T) {
	runLinCases(t, []linCase{
		{"sequential write then read", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "read", out: i64(1), start: 2, end: 3},
		), LinOK},
		{"read of the initial nil", ModelRegister, fromCalls(
			call{p: 1, f: "read", out: nil, start: 0, end: 1},
			call{p: 0, f: "write", in: i64(1), start: 2, end: 3},
		), LinOK},
		{"nil read after a completed write", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "read", out: nil, start: 2, end: 3},
		), LinIllegal},
		{"stale read", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "write", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", out: i64(1), start: 4, end: 5},
		), LinIllegal},
		{"reads concurrent with a write may see either value", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 10},
			call{p: 1, f: "read", out: nil, start: 1, end: 2},
			call{p: 2, f: "read", out: i64(1), start: 3, end: 4},
		), LinOK},
		{"reads cannot go back to the old value", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 10},
			call{p: 1, f: "read", out: i64(1), start: 1, end: 2},
			call{p: 1, f: "read", out: nil, start: 3, end: 4},
		), LinIllegal},
		{"acknowledged cas that matched", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "cas", in: list(1, 2), start: 2, end: 3},
			call{p: 1, f: "read", out: i64(2), start: 4, end: 5},
		), LinOK},
		{"acknowledged cas that could not match", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "cas", in: list(3, 4), start: 2, end: 3},
		), LinIllegal},
		{"failed write is left out", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1, typ: fail},
			call{p: 1, f: "read", out: i64(1), start: 2, end: 3},
		), LinIllegal},
		{"failed cas is left out", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "cas", in: list(1, 2), start: 2, end: 3, typ: fail},
			call{p: 1, f: "read", out: i64(1), start: 4, end: 5},
		), LinOK},
	})
}

// TestInfoSemantics: an info op returns at infinity: it may take effect at any
// time after its invoke, or never, and its output is not known.
func TestInfoSemantics(t *testing.T) {
	runLinCases(t, []linCase{
		{"info write that must have happened", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: 1, typ: info},
			call{p: 1, f: "read", out: i64(1), start: 5, end: 6},
		), LinOK},
		{"info write that must not have happened", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(0), start: 0, end: 1},
			call{p: 1, f: "write", in: i64(1), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", out: i64(0), start: 10, end: 11},
			call{p: 2, f: "read", out: i64(0), start: 12, end: 13},
		), LinOK},
		{"info write may take effect long after its completion", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(0), start: 0, end: 1},
			call{p: 1, f: "write", in: i64(1), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", out: i64(0), start: 10, end: 11},
			call{p: 2, f: "read", out: i64(1), start: 12, end: 13},
		), LinOK},
		{"an info write cannot un-happen", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(0), start: 0, end: 1},
			call{p: 1, f: "write", in: i64(1), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", out: i64(1), start: 10, end: 11},
			call{p: 2, f: "read", out: i64(0), start: 12, end: 13},
		), LinIllegal},
		{"an info write cannot happen before its invoke", ModelRegister, fromCalls(
			call{p: 2, f: "read", out: i64(1), start: 0, end: 1},
			call{p: 1, f: "write", in: i64(1), start: 2, end: 3, typ: info},
		), LinIllegal},
		{"a pending write behaves like info", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(1), start: 0, end: -1},
			call{p: 1, f: "read", out: i64(1), start: 5, end: 6},
		), LinOK},
		{"info cas applies when it matches", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(0), start: 0, end: 1},
			call{p: 1, f: "cas", in: list(0, 5), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", out: i64(5), start: 4, end: 5},
		), LinOK},
		{"info cas cannot apply when it does not match", ModelRegister, fromCalls(
			call{p: 0, f: "write", in: i64(0), start: 0, end: 1},
			call{p: 1, f: "cas", in: list(1, 5), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", out: i64(5), start: 4, end: 5},
		), LinIllegal},
		{"info kv append that must have happened", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "k", in: "a", start: 0, end: 1},
			call{p: 1, f: "append", key: "k", in: "b", start: 2, end: 3, typ: info},
			call{p: 2, f: "get", key: "k", out: "ab", start: 4, end: 5},
		), LinOK},
		{"info kv append applies once", ModelKV, fromCalls(
			call{p: 1, f: "append", key: "k", in: "b", start: 2, end: 3, typ: info},
			call{p: 2, f: "get", key: "k", out: "bb", start: 4, end: 5},
		), LinIllegal},
		{"info list append seen by a read", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "append", key: "k", in: i64(3), start: 2, end: 3, typ: info},
			call{p: 2, f: "read", key: "k", out: list(1, 3), start: 4, end: 5},
		), LinOK},
		{"an info read constrains nothing", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "read", key: "k", start: 2, end: 3, typ: info},
		), LinOK},
	})
}

func TestKVModel(t *testing.T) {
	runLinCases(t, []linCase{
		{"put, append, get", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 1},
			call{p: 0, f: "append", key: "x", in: "b", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: "ab", start: 4, end: 5},
		), LinOK},
		{"get of a missing key is nil or empty", ModelKV, fromCalls(
			call{p: 0, f: "get", key: "x", out: nil, start: 0, end: 1},
			call{p: 0, f: "get", key: "x", out: "", start: 2, end: 3},
			call{p: 0, f: "append", key: "x", in: "a", start: 4, end: 5},
			call{p: 0, f: "get", key: "x", out: "a", start: 6, end: 7},
		), LinOK},
		{"stale get", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 1},
			call{p: 0, f: "put", key: "x", in: "b", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: "a", start: 4, end: 5},
		), LinIllegal},
		{"lost append", ModelKV, fromCalls(
			call{p: 0, f: "append", key: "x", in: "a", start: 0, end: 1},
			call{p: 0, f: "append", key: "x", in: "b", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: "b", start: 4, end: 5},
		), LinIllegal},
		{"delete then get", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 1},
			call{p: 0, f: "delete", key: "x", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: nil, start: 4, end: 5},
		), LinOK},
		{"get sees a deleted value", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 1},
			call{p: 0, f: "delete", key: "x", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: "a", start: 4, end: 5},
		), LinIllegal},
		{"keys are independent", ModelKV, fromCalls(
			call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 1},
			call{p: 1, f: "put", key: "y", in: "b", start: 0, end: 1},
			call{p: 0, f: "get", key: "y", out: "b", start: 2, end: 3},
			call{p: 1, f: "get", key: "x", out: "a", start: 2, end: 3},
		), LinOK},
		{"concurrent appends in either order", ModelKV, fromCalls(
			call{p: 0, f: "append", key: "x", in: "a", start: 0, end: 5},
			call{p: 1, f: "append", key: "x", in: "b", start: 0, end: 5},
			call{p: 2, f: "get", key: "x", out: "ba", start: 6, end: 7},
		), LinOK},
	})
}

func TestAppendModel(t *testing.T) {
	runLinCases(t, []linCase{
		{"appends then read", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", key: "k", out: list(1, 2), start: 4, end: 5},
		), LinOK},
		{"read of an empty key", ModelAppend, fromCalls(
			call{p: 1, f: "read", key: "k", out: nil, start: 0, end: 1},
			call{p: 1, f: "read", key: "k", out: list(), start: 2, end: 3},
		), LinOK},
		{"reordered elements", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", key: "k", out: list(2, 1), start: 4, end: 5},
		), LinIllegal},
		{"lost element", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", key: "k", out: list(1), start: 4, end: 5},
		), LinIllegal},
		{"concurrent appends in either order", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 5},
			call{p: 1, f: "append", key: "k", in: i64(2), start: 1, end: 4},
			call{p: 2, f: "read", key: "k", out: list(2, 1), start: 6, end: 7},
		), LinOK},
		{"violation on the second key", ModelAppend, fromCalls(
			call{p: 0, f: "append", key: "a", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "append", key: "b", in: i64(2), start: 0, end: 1},
			call{p: 0, f: "read", key: "a", out: list(1), start: 2, end: 3},
			call{p: 1, f: "read", key: "b", out: list(), start: 2, end: 3},
		), LinIllegal},
	})
}

func TestCounterexampleKey(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "append", key: "a", in: i64(1), start: 0, end: 1},
		call{p: 1, f: "append", key: "b", in: i64(2), start: 0, end: 1},
		call{p: 0, f: "read", key: "a", out: list(1), start: 2, end: 3},
		call{p: 1, f: "read", key: "b", out: list(), start: 2, end: 3},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelAppend})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Equal(t, "b", r.Key)
	assert.Equal(t, 2, r.Partitions)
	// The read of b (invoke at position 5) and the append it missed (1).
	assert.Equal(t, []int{1, 5}, r.Counterexample)
	assert.Equal(t, 5, r.Culprit)
	assert.True(t, r.Minimal)
}

func TestInvalidHistories(t *testing.T) {
	cases := []struct {
		name  string
		model string
		h     histories.History
		want  string
	}{
		{"completion without invoke", ModelRegister, hist(
			ev(1, 0, ok, "read", "", i64(1)),
		), "op 0: ok completion of process 0 without an invoke"},
		{"two invokes in flight", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "read", "", nil),
			ev(2, 0, histories.Invoke, "write", "", i64(1)),
		), "op 1: process 0 invokes write while its op 0 is still in flight"},
		{"process reused after info", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "write", "", i64(1)),
			ev(2, 0, info, "write", "", i64(1)),
			ev(3, 0, histories.Invoke, "read", "", nil),
		), "op 2: process 0 invokes read after its op 1 ended with info"},
		{"completion of another f", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "write", "", i64(1)),
			ev(2, 0, ok, "read", "", i64(1)),
		), "op 1: completion read does not match invoke write"},
		{"time goes back", ModelRegister, hist(
			ev(5, 0, histories.Invoke, "write", "", i64(1)),
			ev(2, 0, ok, "write", "", i64(1)),
		), "op 1: time 2 is before op 0's time 5"},
		{"bad type", ModelRegister, hist(
			histories.Op{Process: 0, Type: 9, F: "read", Time: 1},
		), "op 0: unknown op type 9"},
		{"string written to a register", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "write", "", "x"),
			ev(2, 0, ok, "write", "", "x"),
		), `op 0: write of the string "x", want an integer`},
		{"nested list written to a register", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "write", "", []any{i64(1), []any{i64(2), []any{i64(3)}}}),
		), "op 0: write of the list [1 [2 [3]]], want an integer"},
		{"string read from a register", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "read", "", nil),
			ev(2, 0, ok, "read", "", "1"),
		), `op 1: read returned the string "1", want an integer or nil`},
		{"malformed cas", ModelRegister, hist(
			ev(1, 0, histories.Invoke, "cas", "", list(1)),
		), "op 0: cas of the list [1], want a list [old new]"},
		{"integer put to kv", ModelKV, hist(
			ev(1, 0, histories.Invoke, "put", "k", i64(1)),
		), "op 0: put of the integer 1, want a string"},
		{"op of another model", ModelKV, hist(
			ev(1, 0, histories.Invoke, "cas", "k", list(1, 2)),
		), `op 0: model kv has no operation "cas"`},
		{"append read of a string", ModelAppend, hist(
			ev(1, 0, histories.Invoke, "read", "k", nil),
			ev(2, 0, ok, "read", "k", "1 2"),
		), "op 1: read returned string 1 2, want a list of integers"},
		{"unknown model", "graph", hist(), `unknown model "graph"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CheckLinearizable(c.h, LinOptions{Model: c.model})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestNemesisOpsAreIgnored(t *testing.T) {
	h := hist(
		ev(1, histories.NemesisProcess, info, "start-partition", "", "n1 n2"),
		ev(2, 0, histories.Invoke, "write", "", i64(1)),
		ev(3, 0, ok, "write", "", i64(1)),
		ev(4, histories.NemesisProcess, info, "stop-partition", "", nil),
		ev(5, 1, histories.Invoke, "read", "", nil),
		ev(6, 1, ok, "read", "", i64(1)),
	)
	r, err := CheckLinearizable(h, LinOptions{})
	require.NoError(t, err)
	assert.Equal(t, LinOK, r.Result)
	assert.Equal(t, 2, r.Ops)
}

func TestModelForHistory(t *testing.T) {
	cases := []struct {
		name string
		h    histories.History
		want string
		err  string
	}{
		{"register", hist(ev(1, 0, histories.Invoke, "write", "", i64(1))), ModelRegister, ""},
		{"register reads", hist(ev(1, 0, ok, "read", "", i64(1))), ModelRegister, ""},
		{"only nil reads", hist(ev(1, 0, histories.Invoke, "read", "", nil)), ModelRegister, ""},
		{"kv", hist(ev(1, 0, histories.Invoke, "get", "k", nil)), ModelKV, ""},
		{"kv append", hist(ev(1, 0, histories.Invoke, "append", "k", "x 1 2 y")), ModelKV, ""},
		{"list append", hist(ev(1, 0, histories.Invoke, "append", "k", i64(3))), ModelAppend, ""},
		{"list read", hist(ev(1, 0, ok, "read", "k", list(1))), ModelAppend, ""},
		{"mixed", hist(
			ev(1, 0, histories.Invoke, "write", "", i64(1)),
			ev(2, 1, histories.Invoke, "get", "k", nil),
		), "", "ops 0 (register) and 1 (kv) belong to different models"},
		{"unknown op", hist(ev(1, 0, histories.Invoke, "frob", "", nil)), "", `op 0: operation "frob" belongs to no model`},
		{"empty", hist(), "", "no client operation tells the model"},
		{"nemesis only", hist(ev(1, histories.NemesisProcess, info, "start-kill", "", "n1")), "", "no client operation tells the model"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ModelForHistory(c.h)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
	assert.Equal(t, []string{ModelRegister, ModelKV, ModelAppend}, Models())
}

// TestNothingToCheck: a history without client operations is
// linearizable, as porcupine says, with a note that it held nothing to
// check, whatever the model (none can be guessed); one whose client
// operations have no known outcome (pending, info, a failed write) is
// unknown with that reason, never linearizable.
func TestNothingToCheck(t *testing.T) {
	fail := histories.Fail
	cases := []struct {
		name  string
		model string
		h     histories.History
		want  LinVerdict
	}{
		{"empty", "", nil, LinOK},
		{"empty kv", ModelKV, nil, LinOK},
		{"nemesis only", "", hist(ev(1, histories.NemesisProcess, info, "start-kill", "", "n1")), LinOK},
		{"one invoke", "", hist(ev(1, 0, histories.Invoke, "write", "", i64(1))), LinUnknown},
		{"one info", ModelKV, hist(ev(1, 0, histories.Invoke, "put", "k", "a"), ev(2, 0, info, "put", "k", "a")), LinUnknown},
		{"a failed write", "", hist(ev(1, 0, histories.Invoke, "write", "", i64(1)), ev(2, 0, fail, "write", "", i64(1))), LinUnknown},
		{"one completed write", "", hist(ev(1, 0, histories.Invoke, "write", "", i64(1)), ev(2, 0, ok, "write", "", i64(1))), LinOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckLinearizable(c.h, LinOptions{Model: c.model})
			require.NoError(t, err)
			assert.Equal(t, c.want, r.Result)
			switch {
			case c.want == LinUnknown:
				assert.Equal(t, "no operation completed with a known outcome: the history observed nothing that could be out of order", r.Reason)
				assert.Equal(t, Unknown, Combine(Checks{Lin: r}).Verdict)
			case r.Ops == 0:
				assert.Equal(t, "the history has no client operations: nothing to check", r.Note)
			default:
				assert.Empty(t, r.Note)
			}
		})
	}
}
