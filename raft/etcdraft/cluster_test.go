package etcdraft_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// TestServesClients: without faults a cluster on etcd's Raft elects one
// leader and serves puts, appends, gets and cas in every read mode; the
// history is linearizable and every reply is ok (or a cas mismatch).
func TestServesClients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nodes    int
		mode     kvstore.ReadMode
		workload string
	}{
		{"single node", 1, kvstore.ReadIndex, clients.KV},
		{"3 nodes readindex kv", 3, kvstore.ReadIndex, clients.KV},
		{"3 nodes log register", 3, kvstore.ReadLog, clients.Register},
		{"5 nodes lease append", 5, kvstore.ReadLease, clients.Append},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, opts{seed: 1, nodes: tc.nodes, readMode: tc.mode, workload: tc.workload})
			lead := c.waitLeader()
			c.startClients()
			c.run(2 * sim.Second)
			c.stopClients()
			c.checkSafe()
			assert.Equal(t, lead, c.leader(), "no faults, no leader change")
			assert.Len(t, c.obs.leaderTerms, 1)
			ok := c.okOps()
			total := 0
			for _, n := range ok {
				total += n
			}
			assert.Greater(t, total, 500, "ops ok: %v", ok)
			for _, op := range c.rec.History() {
				if op.Type != 1 && op.Error != "" {
					require.Equal(t, "cas-mismatch", op.Error, "op %+v", op)
				}
			}
			c.runUntil(sim.Second, "replicas to converge", c.converged)
		})
	}
}

// faults schedules, from now: a crash and restart every 250 ms on a rotating
// node (6 of them), a minority/majority partition at 1.9 s healed at 2.3 s,
// and a crash of every node at 2.5 s.
func (c *cluster) faults() {
	n := len(c.ids)
	for k := range 6 {
		victim := c.ids[k%n]
		c.w.After(sim.Time(300+250*k)*sim.Millisecond, func() { c.w.Host(victim).Restart(150 * sim.Millisecond) })
	}
	minority, majority := c.ids[:(n-1)/2], c.ids[(n-1)/2:]
	c.w.After(1900*sim.Millisecond, func() { require.NoError(c.t, c.w.Net().Partition(minority, majority)) })
	c.w.After(2300*sim.Millisecond, func() { c.w.Net().Heal() })
	c.w.After(2500*sim.Millisecond, func() {
		for _, id := range c.ids {
			c.w.Host(id).Restart(50 * sim.Millisecond)
		}
	})
}

// TestSurvivesFaults: crashes (losing unsynced writes, keeping a prefix,
// tearing the last write), restarts from disk, a partition that heals, a
// lossy duplicating reordering network and frequent snapshots: the history
// stays linearizable, no invariant breaks, every node restarts from its
// disk, and afterwards the cluster converges and serves again.
func TestSurvivesFaults(t *testing.T) {
	net := sim.NetConfig{Loss: 0.02, Duplicate: 0.05, Reorder: 0.05}
	for _, tc := range []struct {
		name  string
		nodes int
		crash sim.CrashMode
		mode  kvstore.ReadMode
		seed  uint64
	}{
		{"3 nodes lose-unsynced readindex", 3, sim.LoseUnsynced, kvstore.ReadIndex, 11},
		{"5 nodes keep-prefix log", 5, sim.KeepPrefix, kvstore.ReadLog, 12},
		{"5 nodes tear-last readindex", 5, sim.TearLast, kvstore.ReadIndex, 13},
		{"3 nodes lose-unsynced lease", 3, sim.LoseUnsynced, kvstore.ReadLease, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, opts{seed: tc.seed, nodes: tc.nodes, crash: tc.crash, readMode: tc.mode,
				snapEvery: 20, net: net, workload: clients.Append})
			c.waitLeader()
			c.startClients()
			c.faults()
			c.run(3 * sim.Second)
			c.runUntil(10*sim.Second, "every node up", func() bool {
				for _, id := range c.ids {
					if c.server(id) == nil {
						return false
					}
				}
				return true
			})
			c.run(sim.Second) // clients keep going after the faults
			c.stopClients()
			c.checkSafe()
			assert.GreaterOrEqual(t, c.obs.restarts, 6+tc.nodes, "every crash was followed by a recovery from disk")
			if tc.crash == sim.LoseUnsynced {
				assert.Positive(t, c.obs.lostWrites, "some node restarted without writes it had not synced")
			}
			assert.Positive(t, c.obs.compacted, "snapshots were taken")
			assert.Greater(t, c.okOps()["append"], 100)
			c.runUntil(10*sim.Second, "replicas to converge", c.converged)
		})
	}
}
