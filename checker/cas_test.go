package checker

import (
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailedCAS: a cas that failed because its compare did
// (histories.ErrCASMismatch) observed a value other than the expected one
// within its interval, and changed nothing; any other fail is an op that
// did not happen.
func TestFailedCAS(t *testing.T) {
	mismatch := histories.ErrCASMismatch
	w := func(v int64, start, end int64) call {
		return call{p: 0, f: "write", in: v, start: start, end: end}
	}
	cas := func(old, nw, start, end int64, err string) call {
		return call{p: 1, f: "cas", in: []any{old, nw}, start: start, end: end, typ: fail, err: err}
	}
	rd := func(out any, start, end int64) call {
		return call{p: 2, f: "read", out: out, start: start, end: end}
	}
	runLinCases(t, []linCase{
		// porcupine's etcd model says not linearizable: the register held 1
		// all along, so the compare with 1 cannot have failed.
		{"failed compare against the value held", ModelRegister, fromCalls(
			w(1, 0, 1), cas(1, 2, 2, 3, mismatch), rd(i64(1), 4, 5)), LinIllegal},
		{"failed compare, no read after", ModelRegister, fromCalls(
			w(1, 0, 1), cas(1, 2, 2, 3, mismatch)), LinIllegal},
		{"failed compare against another value", ModelRegister, fromCalls(
			w(1, 0, 1), cas(3, 4, 2, 3, mismatch), rd(i64(1), 4, 5)), LinOK},
		{"failed compare on the unset register", ModelRegister, fromCalls(
			cas(1, 2, 0, 1, mismatch), rd(nil, 2, 3)), LinOK},
		{"failed compare before a concurrent write took effect", ModelRegister, fromCalls(
			w(1, 0, 3), cas(1, 2, 1, 2, mismatch), rd(i64(1), 4, 5)), LinOK},
		{"failed compare changes nothing", ModelRegister, fromCalls(
			w(3, 0, 1), cas(1, 2, 2, 3, mismatch), rd(i64(2), 4, 5)), LinIllegal},
		{"rejected before the compare (not-leader): did not happen", ModelRegister, fromCalls(
			w(1, 0, 1), cas(1, 2, 2, 3, "not-leader"), rd(i64(1), 4, 5)), LinOK},
		{"a fail without an error kind (Knossos: did not happen)", ModelRegister, fromCalls(
			w(1, 0, 1), cas(1, 2, 2, 3, ""), rd(i64(1), 4, 5)), LinOK},
	})
}

// TestFailedCASEtcdLog: the etcd-log reader marks every failed cas as a
// failed compare, as porcupine's etcd model reads these logs.
func TestFailedCASEtcdLog(t *testing.T) {
	log := "INFO  jepsen.util - 0\t:invoke\t:write\t1\n" +
		"INFO  jepsen.util - 0\t:ok\t:write\t1\n" +
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 2\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 2\t:ok\t:read\t1\n"
	h, f, err := histories.Parse([]byte(log), "cas.log", histories.Auto)
	require.NoError(t, err)
	require.Equal(t, histories.EtcdLog, f)
	r, err := CheckLinearizable(h, LinOptions{})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, r.Result)
	assert.Equal(t, []int{0, 2}, r.Counterexample, "the write and the failed cas suffice")
	assert.Equal(t, 2, r.Culprit)
	assert.Contains(t, r.Explain(nil)[2], "cas(1, 2) → failed: value ≠ 1")
}

// TestFailedCASClosure: a kept failed compare may have found the value of
// any left-out op that produced another value, unless a kept acknowledged
// write lies between them; so such an op must stay in a counterexample.
func TestFailedCASClosure(t *testing.T) {
	conv := func(calls ...call) []*linOp {
		c, err := convert(fromCalls(calls...), registerSpec(), false)
		require.NoError(t, err)
		out := make([]*linOp, len(c.ops))
		for i, op := range c.ops {
			out[i] = op.Input.(*linOp)
		}
		return out
	}
	mismatch := histories.ErrCASMismatch
	failed := call{p: 1, f: "cas", in: []any{int64(1), int64(2)}, start: 10, end: 11, typ: fail, err: mismatch}
	cases := []struct {
		name  string
		calls []call
		in    []bool // by op order in convert (invoke order)
		want  bool
	}{
		{"left-out write of another value may be its source", []call{
			{p: 0, f: "write", in: int64(5), start: 0, end: 1}, failed}, []bool{false, true}, false},
		{"left-out write of the expected value is not", []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 1}, failed}, []bool{false, true}, true},
		{"shielded by a kept write", []call{
			{p: 0, f: "write", in: int64(5), start: 0, end: 1},
			{p: 2, f: "write", in: int64(7), start: 2, end: 3}, failed}, []bool{false, true, true}, true},
		{"invoked after it returned", []call{
			failed, {p: 0, f: "write", in: int64(5), start: 20, end: 21}}, []bool{true, false}, true},
		{"everything kept", []call{
			{p: 0, f: "write", in: int64(5), start: 0, end: 1}, failed}, []bool{true, true}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			all := conv(c.calls...)
			require.Len(t, all, len(c.in))
			assert.Equal(t, c.want, registerClosure(all)(c.in))
		})
	}
}
