package checker

import (
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recoveryRoles: node 1 leads until it crashes at 40; node 2 is elected at 130.
func recoveryRoles(t *testing.T) *RoleTimeline {
	tl := NewRoleTimeline()
	require.NoError(t, tl.Add(0, 1, RoleLeader, 1))
	require.NoError(t, tl.Add(40, 1, RoleCrashed, 1))
	require.NoError(t, tl.Add(120, 2, RoleCandidate, 2))
	require.NoError(t, tl.Add(130, 2, RoleLeader, 2))
	return tl
}

func TestLiveness(t *testing.T) {
	// Two threads; after the heal at 100 thread 0 (process 2 = 0 + 1·2
	// after process 0 crashed) succeeds, thread 1 only fails.
	h := fromCalls(
		call{p: 0, f: "write", in: i64(1), start: 10, end: 20},
		call{p: 0, f: "write", in: i64(2), start: 30, end: 50, typ: info},
		call{p: 1, f: "read", out: i64(1), start: 30, end: 35},
		call{p: 2, f: "read", out: i64(2), start: 140, end: 150},
		call{p: 1, f: "read", start: 140, end: 160, typ: fail},
		call{p: 1, f: "read", start: 170, end: -1},
	)
	cases := []struct {
		name    string
		opts    LivenessOptions
		status  string
		reasons []string
	}{
		{"leader late", LivenessOptions{HealTime: 100, LeaderBound: 20, RecoveryWindow: 100, Threads: 1}, LivenessFailed,
			[]string{"no leader within 20ns of the final heal at 100ns: the first, node 2 of term 2, came at 130ns"}},
		{"thread 1 never recovers", LivenessOptions{HealTime: 100, LeaderBound: 50, RecoveryWindow: 100, Threads: 2}, LivenessFailed,
			[]string{"thread 1 completed no ok operation invoked after the final heal at 100ns by 200ns (after the heal it invoked 2: 0 ok, 1 fail, 0 info, 1 never completed)"}},
		{"window too short", LivenessOptions{HealTime: 100, LeaderBound: 50, RecoveryWindow: 40, Threads: 1}, LivenessFailed,
			[]string{"thread 0 completed no ok operation invoked after the final heal at 100ns by 140ns"}},
		{"recovered", LivenessOptions{HealTime: 100, LeaderBound: 50, RecoveryWindow: 100, Threads: 1}, LivenessOK, nil},
		{"no window", LivenessOptions{HealTime: 100, Threads: 1}, LivenessSkipped, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckLiveness(h, recoveryRoles(t), c.opts)
			require.NoError(t, err)
			assert.Equal(t, c.status, r.Status)
			if c.status == LivenessFailed {
				require.Len(t, r.Reasons, len(c.reasons))
				for i, want := range c.reasons {
					assert.Contains(t, r.Reasons[i], want)
				}
			}
			if c.status != LivenessSkipped {
				assert.True(t, r.LeaderFound)
				assert.Equal(t, 2, r.Leader)
				assert.Equal(t, int64(130), r.LeaderAt)
			}
		})
	}
}

func TestLivenessNoLeader(t *testing.T) {
	tl := NewRoleTimeline()
	require.NoError(t, tl.Add(0, 1, RoleLeader, 1))
	require.NoError(t, tl.Add(40, 1, RoleCrashed, 1))
	r, err := CheckLiveness(nil, tl, LivenessOptions{HealTime: 100, LeaderBound: 10, RecoveryWindow: 10, Threads: 1})
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, r.Status)
	require.Len(t, r.Reasons, 1)
	assert.Contains(t, r.Reasons[0], "no node became leader after the final heal at 100ns")
	assert.Equal(t, []int{0}, r.Idle, "thread 0 invoked nothing: idle, not failed")
}

