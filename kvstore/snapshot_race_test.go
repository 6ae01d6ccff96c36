package kvstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
)

// TestCompactionSkipsSnapshotReceivedDuringSync: a leader's snapshot that
// arrives while the host waits on a sync is already the node's (the built-in
// restores its log inside Step; etcd keeps it unstable) but reaches the host
// only in the next Ready. The host must not then compact below it: the
// Ready it was finishing crossed its SnapshotEvery threshold at applied index
// 15, while the node's snapshot is at 20, so Compact(15) is refused
// (raft.ErrCompacted) and would have been reported as an anomaly. Found by
// the etcd adapter's chaos harness run on the built-in (seed 344: "compact at
// applied index 40: index already compacted ... snapshot 59").
func TestCompactionSkipsSnapshotReceivedDuringSync(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 3, seed: 7, snapshotEvery: 10})
	// Node 3 hears only from the test, which plays leader 1 in term 2.
	for id := 1; id <= 3; id++ {
		c.isolate(id)
	}
	f := c.hosts[3]
	c.runFor(ms) // boot: each node persisted its bootstrap configuration (entries 1..3, term 1)
	require.Equal(t, uint64(3), f.srv.Status().LastIndex)

	f.holdSyncs = true
	ents := make([]raft.Entry, 12) // entries 4..15, empty normal entries (no-ops to the state machine)
	for i := range ents {
		ents[i] = raft.Entry{Index: uint64(4 + i), Term: 2, Type: raft.EntryNormal}
	}
	f.proc.Receive(1, &raft.Message{Type: raft.MsgApp, From: 1, To: 3, Term: 2, Index: 3, LogTerm: 1, Entries: ents, Commit: 15})
	c.runFor(ms)
	require.NotEmpty(t, f.held, "node 3 waits on the sync of the Ready that commits 4..15")
	require.Equal(t, uint64(3), f.srv.Applied(), "4..15 are not applied before the sync")

	img := newMachine(f.cfg.MaxSessions, false)
	applyReq(t, img, 16, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "from the snapshot"})
	snap := &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 20, Term: 2, ConfState: raft.ConfState{Voters: []uint64{1, 2, 3}}}, Data: img.encode()}
	f.proc.Receive(1, &raft.Message{Type: raft.MsgSnap, From: 1, To: 3, Term: 2, Snapshot: snap})

	c.releaseSyncs(3)
	c.runFor(10 * ms)
	assert.Empty(t, c.obs.anomalies)
	assert.Equal(t, uint64(20), f.srv.Applied(), "the next Ready installed the leader's snapshot")
	v, ok := c.serverValue(3, "k")
	assert.True(t, ok)
	assert.Equal(t, "from the snapshot", v)
	assert.Equal(t, 0, f.srv.LogSize(), "the log starts after the installed snapshot")
}
