package kvstore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft"
)

// invCommitObserver forwards a server's commit reports to the online
// invariant checker, as the run's observer does.
type invCommitObserver struct {
	nopObserver
	inv     *checker.Invariants
	now     *int64
	commits []uint64
}

func (o *invCommitObserver) CommitAdvanced(node uint64, commit uint64) {
	o.commits = append(o.commits, commit)
	o.inv.Commit(*o.now, int(node), commit)
}

// TestCommitFallReachesChecker: a commit index that falls must reach the
// observer, or monotonic-commit can never fire. The fall is planted where
// raft hands it over — a Ready's hard state — and taken through the server's
// own Ready path; the checker, fed what the server reports, flags it.
func TestCommitFallReachesChecker(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 3, seed: 7})
	l := c.waitLeader()
	c.waitConverged()
	s := c.hosts[l].srv
	c.runUntil(1000*ms, "the leader between Readies", func() bool { return !s.inReady })
	high := s.commit
	require.NotZero(t, high, "the leader's no-op is committed")

	inv := checker.NewInvariants()
	es := make([]checker.Entry, high)
	for i := range es {
		es[i] = checker.Entry{Index: uint64(i + 1), Term: s.term}
	}
	inv.Append(c.now, l, es)
	inv.Commit(c.now, l, high)
	obs := &invCommitObserver{inv: inv, now: &c.now}
	s.obs = obs

	s.rd = raft.Ready{HardState: raft.HardState{Term: s.term, Vote: s.hardState.Vote, Commit: high - 1}}
	s.takeReady()
	require.Equal(t, []uint64{high - 1}, obs.commits, "the fall is reported")
	require.True(t, inv.Violated(checker.MonotonicCommit), "%v", inv.Violations())
}
