package kvstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOperatorCompaction: Compact snapshots at the applied index whatever
// SnapshotEvery says (also with snapshots off), the snapshot survives a
// crash once a later write's sync made it durable, and a second call with
// nothing new applied takes none.
func TestOperatorCompaction(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every uint64
	}{
		{"snapshots off", 0},
		{"rare snapshots", 100_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, clusterOpts{n: 3, seed: 21, snapshotEvery: tc.every})
			c.waitLeader()
			cl := c.addClient(1, kvOps(1, 20, 3))
			c.runClients(30_000*ms, cl)
			c.waitConverged()
			s := c.hosts[2].srv
			require.Zero(t, s.Stats().SnapshotsTaken, "the run took snapshots of its own: the test shows nothing")
			applied := s.Applied()
			require.True(t, s.Compact(), "no snapshot at applied index %d", applied)
			assert.Equal(t, 1, int(s.Stats().SnapshotsTaken))
			assert.Zero(t, s.LogSize(), "the log still holds entries the snapshot covers")
			assert.False(t, s.Compact(), "a second snapshot with nothing new applied")
			// The snapshot is durable after the next sync: the next write's.
			more := c.addClient(2, kvOps(2, 3, 3))
			c.runClients(30_000*ms, more)
			c.waitConverged()
			want := s.Digest()
			c.crash(2, loseUnsynced)
			c.restart(2)
			rec := c.obs.recovered[2]
			require.NotEmpty(t, rec)
			assert.Equal(t, applied, rec[len(rec)-1].snapIndex, "the snapshot was not durable")
			c.waitConverged()
			assert.Equal(t, want, c.hosts[2].srv.Digest(), "the state machine did not come back from the snapshot and the log after it")
		})
	}
}
