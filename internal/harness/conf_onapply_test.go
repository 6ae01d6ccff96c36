package harness

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/impls"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/etcdraft"
)

// earlyConf is a mutation of an on-apply implementation: it reports (in
// Status().Voters) every configuration change as soon as a Ready appends
// it, while its registry entry still declares on-apply semantics — a node
// that counts votes with a configuration its cluster has not committed.
type earlyConf struct {
	raft.Consensus
	voters []uint64 // nil until the first change is appended
}

func (n *earlyConf) Ready() raft.Ready {
	rd := n.Consensus.Ready()
	for _, e := range rd.Entries {
		if e.Type != raft.EntryConfChange {
			continue
		}
		cc, err := raft.UnmarshalConfChange(e.Data)
		if err != nil {
			continue
		}
		if n.voters == nil {
			n.voters = n.Consensus.Status().Voters
		}
		i, found := slices.BinarySearch(n.voters, cc.NodeID)
		switch {
		case cc.Type == raft.AddNode && !found:
			n.voters = slices.Insert(slices.Clone(n.voters), i, cc.NodeID)
		case cc.Type == raft.RemoveNode && found:
			n.voters = slices.Delete(slices.Clone(n.voters), i, i+1)
		}
	}
	return rd
}

func (n *earlyConf) Status() raft.Status {
	st := n.Consensus.Status()
	if n.voters != nil {
		st.Voters = slices.Clone(n.voters)
	}
	return st
}

// onApplyRun is a membership-churning run on etcd's raft (on-apply
// semantics), through factory.
func onApplyRun(seed uint64, factory raft.Factory) options.Options {
	o := quick(seed)
	o.Raft = impls.Impl{Name: "etcd", Factory: factory, Conf: checker.ConfOnApply}
	o.MaxTime = 15 * time.Second
	o.Nemesis.Faults = []string{"member-churn", "partition-isolate-leader", "crash-leader"}
	o.Nemesis.Interval = int64(time.Second)
	return o
}

// TestConfOnApplyWiring: under on-apply semantics a node's voters are
// checked when its commit index moves: etcd itself passes, and the mutation
// that adopts changes on append is configuration divergence.
func TestConfOnApplyWiring(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		_, out := execute(t, onApplyRun(seed, etcdraft.New))
		assert.Equal(t, checker.Valid, out.Checked.Verdict, "etcd, seed %d: %v", seed, out.Checked.Reasons)
	}
	mutant := func(cfg raft.Config, p raft.Persisted) (raft.Consensus, error) {
		n, err := etcdraft.New(cfg, p)
		if err != nil {
			return nil, err
		}
		return &earlyConf{Consensus: n}, nil
	}
	caught := false
	for _, seed := range []uint64{1, 2} {
		_, out := execute(t, onApplyRun(seed, mutant))
		for _, v := range out.Checked.Invariants {
			if v.Invariant == checker.ConfDivergence {
				caught = true
				assert.Contains(t, v.Evidence, "(semantics on-apply)")
			}
		}
	}
	require.True(t, caught, "adopting configurations on append, declared on apply, is divergence")
}
