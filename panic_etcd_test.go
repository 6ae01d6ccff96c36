package raftcheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// etcdLostLogConfig is a run in which etcd's own assertion catches the
// damage of the ack-before-fsync host bug: a follower crashed and lost
// entries it had acknowledged, and the leader's commit index then passes the
// end of its log ("tocommit(32) is out of range [lastIndex(31)]").
func etcdLostLogConfig() Config {
	cfg := DefaultConfig()
	cfg.Raft, cfg.Seed, cfg.Store = "etcd", 1, ""
	cfg.Bugs = []BugName{"ack-before-fsync"}
	cfg.Nodes, cfg.Workload = 3, "append"
	cfg.Nemesis, cfg.NemesisInterval = []Fault{"crash-random"}, millis(300)
	cfg.MessageDropRate, cfg.MessageDupRate = 0.05, 0.1
	cfg.MaxTime, cfg.RecoveryTime = Duration(10*time.Second), Duration(5*time.Second)
	return cfg
}

// TestEtcdAssertionIsAFinding: etcd panicking on its own assertion is an
// invalid verdict with the finding "panic" (node, term, etcd's message,
// seed), which catches the planted bug; the history up to the panic is
// checked; the run reproduces.
func TestEtcdAssertionIsAFinding(t *testing.T) {
	cfg := etcdLostLogConfig()
	res, err := Run(cfg)
	require.NoError(t, err, "etcd's assertion is a finding, not raftcheck's failure")
	assert.Equal(t, Invalid, res.Verdict)
	assert.Contains(t, Findings(res), FindPanic)
	require.NotEmpty(t, res.Problems)
	p := res.Problems[0]
	assert.Equal(t, FindPanic, p.Check)
	assert.Equal(t, []int{2}, p.Nodes)
	assert.Contains(t, p.Detail, "node 2 (term 3) panicked at 3.359831732s (seed 1)")
	assert.Contains(t, p.Detail, "tocommit(32) is out of range [lastIndex(31)]. Was the raft log corrupted, truncated, or lost?")
	assert.Equal(t, "ok", res.Linearizability, "the history up to the panic was checked")
	assert.Equal(t, "skipped", res.Liveness)
	assert.Positive(t, res.Stats.Ops.OK)

	b, ok := LookupBug("ack-before-fsync")
	require.True(t, ok)
	assert.Equal(t, []string{FindPanic}, b.Caught(res))

	again, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, res.TraceHash, again.TraceHash)

	cfg.Bugs = nil
	clean, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, Valid, clean.Verdict, "without the bug: %v", clean.Reasons)
}
