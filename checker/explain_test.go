package checker

import (
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staleLeaderRoles: node 3 led term 4 and, cut off, still believes it does
// when node 1 is elected for term 5 at t=100.
func staleLeaderRoles(t *testing.T) *RoleTimeline {
	tl := NewRoleTimeline()
	for _, c := range []RoleChange{
		{Time: 0, Node: 1, Role: RoleFollower, Term: 4},
		{Time: 0, Node: 2, Role: RoleFollower, Term: 4},
		{Time: 0, Node: 3, Role: RoleLeader, Term: 4},
		{Time: 90, Node: 1, Role: RoleCandidate, Term: 5},
		{Time: 100, Node: 1, Role: RoleLeader, Term: 5},
		{Time: 100, Node: 2, Role: RoleFollower, Term: 5},
	} {
		require.NoError(t, tl.Add(c.Time, c.Node, c.Role, c.Term))
	}
	return tl
}

func TestExplainStaleRead(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "put", key: "x", in: "1", start: 10, end: 20, node: 3},
		call{p: 1, f: "get", key: "y", out: nil, start: 25, end: 30, node: 3},
		call{p: 0, f: "put", key: "x", in: "3", start: 110, end: 120, node: 1},
		call{p: 1, f: "get", key: "x", out: "1", start: 130, end: 140, node: 3},
		call{p: 2, f: "get", key: "x", out: "3", start: 150, end: 160, node: 1},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelKV})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	assert.Equal(t, "x", r.Key)
	// put 1, put 3, then the stale get of 1: the later get and key y are
	// not needed.
	assert.Equal(t, []int{0, 4, 6}, r.Counterexample)
	assert.Equal(t, 6, r.Culprit)
	assert.True(t, r.Minimal)

	lines := r.Explain(staleLeaderRoles(t))
	for _, l := range lines {
		t.Log(l)
	}
	require.Len(t, lines, 4)
	assert.Contains(t, lines[0], `3 operations on key "x" cannot be linearized together`)
	assert.Contains(t, lines[1], `history #0 (process 0): put("x", "1"), invoked at 10ns, completed at 20ns, served by node 3, leader of term 4, the leader of the highest term`)
	assert.Contains(t, lines[2], `history #4 (process 0): put("x", "3")`)
	assert.Contains(t, lines[2], `served by node 1, leader of term 5, the leader of the highest term`)
	assert.Contains(t, lines[3], `history #6 (process 1): get("x") → "1", invoked at 130ns, completed at 140ns, served by node 3, leader of term 4, while node 1 was leader of term 5; no order of the others leaves room for it`)

	// Without a timeline the nodes are still named.
	plain := r.Explain(nil)
	assert.Contains(t, plain[3], "served by node 3; no order")
	// Combine carries the explanation into the reasons.
	res := Combine(Checks{Lin: r, Roles: staleLeaderRoles(t)})
	assert.Equal(t, Invalid, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "while node 1 was leader of term 5")
}

func TestExplainNothingWhenLegal(t *testing.T) {
	r, err := CheckLinearizable(fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}), LinOptions{})
	require.NoError(t, err)
	assert.Nil(t, r.Explain(nil))
	var nilResult *LinResult
	assert.Nil(t, nilResult.Explain(nil))
}

func TestExplainDisabled(t *testing.T) {
	h := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}, call{p: 1, f: "read", out: int64(2), start: 2, end: 3})
	r, err := CheckLinearizable(h, LinOptions{ExplainChecks: -1})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, r.Result)
	assert.Empty(t, r.Counterexample)
	assert.Equal(t, -1, r.Culprit)
}

// cexOps turns a counterexample back into porcupine operations.
func cexOps(r *LinResult) []porcupine.Operation {
	ops := make([]porcupine.Operation, len(r.cex))
	for i, o := range r.cex {
		ops[i] = porcupine.Operation{Input: o, Output: o, Call: o.call, Return: o.done}
	}
	return ops
}

// TestExplainBudget: a search cut short still names an illegal set, and
// says it may not be minimal.
func TestExplainBudget(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "write", in: int64(1), start: 0, end: 1},
		call{p: 1, f: "read", out: int64(1), start: 2, end: 3},
		call{p: 0, f: "write", in: int64(2), start: 4, end: 5},
		call{p: 1, f: "read", out: int64(2), start: 6, end: 7},
		call{p: 1, f: "read", out: int64(1), start: 8, end: 9},
	)
	full, err := CheckLinearizable(h, LinOptions{})
	require.NoError(t, err)
	require.True(t, full.Minimal)
	assert.Equal(t, []int{4, 8}, full.Counterexample, "write 2, then the read of 1")

	cut, err := CheckLinearizable(h, LinOptions{ExplainChecks: 2})
	require.NoError(t, err)
	assert.Equal(t, LinIllegal, cut.Result)
	assert.False(t, cut.Minimal)
	assert.Greater(t, len(cut.Counterexample), len(full.Counterexample))
	assert.Contains(t, cut.Explain(nil)[0], "the search budget ran out, so it may not be minimal")
}

// TestExplainPositionsWithoutTimes: formats without times (etcd-log,
// knossos-kv, EDN without :time) name history positions, never times.
func TestExplainPositionsWithoutTimes(t *testing.T) {
	cases := []struct {
		name   string
		format histories.Format
		data   string
		want   []string // the explanation's op lines
	}{
		{"etcd-log", histories.EtcdLog,
			"INFO  jepsen.util - 0\t:invoke\t:write\t1\n" +
				"INFO  jepsen.util - 0\t:ok\t:write\t1\n" +
				"INFO  jepsen.util - 1\t:invoke\t:read\tnil\n" +
				"INFO  jepsen.util - 1\t:ok\t:read\t2\n",
			[]string{"history #2 (process 1): read() → 2, invoked at history #2, completed at history #3, served by an unknown node; no order of the others leaves room for it"}},
		{"knossos-kv", histories.KnossosKV,
			`{:process 0, :type :invoke, :f :put, :key "0", :value "x 0 0 y"}` + "\n" +
				`{:process 0, :type :ok, :f :put, :key "0", :value "x 0 0 y"}` + "\n" +
				`{:process 1, :type :invoke, :f :get, :key "0", :value nil}` + "\n" +
				`{:process 1, :type :ok, :f :get, :key "0", :value "x 1 0 y"}` + "\n",
			[]string{`history #2 (process 1): get("0") → "x 1 0 y", invoked at history #2, completed at history #3, served by an unknown node; no order of the others leaves room for it`}},
		{"edn without times", histories.EDN,
			"{:process 0, :type :invoke, :f :write, :value 1}\n" +
				"{:process 0, :type :ok, :f :write, :value 1}\n" +
				"{:process 1, :type :invoke, :f :read, :value nil}\n" +
				"{:process 1, :type :ok, :f :read, :value 2}\n",
			[]string{"history #2 (process 1): read() → 2, invoked at history #2, completed at history #3, served by an unknown node; no order of the others leaves room for it"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, f, err := histories.Parse([]byte(c.data), c.name, histories.Auto)
			require.NoError(t, err)
			require.Equal(t, c.format, f)
			r, err := CheckLinearizable(h, LinOptions{})
			require.NoError(t, err)
			require.Equal(t, LinIllegal, r.Result)
			lines := r.Explain(nil)
			require.NotEmpty(t, lines)
			assert.Equal(t, c.want, lines[1:])
		})
	}
}
