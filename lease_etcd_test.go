package raftcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEtcdLeaseStaleUnderPartition: etcd's lease reads go stale under a
// plain partition, with no clock fault (etcd-io/raft#166): the verdict is
// invalid and names the known hazard. The same schedule is linearizable with
// ReadIndex reads on etcd, and with the built-in's lease.
func TestEtcdLeaseStaleUnderPartition(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Raft, cfg.Seed, cfg.Store = "etcd", 1, ""
	cfg.ReadMode = "lease"
	cfg.Nemesis = []Fault{"partition-isolate-leader"}
	cfg.MaxTime = Duration(20 * time.Second)
	res, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, Invalid, res.Verdict)
	assert.Equal(t, "illegal", res.Linearizability)
	assert.Empty(t, res.Invariants, "Raft's own invariants hold: only the reads are stale")
	hazard := ""
	for _, r := range res.Reasons {
		if strings.HasPrefix(r, "lease hazard: ") {
			hazard = r
		}
	}
	assert.Contains(t, hazard, "etcd-io/raft#166")
	assert.Contains(t, hazard, "--raft etcd")

	for _, c := range []struct {
		raft string
		mode ReadMode
	}{{"etcd", "readindex"}, {"builtin", "lease"}} {
		cfg.Raft, cfg.ReadMode = c.raft, c.mode
		res, err := Run(cfg)
		require.NoError(t, err)
		assert.Equal(t, Valid, res.Verdict, "%s %s: %v", c.raft, c.mode, res.Reasons)
	}
}
