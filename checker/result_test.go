package checker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCombine(t *testing.T) {
	okLin := &LinResult{Result: LinOK}
	unknownLin := &LinResult{Result: LinUnknown, Duration: time.Second}
	illegalLin := &LinResult{Result: LinIllegal, Model: ModelKV, Ops: 7, Culprit: -1}
	illegalOne := &LinResult{Result: LinIllegal, Model: ModelRegister, Ops: 1, Culprit: -1}
	failedLive := &LivenessResult{Status: LivenessFailed, Reasons: []string{"thread 2 stuck"}}
	okLive := &LivenessResult{Status: LivenessOK}
	viol := Violation{Invariant: ElectionSafety, Time: 5, Evidence: "nodes 1 and 2 were both leader of term 2"}
	prob := Problem{Check: CheckDigest, Detail: "replicas differ"}

	cases := []struct {
		name   string
		in     Checks
		want   Verdict
		lin    string
		live   string
		reason string
	}{
		{"nothing checked", Checks{}, Valid, "skipped", LivenessSkipped, ""},
		{"all good", Checks{Lin: okLin, Liveness: okLive}, Valid, "ok", LivenessOK, ""},
		{"timed out", Checks{Lin: unknownLin, Liveness: okLive}, Unknown, "unknown", LivenessOK, "linearizability: unknown, the search gave up after 1s"},
		{"illegal", Checks{Lin: illegalLin}, Invalid, "illegal", LivenessSkipped, "linearizability: the history is not linearizable (model kv, 7 operations checked)"},
		{"one op, singular", Checks{Lin: illegalOne}, Invalid, "illegal", LivenessSkipped, "linearizability: the history is not linearizable (model register, 1 operation checked)"},
		{"violation beats unknown", Checks{Lin: unknownLin, Invariants: []Violation{viol}}, Invalid, "unknown", LivenessSkipped, "election-safety at 5ns: nodes 1 and 2 were both leader of term 2"},
		{"cheap check problem", Checks{Lin: okLin, Problems: []Problem{prob}}, Invalid, "ok", LivenessSkipped, "digest: replicas differ"},
		{"liveness failure", Checks{Lin: okLin, Liveness: failedLive}, Invalid, "ok", LivenessFailed, "liveness: thread 2 stuck"},
		{"churn", Checks{Lin: okLin, Liveness: okLive, Churn: &ChurnResult{Status: LivenessFailed, Reasons: []string{"7 new terms"}}}, Invalid, "ok", LivenessOK, "election-churn: 7 new terms"},
		{"churn skipped", Checks{Lin: okLin, Liveness: okLive, Churn: &ChurnResult{Status: LivenessSkipped, Reasons: []string{"too slow"}}}, Valid, "ok", LivenessOK, ""},
		{"churn garbled", Checks{Lin: okLin, Churn: &ChurnResult{Status: "maybe"}}, Unknown, "ok", LivenessSkipped, `election-churn: unexpected status "maybe"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Combine(c.in)
			assert.Equal(t, c.want, r.Verdict)
			assert.Equal(t, c.lin, r.Linearizability)
			assert.Equal(t, c.live, r.Liveness)
			if c.reason == "" {
				assert.Empty(t, r.Reasons)
			} else {
				assert.Contains(t, r.Reasons, c.reason)
			}
		})
	}
	assert.Equal(t, 0, Valid.ExitCode())
	assert.Equal(t, 1, Invalid.ExitCode())
	assert.Equal(t, 2, Unknown.ExitCode())
}

func TestResultJSON(t *testing.T) {
	r := Combine(Checks{
		Lin:        &LinResult{Result: LinOK},
		Invariants: []Violation{{Invariant: SingleVote, Time: 3, Nodes: []int{2, 3, 4}, Terms: []uint64{5}, Evidence: "e", Count: 1}},
		Stats:      Stats{OK: 3, TraceHash: "00ff", WallTime: time.Millisecond},
	})
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "invalid", m["verdict"])
	assert.Equal(t, "ok", m["linearizability"])
	inv := m["invariants"].([]any)[0].(map[string]any)
	assert.Equal(t, "single-vote", inv["invariant"])
	stats := m["stats"].(map[string]any)
	assert.Equal(t, "00ff", stats["trace_hash"])
	assert.EqualValues(t, 1e6, stats["wall_ns"])
}

func TestHistoryStats(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "write", in: i64(1), start: 0, end: 10},
		call{p: 1, f: "read", out: i64(1), start: 5, end: 35},
		call{p: 0, f: "write", in: i64(2), start: 40, end: 60, typ: info},
		call{p: 1, f: "read", start: 40, end: 41, typ: fail},
		call{p: 1, f: "read", out: i64(1), start: 50, end: 150},
		call{p: 2, f: "cas", in: list(1, 2), start: 160, end: -1},
	)
	s, err := HistoryStats(h)
	require.NoError(t, err)
	assert.Equal(t, []OpCount{
		{F: "cas", Invoked: 1, Pending: 1},
		{F: "read", Invoked: 3, OK: 2, Fail: 1},
		{F: "write", Invoked: 2, OK: 1, Info: 1},
	}, s.Ops)
	assert.Equal(t, 6, s.Invoked)
	assert.Equal(t, 3, s.OK)
	assert.InDelta(t, 3.0/5.0, s.Availability, 1e-9)
	// ok latencies: 10, 30, 100.
	assert.Equal(t, int64(30), s.LatencyP50)
	assert.Equal(t, int64(100), s.LatencyP95)
	assert.Equal(t, int64(100), s.LatencyP99)
	assert.Equal(t, int64(100), s.LatencyMax)

	_, err = HistoryStats(hist(ev(1, 0, ok, "read", "", nil)))
	assert.Error(t, err)
}

func TestPercentile(t *testing.T) {
	xs := make([]int64, 100)
	for i := range xs {
		xs[i] = int64(i + 1)
	}
	assert.Equal(t, int64(50), percentile(xs, 50))
	assert.Equal(t, int64(95), percentile(xs, 95))
	assert.Equal(t, int64(99), percentile(xs, 99))
	assert.Equal(t, int64(7), percentile([]int64{7}, 99))
}

// TestCombineChurn: the churn status is reported only when churn was checked.
func TestCombineChurn(t *testing.T) {
	assert.Empty(t, Combine(Checks{}).Churn)
	r := Combine(Checks{Churn: &ChurnResult{Status: LivenessOK}})
	assert.Equal(t, LivenessOK, r.Churn)
	assert.Equal(t, Valid, r.Verdict)
	b, err := json.Marshal(Combine(Checks{}))
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"churn"`)
}
