package kvstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
)

// TestPersistenceBugsEditWhatIsWritten: the host's persistence bugs change
// only what reaches the disk. A leader elected after boot (term > 1, its
// vote for itself synced) restarts with exactly that hard state on a correct
// server; with NoPersistVote it comes back with no vote in its term, and with
// NoPersistTerm in its boot term (1) — what lets it vote again (the system
// tests show the checkers catch both).
func TestPersistenceBugsEditWhatIsWritten(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bugs     Bugs
		keepTerm bool // the recovered term is the one it led
		keepVote bool // the recovered vote is for itself
	}{
		{"correct", Bugs{}, true, true},
		{"NoPersistVote", Bugs{NoPersistVote: true}, true, false},
		{"NoPersistTerm", Bugs{NoPersistTerm: true}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := newRecObserver(t)
			obs.allowAnomaly, obs.allowViolations = true, true
			c := newCluster(t, clusterOpts{n: 3, seed: 5, bugs: tc.bugs, observer: obs})
			leader := c.waitLeader()
			term := c.hosts[leader].srv.term
			require.Greater(t, term, uint64(1), "bootstrap is term 1: the leader was elected after it")
			c.runFor(100 * ms) // every write of the election synced
			c.crash(leader, loseUnsynced)
			c.restart(leader)
			recs := obs.recovered[uint64(leader)]
			require.Len(t, recs, 2, "the first boot and the restart")
			hs := recs[1].hs
			if tc.keepTerm {
				assert.Equal(t, term, hs.Term)
			} else {
				assert.Equal(t, uint64(1), hs.Term, "the boot term, not %d", term)
			}
			if tc.keepVote {
				assert.Equal(t, uint64(leader), hs.Vote)
			} else {
				assert.Equal(t, raft.None, hs.Vote)
			}
		})
	}
}
