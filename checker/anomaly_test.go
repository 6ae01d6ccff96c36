package checker

import (
	"encoding/json"
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// illegal checks h and requires it illegal.
func illegal(t *testing.T, h histories.History, model string) *LinResult {
	t.Helper()
	r, err := CheckLinearizable(h, LinOptions{Model: model})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	require.NotEmpty(t, r.Counterexample)
	return r
}

// roleOf returns the history position of a's op with role.
func roleOf(a *Anomaly, role string) int {
	for _, o := range a.Ops {
		if o.Role == role {
			return o.Index
		}
	}
	return -1
}

func TestAnomalyKinds(t *testing.T) {
	cases := []struct {
		name  string
		model string
		calls []call
		kind  string
		roles map[string]int // role → history position of its op
		says  []string       // substrings of the sentence
	}{
		{"kv stale read: the put was kept", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "1", start: 10, end: 20, node: 3},
			{p: 0, f: "put", key: "x", in: "3", start: 110, end: 120, node: 1},
			{p: 1, f: "get", key: "x", out: "1", start: 130, end: 140, node: 3},
			{p: 2, f: "get", key: "x", out: "3", start: 150, end: 160, node: 1},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2, RoleLaterRead: 6},
			[]string{`stale read: the get("x") at history #4, served by node 3, did not see put("x", "3") (history #2), which node 1 acknowledged 10 ns before the get began`}},
		{"kv stale read of an append", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10},
			{p: 0, f: "append", key: "x", in: "b", start: 20, end: 30},
			{p: 1, f: "get", key: "x", out: "a", start: 40, end: 50},
			{p: 2, f: "get", key: "x", out: "ab", start: 60, end: 70},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2, RoleLaterRead: 6},
			[]string{`did not see append("x", "b") (history #2), which was acknowledged 10 ns before the get began`}},
		{"kv lost write", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10},
			{p: 0, f: "append", key: "x", in: "b", start: 20, end: 30, node: 1},
			{p: 1, f: "get", key: "x", out: "a", start: 40, end: 50, node: 2},
			{p: 2, f: "get", key: "x", out: "ac", start: 60, end: 70, node: 2},
			{p: 3, f: "append", key: "x", in: "c", start: 55, end: 58, node: 2},
		}, AnomalyLostWrite, map[string]int{RoleRead: 4, RoleMissedWrite: 2},
			[]string{`lost write: append("x", "b") (history #2), acknowledged by node 1 at 0.000 s, is missing from every read of "x" that began after it: ` +
				`first the get("x") at history #4, which began 10 ns later, served by node 2, returned "a", and none of the 1 read after it shows it`}},
		{"kv stale reads from one node, then overwritten: not lost", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10, node: 1},
			{p: 0, f: "append", key: "x", in: "b", start: 20, end: 30, node: 1},
			{p: 1, f: "get", key: "x", out: "a", start: 40, end: 50, node: 5},
			{p: 1, f: "get", key: "x", out: "a", start: 60, end: 70, node: 5},
			{p: 0, f: "put", key: "x", in: "z", start: 80, end: 90, node: 1},
			{p: 2, f: "get", key: "x", out: "z", start: 100, end: 110, node: 1},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2},
			[]string{`stale read: the get("x") at history #4, served by node 5, did not see append("x", "b") (history #2)`}},
		{"kv duplicate apply", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10},
			{p: 0, f: "append", key: "x", in: "b", start: 20, end: 30},
			{p: 1, f: "get", key: "x", out: "abb", start: 40, end: 50, node: 4},
		}, AnomalyDuplicateApply, map[string]int{RoleRead: 4, RoleDuplicated: 2},
			[]string{`duplicate apply: the get("x") at history #4, served by node 4, returned "abb", which holds "b" 2 times, but only one operation wrote it: append("x", "b") (history #2, acknowledged)`}},
		{"kv value never written", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10},
			{p: 1, f: "get", key: "x", out: "zz", start: 20, end: 30},
		}, AnomalyNeverWritten, map[string]int{RoleRead: 2},
			[]string{`value never written: the get("x") at history #2 returned "zz", which no sequence of the key's operations that did not fail can produce`}},
		{"kv real-time order", ModelKV, []call{
			{p: 0, f: "append", key: "x", in: "a", start: 0, end: 20},
			{p: 0, f: "append", key: "x", in: "b", start: 30, end: 40},
			{p: 1, f: "get", key: "x", out: "ba", start: 50, end: 60},
		}, AnomalyRealTimeOrder, map[string]int{RoleRead: 4, RoleFirst: 0, RoleSecond: 2},
			[]string{`real-time order violation: the get("x") at history #4 returned "ba", which shows append("x", "b") (history #2) before append("x", "a") (history #0), but the latter was acknowledged before the former began`}},
		{"kv stale read after an earlier read", ModelKV, []call{
			{p: 0, f: "put", key: "x", in: "a", start: 0, end: 100, typ: histories.Info},
			{p: 1, f: "get", key: "x", out: "a", start: 10, end: 20, node: 1},
			{p: 2, f: "get", key: "x", out: nil, start: 30, end: 40, node: 2},
		}, AnomalyStaleRead, map[string]int{RoleRead: 3, RoleMissedWrite: 0, RoleEarlierRead: 1},
			[]string{`which the get at history #1 (served by node 1) had already returned 10 ns before the get began (the write's own outcome is unknown)`}},

		{"append duplicate apply", ModelAppend, []call{
			{p: 0, f: "append", key: "k", in: int64(1), start: 0, end: 10},
			{p: 0, f: "append", key: "k", in: int64(2), start: 20, end: 30, typ: histories.Info},
			{p: 1, f: "read", key: "k", out: []any{int64(1), int64(2), int64(2)}, start: 40, end: 50},
		}, AnomalyDuplicateApply, map[string]int{RoleRead: 4, RoleDuplicated: 2},
			[]string{"returned [1 2 2], which holds 2 2 times, but only one operation wrote it: append(\"k\", 2) (history #2, outcome unknown)"}},
		{"append lost write", ModelAppend, []call{
			{p: 0, f: "append", key: "k", in: int64(1), start: 0, end: 10},
			{p: 0, f: "append", key: "k", in: int64(2), start: 20, end: 30},
			{p: 1, f: "read", key: "k", out: []any{int64(1)}, start: 40, end: 50},
			{p: 1, f: "read", key: "k", out: []any{int64(1), int64(3)}, start: 60, end: 70},
			{p: 0, f: "append", key: "k", in: int64(3), start: 52, end: 55},
		}, AnomalyLostWrite, map[string]int{RoleRead: 4, RoleMissedWrite: 2}, []string{"lost write: append(\"k\", 2) (history #2)"}},
		{"append stale read", ModelAppend, []call{
			{p: 0, f: "append", key: "k", in: int64(1), start: 0, end: 10},
			{p: 0, f: "append", key: "k", in: int64(2), start: 20, end: 30},
			{p: 1, f: "read", key: "k", out: []any{int64(1)}, start: 40, end: 50},
			{p: 1, f: "read", key: "k", out: []any{int64(1), int64(2)}, start: 60, end: 70},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2, RoleLaterRead: 6}, []string{"did not see append(\"k\", 2)"}},
		{"append value never written", ModelAppend, []call{
			{p: 0, f: "append", key: "k", in: int64(1), start: 0, end: 10},
			{p: 1, f: "read", key: "k", out: []any{int64(1), int64(7)}, start: 20, end: 30},
		}, AnomalyNeverWritten, map[string]int{RoleRead: 2}, []string{"holding 7, which no operation that did not fail wrote"}},
		{"append real-time order", ModelAppend, []call{
			{p: 0, f: "append", key: "k", in: int64(1), start: 0, end: 10},
			{p: 0, f: "append", key: "k", in: int64(2), start: 20, end: 30},
			{p: 1, f: "read", key: "k", out: []any{int64(2), int64(1)}, start: 40, end: 50},
		}, AnomalyRealTimeOrder, map[string]int{RoleRead: 4, RoleFirst: 0, RoleSecond: 2}, []string{"shows append(\"k\", 2) (history #2) before append(\"k\", 1) (history #0)"}},

		{"register stale read", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 0, f: "write", in: int64(2), start: 20, end: 30},
			{p: 1, f: "read", out: int64(1), start: 40, end: 50},
			{p: 1, f: "read", out: int64(2), start: 60, end: 70},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2, RoleLaterRead: 6}, []string{"stale read: the read() at history #4 did not see write(2) (history #2)"}},
		{"register lost write", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 0, f: "write", in: int64(2), start: 20, end: 30},
			{p: 1, f: "read", out: int64(1), start: 40, end: 50},
			{p: 1, f: "read", out: int64(1), start: 60, end: 70},
		}, AnomalyLostWrite, map[string]int{RoleRead: 4, RoleMissedWrite: 2}, []string{"lost write: write(2) (history #2)"}},
		{"register stale read: a later write of the same value is no source", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 0, f: "write", in: int64(0), start: 20, end: 30},
			{p: 1, f: "read", out: int64(1), start: 40, end: 50},
			{p: 0, f: "write", in: int64(1), start: 60, end: 70},
		}, AnomalyStaleRead, map[string]int{RoleRead: 4, RoleMissedWrite: 2}, []string{"did not see write(0) (history #2)"}},
		{"register value never written", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 1, f: "read", out: int64(9), start: 20, end: 30},
		}, AnomalyNeverWritten, map[string]int{RoleRead: 2}, []string{"returned 9"}},
		{"register nil after a write: stale", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 1, f: "read", out: nil, start: 20, end: 30},
		}, AnomalyStaleRead, map[string]int{RoleRead: 2, RoleMissedWrite: 0}, nil},
		{"register: no rule for an impossible cas", ModelRegister, []call{
			{p: 0, f: "write", in: int64(1), start: 0, end: 10},
			{p: 1, f: "cas", in: []any{int64(2), int64(3)}, start: 20, end: 30, node: 2},
		}, AnomalyNotLinearizable, map[string]int{RoleCulprit: 2},
			[]string{`not linearizable: the cas(2, 3) at history #2, served by node 2, fits no state the register can be in`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := illegal(t, fromCalls(c.calls...), c.model)
			a := r.Anomaly(AnomalyContext{})
			require.NotNil(t, a)
			t.Log(a.Summary)
			assert.Equal(t, c.kind, a.Kind, a.Summary)
			for role, pos := range c.roles {
				assert.Equal(t, pos, roleOf(a, role), "the op of role %s", role)
			}
			for _, s := range c.says {
				assert.Contains(t, a.Summary, s)
			}
			assert.Greater(t, a.Ops[0].Completion, a.Ops[0].Index, "the completion's position is recorded")
		})
	}
}

