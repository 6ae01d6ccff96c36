package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sec = int64(1_000_000_000)

// elections builds a 3-node timeline: node 1 leads term 1 from time 0; then
// one election per entry of at (a candidate and, a few ms later, a leader,
// in the next term, rotating among the nodes).
func elections(at ...int64) *RoleTimeline {
	tl := NewRoleTimeline()
	for n := 1; n <= 3; n++ {
		role := RoleFollower
		if n == 1 {
			role = RoleLeader
		}
		_ = tl.Add(0, n, role, 1)
	}
	term := uint64(1)
	for k, t := range at {
		term++
		n := 1 + (k+1)%3
		_ = tl.Add(t, n, RoleCandidate, term)
		_ = tl.Add(t+5_000_000, n, RoleLeader, term)
		for m := 1; m <= 3; m++ {
			if m != n {
				_ = tl.Add(t+5_000_000, m, RoleFollower, term)
			}
		}
	}
	return tl
}

// every is n times spaced d apart from start.
func every(start, d int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = start + int64(i)*d
	}
	return out
}

// TestChurn: an election every 1.5 timeouts in a fault-free stretch is
// churn (the signature of missing heartbeats); the same elections while a
// fault is active, or within the settle time after it, are not; a stable
// leader never is.
func TestChurn(t *testing.T) {
	churny := every(20*sec, 3*sec/2, 10) // 20 s .. 33.5 s, timeout 1 s
	for _, tc := range []struct {
		name   string
		at     []int64
		faults []FaultSpan
		want   string
		terms  int
	}{
		{"stable leader", nil, nil, LivenessOK, 0},
		{"one election after a quiet start", []int64{30 * sec}, nil, LivenessOK, 1},
		{"churn in a fault-free stretch", churny, nil, LivenessFailed, 7},
		{"the same churn during a fault", churny, []FaultSpan{{Start: 19 * sec, End: 34 * sec}}, LivenessOK, 0},
		{"a fault that never ended", churny, []FaultSpan{{Start: 19 * sec, End: -1}}, LivenessOK, 0},
		{"nothing left to examine", churny, []FaultSpan{{Start: 2 * sec, End: -1}}, LivenessSkipped, 0},
		// Within the settle time (5 s) after the fault: only what follows
		// counts — 29 s .. 33.5 s, four leaders, one more than allowed.
		{"churn settling after a fault", churny, []FaultSpan{{Start: 10 * sec, End: 24 * sec}}, LivenessFailed, 4},
		{"less churn settling after a fault", churny, []FaultSpan{{Start: 10 * sec, End: 27 * sec}}, LivenessOK, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := CheckChurn(elections(tc.at...), ChurnOptions{ElectionTimeout: sec, Start: sec, End: 40 * sec, Faults: tc.faults})
			require.NoError(t, err)
			assert.Equal(t, tc.want, r.Status, r.Reasons)
			assert.Equal(t, tc.terms, r.MaxTerms)
			assert.Equal(t, 10*sec, r.Window)
			assert.Equal(t, DefaultChurnMaxTerms, r.TermLimit)
			assert.Equal(t, DefaultChurnMaxLeaders, r.LeaderLimit)
			assert.Equal(t, r.MaxTerms, r.MaxLeaders, "every election in the fixture elects a leader")
			if tc.want == LivenessFailed {
				require.Len(t, r.Reasons, 1)
				assert.Contains(t, r.Reasons[0], "leaders elected within 10s")
				assert.Contains(t, r.Reasons[0], "leader term")
				require.NotEmpty(t, r.Changes)
				assert.Equal(t, r.WindowStart, r.Changes[0].Time)
			}
		})
	}
}

// TestChurnEvidence: the worst window's term rises and leaders are listed in
// time order, each election as its candidate and then its leader.
func TestChurnEvidence(t *testing.T) {
	r, err := CheckChurn(elections(every(10*sec, sec, 4)...), ChurnOptions{ElectionTimeout: sec, Start: 0, End: 20 * sec, MaxTerms: 3})
	require.NoError(t, err)
	require.Equal(t, LivenessFailed, r.Status)
	assert.Equal(t, 4, r.MaxTerms)
	want := []TermChange{
		{10 * sec, 2, RoleCandidate, 2}, {10*sec + 5_000_000, 2, RoleLeader, 2},
		{11 * sec, 3, RoleCandidate, 3}, {11*sec + 5_000_000, 3, RoleLeader, 3},
		{12 * sec, 1, RoleCandidate, 4}, {12*sec + 5_000_000, 1, RoleLeader, 4},
		{13 * sec, 2, RoleCandidate, 5}, {13*sec + 5_000_000, 2, RoleLeader, 5},
	}
	assert.Equal(t, want, r.Changes)
	assert.Contains(t, r.Reasons[0], "4 new terms and 4 leaders elected within 10s from 10s with no fault active (at most 3 new terms and 3 leaders allowed per 10s): 10s node 2 candidate term 2;")
}

