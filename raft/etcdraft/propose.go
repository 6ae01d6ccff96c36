package etcdraft

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/raft"
)

// Tick advances etcd's logical clock by one tick.
func (n *Node) Tick() {
	defer n.exit(n.enter())
	n.rn.Tick()
}

// Step hands etcd a message a peer's Ready sent. The payload is copied first
// (cloneMessage): the network may deliver one message twice, and etcd keeps
// (and may edit) what it is given, where a real network would hand it a
// fresh copy.
func (n *Node) Step(m raft.Message) error {
	pm, ok := m.Payload.(*pb.Message)
	if !ok || pm == nil {
		return n.fail(raft.ErrBadMessage, m.From, "the message carries no etcd payload (is every node running etcd's Raft?)")
	}
	if pm.GetTo() != n.id {
		return n.fail(raft.ErrBadMessage, m.From, "the message is addressed to node "+strconv.FormatUint(pm.GetTo(), 10))
	}
	defer n.exit(n.enter())
	err := n.stepError(n.rn.Step(cloneMessage(pm)), pm.GetFrom())
	if lerr := n.takeLogError(pm.GetFrom()); err == nil {
		err = lerr
	}
	return err
}

// Propose appends data to the log on the leader and returns where it went.
//
// etcd's RawNode does not say where a proposal lands (it clones the entry
// before numbering it), so the adapter keeps count: the log ended at n.last
// as of the latest Ready, and each proposal taken since adds one entry. That
// count is exact only while the node leads in the term its latest Ready
// showed: proposals are taken only then (a node that leads a newer term has
// not handed that out yet, and cannot have: winning an election needs the
// votes its earlier Ready sent). The next Ready checks every reported
// placement against the entries etcd hands out (verifyPlaced).
func (n *Node) Propose(data []byte) (index, term uint64, err error) {
	if n.leadTerm == 0 {
		return 0, 0, n.fail(raft.ErrNotLeader, raft.None, "")
	}
	defer n.exit(n.enter())
	if err := n.rn.Propose(data); err != nil {
		return 0, 0, n.refused(err)
	}
	return n.place(false, data), n.leadTerm, nil
}

// ProposeConfChange proposes a single-server change as a simple ConfChangeV2.
// etcd quietly turns a change it will not take into an empty entry; the
// adapter refuses those first, with the boundary's errors: a change while
// one is unapplied (ErrConfChangePending; etcd also holds changes until a
// new leader has applied its whole inherited log), one that adds a voter or
// removes a non-voter, names node 0 or leaves no voter (ErrInvalidConfChange).
func (n *Node) ProposeConfChange(cc raft.ConfChange) (index, term uint64, err error) {
	if n.leadTerm == 0 {
		return 0, 0, n.fail(raft.ErrNotLeader, raft.None, "")
	}
	if n.pendingConf > n.applied {
		return 0, 0, n.fail(raft.ErrConfChangePending, raft.None,
			"a configuration change may be unapplied up to index "+strconv.FormatUint(n.pendingConf, 10)+" (applied "+strconv.FormatUint(n.applied, 10)+")")
	}
	if why := invalidChange(n.voters, cc); why != "" {
		return 0, 0, n.fail(raft.ErrInvalidConfChange, raft.None, why)
	}
	defer n.exit(n.enter())
	data, merr := proto.Marshal(confChangeV2(cc))
	if merr != nil {
		n.bug("encoding configuration change %+v: %v", cc, merr)
	}
	if err := n.rn.ProposeConfChange(confChangeV2(cc)); err != nil {
		return 0, 0, n.refused(err)
	}
	index = n.place(true, data)
	n.pendingConf = index
	return index, n.leadTerm, nil
}

// invalidChange says why cc cannot apply to voters, "" if it can.
func invalidChange(voters []uint64, cc raft.ConfChange) string {
	_, isVoter := slices.BinarySearch(voters, cc.NodeID)
	switch {
	case cc.NodeID == raft.None:
		return "node 0"
	case cc.Type == raft.AddNode && isVoter:
		return "node " + strconv.FormatUint(cc.NodeID, 10) + " is already a voter"
	case cc.Type == raft.RemoveNode && !isVoter:
		return "node " + strconv.FormatUint(cc.NodeID, 10) + " is not a voter"
	case cc.Type == raft.RemoveNode && len(voters) == 1:
		return "it would leave no voter"
	case cc.Type != raft.AddNode && cc.Type != raft.RemoveNode:
		return "unknown change type " + strconv.Itoa(int(cc.Type))
	}
	return ""
}

// place records the entry a taken proposal became and returns its index.
func (n *Node) place(conf bool, data []byte) uint64 {
	n.last++
	n.placed = append(n.placed, placement{index: n.last, term: n.leadTerm, conf: conf, size: len(data), sum: fnv64a(data)})
	return n.last
}