// TestAnomalyContext: with roles and faults the sentence names the node's
// role and term, the writer's, and what the fault did to the reader.
func TestAnomalyContext(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "put", key: "x", in: "1", start: 10, end: 20, node: 3},
		call{p: 0, f: "put", key: "x", in: "3", start: 110, end: 120, node: 1},
		call{p: 1, f: "get", key: "x", out: "1", start: 130, end: 140, node: 3},
		call{p: 2, f: "get", key: "x", out: "3", start: 150, end: 160, node: 1},
	)
	r := illegal(t, h, ModelKV)
	faults := []ActiveFault{
		{Fault: "partition-isolate-leader", Start: 95, End: 500, Nodes: []int{3}, Sides: [][]int{{3}, {1, 2}}},
		{Fault: "clock-skew", Start: 0, End: 50},
	}
	a := r.Anomaly(AnomalyContext{Roles: staleLeaderRoles(t), Faults: faults})
	require.NotNil(t, a)
	t.Log(a.Summary)
	assert.Equal(t, AnomalyStaleRead, a.Kind)
	assert.Equal(t, `stale read: the get("x") at history #4, served by node 3 (a deposed leader of term 4; node 1 led term 5), `+
		`did not see put("x", "3") (history #2), which node 1 (leader of term 5) acknowledged 10 ns before the get began; `+
		`partition-isolate-leader had cut node 3 off from the majority ({3} | {1,2})`, a.Summary)
	require.Len(t, a.Faults, 1, "only the fault running during the read")
	assert.Equal(t, "partition-isolate-leader", a.Faults[0].Fault)
	require.NotNil(t, a.Leader)
	assert.Equal(t, NodeTerm{Node: 1, Term: 5}, *a.Leader)
	assert.Equal(t, int64(140), a.Time, "visible at the read's completion")
	assert.Equal(t, []int{0}, a.Also, "the rest of the counterexample")
	read := a.Ops[0]
	assert.Equal(t, AnomalyOp{Role: RoleRead, Index: 4, Completion: 5, Process: 1, Op: `get("x") → "1"`, Outcome: "ok",
		Invoked: 130, Completed: 140, Node: 3, NodeRole: RoleLeader, Term: 4}, read)

	// The structured form, as results.json stores it.
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"kind":"stale-read"`)
	assert.Contains(t, string(b), `"role":"missed-write","index":2`)
	assert.Contains(t, string(b), `"faults":[{"fault":"partition-isolate-leader"`)
}

// TestAnomalyUntimed: a foreign history without times or nodes: positions,
// no roles, no faults.
func TestAnomalyUntimed(t *testing.T) {
	data := `{:process 0, :type :invoke, :f :put, :key "0", :value "a"}
{:process 0, :type :ok, :f :put, :key "0", :value "a"}
{:process 0, :type :invoke, :f :append, :key "0", :value "b"}
{:process 0, :type :ok, :f :append, :key "0", :value "b"}
{:process 1, :type :invoke, :f :get, :key "0", :value nil}
{:process 1, :type :ok, :f :get, :key "0", :value "a"}
{:process 1, :type :invoke, :f :get, :key "0", :value nil}
{:process 1, :type :ok, :f :get, :key "0", :value "ab"}
`
	h, _, err := histories.Parse([]byte(data), "h.edn", histories.Auto)
	require.NoError(t, err)
	r := illegal(t, h, "")
	a := r.Anomaly(AnomalyContext{Roles: staleLeaderRoles(t), Faults: []ActiveFault{{Fault: "kill", Start: 0, End: 100}}})
	require.NotNil(t, a)
	t.Log(a.Summary)
	assert.Equal(t, AnomalyStaleRead, a.Kind)
	assert.True(t, a.Untimed)
	assert.Contains(t, a.Summary, `which was acknowledged before the get began (its completion is history #3)`)
	assert.NotContains(t, a.Summary, "node", "the history names no node")
	assert.Empty(t, a.Faults, "no times: no fault can be placed")
	assert.Nil(t, a.Leader)
}

func TestAnomalyWithoutCounterexample(t *testing.T) {
	h := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}, call{p: 1, f: "read", out: int64(2), start: 2, end: 3})
	r, err := CheckLinearizable(h, LinOptions{ExplainChecks: -1})
	require.NoError(t, err)
	a := r.Anomaly(AnomalyContext{})
	require.NotNil(t, a)
	assert.Equal(t, AnomalyNotLinearizable, a.Kind)
	assert.Empty(t, a.Ops)

	ok, err := CheckLinearizable(fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}), LinOptions{})
	require.NoError(t, err)
	assert.Nil(t, ok.Anomaly(AnomalyContext{}), "no anomaly in a linearizable history")
}

// TestAnomalyParseAmbiguous: a kv value that splits into the key's writes
// in two ways proves no duplicate.
func TestAnomalyParseAmbiguous(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "append", key: "x", in: "a", start: 0, end: 10},
		call{p: 0, f: "append", key: "x", in: "aa", start: 20, end: 30},
		call{p: 1, f: "get", key: "x", out: "aaaa", start: 40, end: 50},
	)
	r := illegal(t, h, ModelKV)
	a := r.Anomaly(AnomalyContext{})
	require.NotNil(t, a)
	assert.NotEqual(t, AnomalyDuplicateApply, a.Kind, "aaaa splits as a+aa+a, aa+aa, ...: no one reading proves a duplicate")
	c := newClassifier(r)
	n, _, ok := c.countParses(c.reads[0])
	require.True(t, ok)
	assert.Equal(t, 2, n)
}