// TestChurnThresholdScales: the limits are in election timeouts, so
// elections 15 s apart are no churn for a 1 s timeout (one per window) and
// churn for a 10 s one (five in its 100 s window).
func TestChurnThresholdScales(t *testing.T) {
	at := every(60*sec, 15*sec, 5)
	fast, err := CheckChurn(elections(at...), ChurnOptions{ElectionTimeout: sec, End: 200 * sec})
	require.NoError(t, err)
	assert.Equal(t, LivenessOK, fast.Status)
	assert.Equal(t, 1, fast.MaxTerms)
	slow, err := CheckChurn(elections(at...), ChurnOptions{ElectionTimeout: 10 * sec, End: 200 * sec})
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, slow.Status)
	assert.Equal(t, 5, slow.MaxTerms)
	assert.Equal(t, 5, slow.MaxLeaders)
	assert.Equal(t, 100*sec, slow.Window)
}

// TestChurnTimingRequirement: a configuration whose election timeout is
// not well above the broadcast time is not examined (it churns however
// correct the implementation is), and says why.
func TestChurnTimingRequirement(t *testing.T) {
	tl := elections(every(10*sec, sec, 8)...)
	r, err := CheckChurn(tl, ChurnOptions{ElectionTimeout: sec, End: 30 * sec, BroadcastTime: sec / 4})
	require.NoError(t, err)
	assert.Equal(t, LivenessSkipped, r.Status)
	assert.Contains(t, r.Reasons[0], "broadcastTime ≪ electionTimeout")
	r, err = CheckChurn(tl, ChurnOptions{ElectionTimeout: sec, End: 30 * sec, BroadcastTime: sec / 5})
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, r.Status, "5 broadcast times per timeout is enough")
}

// TestChurnIgnoresCrashesAndOldTerms: a restarted node coming back in an
// old term, and a follower learning a term already reached, are no rises.
func TestChurnIgnoresCrashesAndOldTerms(t *testing.T) {
	tl := elections()
	for k := int64(0); k < 10; k++ {
		at := 10*sec + k*sec
		require.NoError(t, tl.Add(at, 3, RoleCrashed, 1))
		require.NoError(t, tl.Add(at+sec/2, 3, RoleFollower, 1))
	}
	r, err := CheckChurn(tl, ChurnOptions{ElectionTimeout: sec, End: 30 * sec})
	require.NoError(t, err)
	assert.Equal(t, LivenessOK, r.Status)
	assert.Zero(t, r.MaxTerms)
}

func TestChurnBadOptions(t *testing.T) {
	tl := elections()
	for _, tc := range []struct {
		name string
		opts ChurnOptions
		want string
	}{
		{"no timeout", ChurnOptions{End: sec}, "ElectionTimeout"},
		{"end before start", ChurnOptions{ElectionTimeout: sec, Start: 2 * sec, End: sec}, "before Start"},
		{"negative", ChurnOptions{ElectionTimeout: sec, End: sec, MaxTerms: -1}, "negative"},
		{"fault ends before it starts", ChurnOptions{ElectionTimeout: sec, End: sec, Faults: []FaultSpan{{Start: 5, End: 4}}}, "fault 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckChurn(tl, tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := CheckChurn(nil, ChurnOptions{ElectionTimeout: sec, End: sec})
	assert.Error(t, err)
}

// splitVotes is a 3-node timeline in which node 1 leads term 1 from time 0,
// then candidates raise the term at each time of at, and a leader is elected
// only at the times of won.
func splitVotes(at, won []int64) *RoleTimeline {
	tl := NewRoleTimeline()
	_ = tl.Add(0, 1, RoleLeader, 1)
	term := uint64(1)
	k := 0
	for i, t := range at {
		term++
		n := 1 + i%3
		_ = tl.Add(t, n, RoleCandidate, term)
		if k < len(won) && won[k] == t {
			_ = tl.Add(t+1000, n, RoleLeader, term)
			k++
		}
	}
	return tl
}

// TestChurnSignatures: split votes that go on (timeouts not randomized)
// break the term limit with no leader elected at all; a server rejoining
// without PreVote deposes the leader once and a short split vote follows
// (three new terms, one leader: allowed).
func TestChurnSignatures(t *testing.T) {
	opts := ChurnOptions{ElectionTimeout: sec, End: 60 * sec}
	r, err := CheckChurn(splitVotes(every(20*sec, 1500*1_000_000, 6), nil), opts)
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, r.Status)
	assert.Equal(t, 6, r.MaxTerms)
	assert.Zero(t, r.MaxLeaders)
	assert.Contains(t, r.Reasons[0], "6 new terms and 0 leaders elected")

	disrupt := []int64{20 * sec, 20*sec + sec/5, 20*sec + 2*sec/5}
	r, err = CheckChurn(splitVotes(disrupt, disrupt[2:]), opts)
	require.NoError(t, err)
	assert.Equal(t, LivenessOK, r.Status)
	assert.Equal(t, 3, r.MaxTerms)
	assert.Equal(t, 1, r.MaxLeaders)
}
