package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneVoterCommitsOnlyDurableEntries: a one-voter leader commits an entry
// once its own copy is durable (the Advance after the Ready that persists
// it), never on append: a crash before the sync would otherwise lose an
// entry the node had committed. Found by shrinking a swarm failure to one
// node (leader-completeness on the correct build).
func TestOneVoterCommitsOnlyDurableEntries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		persist bool // the host finishes the Ready (persists and advances)
		want    string
	}{
		{"not yet persisted", false, "uncommitted"},
		{"persisted", true, "committed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t, 1, []uint64{1})
			for i := 0; i < 1000 && n.role != Leader; i++ {
				n.Tick()
			}
			require.Equal(t, Leader, n.role, "a lone voter elects itself")
			for i := 0; i < 4 && n.HasReady(); i++ { // persist the election and the no-op
				n.Ready()
				n.Advance()
			}
			idx, _, err := n.Propose([]byte("x"))
			require.NoError(t, err)
			if tc.persist {
				for i := 0; i < 4 && n.HasReady(); i++ {
					n.Ready()
					n.Advance()
				}
			}
			got := "uncommitted"
			if n.log.committed >= idx {
				got = "committed"
			}
			assert.Equal(t, tc.want, got, "commit index %d, entry %d, durable up to %d", n.log.committed, idx, n.log.stabled)
			assert.LessOrEqual(t, n.log.committed, n.log.stabled, "a one-voter cluster commits only what it holds on disk")
		})
	}
}