// refused maps a proposal etcd dropped: a node that no longer leads says
// so; a leader refuses for now (a leadership transfer is in progress).
func (n *Node) refused(err error) error {
	if !errors.Is(err, etcd.ErrProposalDropped) {
		return n.fail(raft.ErrBadMessage, raft.None, "etcd: "+err.Error())
	}
	if n.rn.BasicStatus().RaftState != etcd.StateLeader {
		return n.fail(raft.ErrNotLeader, raft.None, "")
	}
	return n.fail(raft.ErrProposalDropped, raft.None, "")
}

// ReadIndex asks for a read point; the answer comes as ReadState{Context:
// ctx}. The context travels as 8 little-endian bytes, etcd's RequestCtx.
func (n *Node) ReadIndex(ctx uint64) error {
	if n.leadTerm == 0 {
		return n.fail(raft.ErrNotLeader, raft.None, "")
	}
	defer n.exit(n.enter())
	rctx := binary.LittleEndian.AppendUint64(make([]byte, 0, 8), ctx)
	n.rn.ReadIndex(rctx)
	return nil
}

// TransferLeadership asks the leader to hand over to the voter to.
func (n *Node) TransferLeadership(to uint64) error {
	defer n.exit(n.enter())
	if n.rn.BasicStatus().RaftState != etcd.StateLeader {
		return n.fail(raft.ErrNotLeader, raft.None, "")
	}
	if to == n.id {
		return nil
	}
	if _, ok := slices.BinarySearch(n.voters, to); !ok {
		return n.fail(raft.ErrInvalidConfChange, raft.None, "transfer target "+strconv.FormatUint(to, 10)+" is not a voter")
	}
	n.rn.TransferLeader(to)
	return nil
}

// Compact records the application's snapshot at index (≤ applied) with the
// configuration in effect there and drops the log up to it.
func (n *Node) Compact(index uint64, data []byte) error {
	var snapIndex uint64
	if n.snap != nil {
		snapIndex = n.snap.Meta.Index
	}
	switch {
	case index <= snapIndex:
		return n.fail(raft.ErrCompacted, raft.None, "index "+strconv.FormatUint(index, 10)+" is at or behind snapshot "+strconv.FormatUint(snapIndex, 10))
	case index > n.applied:
		return n.fail(raft.ErrUnavailable, raft.None, "index "+strconv.FormatUint(index, 10)+" is beyond the applied index "+strconv.FormatUint(n.applied, 10))
	}
	defer n.exit(n.enter())
	conf := n.confAtIndex(index)
	s, err := n.st.CreateSnapshot(index, conf.cs, data)
	if err != nil {
		return n.fail(raft.ErrCompacted, raft.None, "etcd: "+err.Error())
	}
	if err := n.st.Compact(index); err != nil {
		return n.fail(raft.ErrCompacted, raft.None, "etcd: "+err.Error())
	}
	n.snap = &raft.Snapshot{
		Meta: raft.SnapshotMeta{Index: index, Term: s.GetMetadata().GetTerm(), ConfState: raft.ConfState{Voters: slices.Clone(conf.voters)}},
		Data: data,
	}
	// Keep the configuration in effect at index and every later one.
	keep := 0
	for i, c := range n.confs {
		if c.index <= index {
			keep = i
		}
	}
	n.confs = append(n.confs[:0], n.confs[keep:]...)
	return nil
}

// Snapshot returns the latest snapshot: the host's own (Compact), one
// received from a leader, or the one restored from disk; nil if none.
func (n *Node) Snapshot() *raft.Snapshot { return n.snap }

// Status reports etcd's view of the node. LastIndex is the adapter's count
// (the last index as of the latest Ready, plus the proposals taken since):
// etcd does not expose it.
func (n *Node) Status() raft.Status {
	defer n.exit(n.enter())
	bs := n.rn.BasicStatus()
	st := raft.Status{
		ID:        n.id,
		Role:      roleOf(bs.RaftState),
		Term:      bs.GetTerm(),
		Vote:      bs.GetVote(),
		Lead:      bs.Lead,
		Commit:    bs.GetCommit(),
		Applied:   bs.Applied,
		LastIndex: n.last,
	}
	leader := bs.RaftState == etcd.StateLeader
	n.rn.WithProgress(func(id uint64, typ etcd.ProgressType, pr tracker.Progress) {
		if typ != etcd.ProgressTypePeer {
			return
		}
		st.Voters = append(st.Voters, id) // WithProgress visits in id order
		if leader {
			st.Peers = append(st.Peers, raft.PeerStatus{ID: id, Match: pr.Match, Next: pr.Next})
		}
	})
	return st
}