// A thread paced too slowly to invoke in the window is idle, not failed; a
// thread stuck on an op invoked before the heal is failed, whether the op
// never completes or completes after the window.
func TestLivenessIdleAndStuckThreads(t *testing.T) {
	opts := LivenessOptions{HealTime: 100, LeaderBound: 50, RecoveryWindow: 100, Threads: 3}
	h := fromCalls(
		call{p: 0, f: "read", start: 10, end: 20},  // thread 0: done long before the heal, then idle
		call{p: 1, f: "read", start: 90, end: -1},  // thread 1: stuck from before the heal
		call{p: 2, f: "read", start: 90, end: 250}, // thread 2: completes after the window
	)
	r, err := CheckLiveness(h, recoveryRoles(t), opts)
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, r.Status)
	assert.Equal(t, []int{0}, r.Idle)
	require.Len(t, r.Reasons, 2)
	assert.Contains(t, r.Reasons[0], "thread 1 completed no ok operation")
	assert.Contains(t, r.Reasons[1], "thread 2 completed no ok operation")

	// An op invoked after the window is no evidence: the thread was idle in
	// it. With every thread idle, client recovery is untested: skipped, and
	// said so, never ok.
	h = fromCalls(call{p: 0, f: "read", start: 260, end: 270})
	r, err = CheckLiveness(h, recoveryRoles(t), LivenessOptions{HealTime: 100, LeaderBound: 50, RecoveryWindow: 100, Threads: 1})
	require.NoError(t, err)
	assert.Equal(t, LivenessSkipped, r.Status)
	assert.Equal(t, []int{0}, r.Idle)
	require.Len(t, r.Reasons, 1)
	assert.Contains(t, r.Reasons[0], "client recovery untested")
}

func TestLivenessBadInput(t *testing.T) {
	tl := recoveryRoles(t)
	good := LivenessOptions{HealTime: 100, LeaderBound: 10, RecoveryWindow: 10, Threads: 1}
	cases := []struct {
		name  string
		h     histories.History
		roles *RoleTimeline
		opts  func(*LivenessOptions)
		want  string
	}{
		{"threads", nil, tl, func(o *LivenessOptions) { o.Threads = 0 }, "Threads 0"},
		{"window", nil, tl, func(o *LivenessOptions) { o.RecoveryWindow = -1 }, "RecoveryWindow -1"},
		{"bound", nil, tl, func(o *LivenessOptions) { o.LeaderBound = -1 }, "LeaderBound -1"},
		{"roles", nil, nil, func(*LivenessOptions) {}, "no role timeline"},
		{"no times", hist(ev(0, 0, histories.Invoke, "read", "", nil)), tl, func(*LivenessOptions) {}, "carries no times"},
		{"bad history", hist(ev(5, 0, ok, "read", "", nil)), tl, func(*LivenessOptions) {}, "op 0: ok completion"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := good
			c.opts(&o)
			_, err := CheckLiveness(c.h, c.roles, o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// With roles unobservable (live mode, nodes that report none) the leader
// part is skipped, and said so; the client part still decides.
func TestLivenessLeaderUnobservable(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "read", start: 110, end: 120},
		call{p: 1, f: "read", start: 110, end: 120, typ: fail},
	)
	opts := LivenessOptions{HealTime: 100, LeaderBound: 10, RecoveryWindow: 100, Threads: 1, LeaderUnobservable: "no roles reported"}
	r, err := CheckLiveness(h, NewRoleTimeline(), opts)
	require.NoError(t, err)
	assert.Equal(t, LivenessOK, r.Status, "no leader is seen, but none is looked for: %v", r.Reasons)
	assert.Equal(t, "no roles reported", r.LeaderSkipped)
	assert.False(t, r.LeaderFound)

	opts.Threads = 2
	r, err = CheckLiveness(h, NewRoleTimeline(), opts)
	require.NoError(t, err)
	assert.Equal(t, LivenessFailed, r.Status, "thread 1 only failed: the client part fails alone")
	require.Len(t, r.Reasons, 1)
	assert.Contains(t, r.Reasons[0], "thread 1 completed no ok operation")
}
