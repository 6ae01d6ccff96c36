package etcdraft

import (
	"bytes"
	"encoding/binary"
	"slices"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/raft"
)

// Translation between etcd's types and the boundary's. Normal entries keep
// their data slice (no copy: etcd never mutates an entry once it is in a log,
// and the host copies what it keeps). Configuration entries are translated
// both ways exactly, so a log the host persisted comes back byte for byte:
//
//   - etcd writes two kinds. RawNode.Bootstrap writes the initial voters as
//     legacy ConfChange entries (EntryConfChange) at term 1; the adapter
//     proposes ConfChangeV2 (one AddNode or RemoveNode, simple, no joint
//     consensus). No etcd node leads in term 1 (Bootstrap starts followers
//     in term 1 and every election raises the term), so the term tells the
//     two apart: term 1 means legacy, any later term V2.
//   - The host sees both as raft.EntryConfChange in raft's own encoding
//     (raft.ConfChange.Marshal), which the harness decodes to track
//     membership; restoring from Persisted re-encodes them as etcd wrote
//     them. toEntry checks that the round trip reproduces etcd's bytes.

// bootstrapTerm is the term of the entries RawNode.Bootstrap writes.
const bootstrapTerm = 1

// entryType maps an etcd entry type to the boundary's.
func entryType(t pb.EntryType) (raft.EntryType, bool) {
	switch t {
	case pb.EntryNormal:
		return raft.EntryNormal, true
	case pb.EntryConfChange, pb.EntryConfChangeV2:
		return raft.EntryConfChange, true
	}
	return 0, false
}

// toEntry translates one etcd entry. A configuration entry the boundary
// cannot express, or whose translation would not restore to the same bytes,
// is a bug: it panics.
func (n *Node) toEntry(e *pb.Entry) raft.Entry {
	t, ok := entryType(e.GetType())
	if !ok {
		n.bug("entry %d (term %d) has etcd type %v, which the boundary cannot express", e.GetIndex(), e.GetTerm(), e.GetType())
	}
	out := raft.Entry{Index: e.GetIndex(), Term: e.GetTerm(), Type: t, Data: e.GetData()}
	if t == raft.EntryConfChange {
		cc := n.decodeConfChange(e)
		out.Data = cc.Marshal()
		if back := n.fromConfChange(e.GetIndex(), e.GetTerm(), cc); !bytes.Equal(back.GetData(), e.GetData()) || back.GetType() != e.GetType() {
			n.bug("configuration entry %d (term %d) does not survive translation: etcd %v %x, restored %v %x",
				e.GetIndex(), e.GetTerm(), e.GetType(), e.GetData(), back.GetType(), back.GetData())
		}
	}
	return out
}

// decodeConfChange reads a configuration entry as a single-server change,
// panicking on anything else (joint consensus, learners, context): the
// adapter never proposes those.
func (n *Node) decodeConfChange(e *pb.Entry) raft.ConfChange {
	var changes []*pb.ConfChangeSingle
	switch e.GetType() {
	case pb.EntryConfChange:
		var cc pb.ConfChange
		if err := proto.Unmarshal(e.GetData(), &cc); err != nil {
			n.bug("entry %d (term %d): undecodable ConfChange: %v", e.GetIndex(), e.GetTerm(), err)
		}
		if e.GetTerm() != bootstrapTerm {
			n.bug("entry %d: a legacy ConfChange in term %d; only Bootstrap writes them, in term %d", e.GetIndex(), e.GetTerm(), bootstrapTerm)
		}
		changes = cc.AsV2().GetChanges()
	case pb.EntryConfChangeV2:
		var cc pb.ConfChangeV2
		if err := proto.Unmarshal(e.GetData(), &cc); err != nil {
			n.bug("entry %d (term %d): undecodable ConfChangeV2: %v", e.GetIndex(), e.GetTerm(), err)
		}
		if e.GetTerm() <= bootstrapTerm {
			n.bug("entry %d: a ConfChangeV2 in term %d, where only Bootstrap's legacy entries can be", e.GetIndex(), e.GetTerm())
		}
		if len(cc.GetContext()) > 0 || cc.GetTransition() != pb.ConfChangeTransitionAuto {
			n.bug("entry %d (term %d): ConfChangeV2 %v is not a simple change", e.GetIndex(), e.GetTerm(), pb.ConfChangesToString(cc.GetChanges()))
		}
		changes = cc.GetChanges()
	}
	if len(changes) != 1 {
		n.bug("entry %d (term %d): %d changes in one configuration entry, want 1", e.GetIndex(), e.GetTerm(), len(changes))
	}
	c := changes[0]
	out := raft.ConfChange{NodeID: c.GetNodeId()}
	switch c.GetType() {
	case pb.ConfChangeAddNode:
		out.Type = raft.AddNode
	case pb.ConfChangeRemoveNode:
		out.Type = raft.RemoveNode
	default:
		n.bug("entry %d (term %d): change type %v is not AddNode or RemoveNode", e.GetIndex(), e.GetTerm(), c.GetType())
	}
	return out
}

// fromConfChange builds the etcd entry for a configuration change at (index,
// term), in the encoding etcd wrote it with (see the comment at the top).
func (n *Node) fromConfChange(index, term uint64, cc raft.ConfChange) *pb.Entry {
	typ := pb.ConfChangeAddNode
	if cc.Type == raft.RemoveNode {
		typ = pb.ConfChangeRemoveNode
	}
	var data []byte
	var err error
	et := pb.EntryConfChangeV2
	if term == bootstrapTerm {
		et = pb.EntryConfChange
		// Bootstrap marshals exactly these fields (no Context: Peer.Context is nil).
		data, err = proto.Marshal(&pb.ConfChange{Type: typ.Enum(), NodeId: new(cc.NodeID)})
	} else {
		data, err = proto.Marshal(confChangeV2(cc))
	}
	if err != nil {
		n.bug("encoding configuration change %+v: %v", cc, err)
	}
	return &pb.Entry{Type: et.Enum(), Term: new(term), Index: new(index), Data: data}
}

// confChangeV2 is the simple ConfChangeV2 the adapter proposes for cc.
func confChangeV2(cc raft.ConfChange) *pb.ConfChangeV2 {
	typ := pb.ConfChangeAddNode
	if cc.Type == raft.RemoveNode {
		typ = pb.ConfChangeRemoveNode
	}
	return &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{{Type: typ.Enum(), NodeId: new(cc.NodeID)}}}
}

// fromEntry translates a persisted entry back to etcd's form.
func (n *Node) fromEntry(e *raft.Entry) (*pb.Entry, error) {
	switch e.Type {
	case raft.EntryNormal:
		var data []byte
		if len(e.Data) > 0 {
			data = e.Data // etcd's no-op has nil data; keep it so
		}
		return &pb.Entry{Type: pb.EntryNormal.Enum(), Term: new(e.Term), Index: new(e.Index), Data: data}, nil
	case raft.EntryConfChange:
		cc, err := raft.UnmarshalConfChange(e.Data)
		if err != nil {
			return nil, err
		}
		return n.fromConfChange(e.Index, e.Term, cc), nil
	}
	return nil, raft.ErrBadMessage
}

// toSnapshot translates an etcd snapshot. Its configuration must be a plain
// voter set: the adapter never creates learners or joint configurations.
func (n *Node) toSnapshot(s *pb.Snapshot) *raft.Snapshot {
	md := s.GetMetadata()
	cs := md.GetConfState()
	if len(cs.GetLearners()) > 0 || len(cs.GetVotersOutgoing()) > 0 || len(cs.GetLearnersNext()) > 0 || cs.GetAutoLeave() {
		n.bug("snapshot at %d (term %d) has a configuration beyond plain voters: %v", md.GetIndex(), md.GetTerm(), cs)
	}
	voters := slices.Clone(cs.GetVoters())
	slices.Sort(voters)
	return &raft.Snapshot{
		Meta: raft.SnapshotMeta{Index: md.GetIndex(), Term: md.GetTerm(), ConfState: raft.ConfState{Voters: voters}},
		Data: s.GetData(),
	}
}

// fromSnapshot translates a persisted snapshot to etcd's form.
func fromSnapshot(s *raft.Snapshot) *pb.Snapshot {
	return &pb.Snapshot{
		Data: s.Data,
		Metadata: &pb.SnapshotMetadata{
			ConfState: &pb.ConfState{Voters: slices.Clone(s.Meta.ConfState.Voters)},
			Index:     new(s.Meta.Index),
			Term:      new(s.Meta.Term),
		},
	}
}

// messageTypes maps etcd's wire message types to the boundary's; the types
// that never cross the network (MsgHup, MsgBeat, storage messages...) map to
// MsgOther, as does anything a later etcd adds.
var messageTypes = func() [pb.MsgForgetLeader + 1]raft.MessageType {
	var t [pb.MsgForgetLeader + 1]raft.MessageType
	for i := range t {
		t[i] = raft.MsgOther
	}
	t[pb.MsgApp] = raft.MsgApp
	t[pb.MsgAppResp] = raft.MsgAppResp
	t[pb.MsgVote] = raft.MsgVote
	t[pb.MsgVoteResp] = raft.MsgVoteResp
	t[pb.MsgPreVote] = raft.MsgPreVote
	t[pb.MsgPreVoteResp] = raft.MsgPreVoteResp
	t[pb.MsgHeartbeat] = raft.MsgHeartbeat
	t[pb.MsgHeartbeatResp] = raft.MsgHeartbeatResp
	t[pb.MsgSnap] = raft.MsgSnap
	t[pb.MsgSnapStatus] = raft.MsgSnapStatus
	t[pb.MsgTimeoutNow] = raft.MsgTimeoutNow
	t[pb.MsgReadIndex] = raft.MsgReadIndex
	t[pb.MsgReadIndexResp] = raft.MsgReadIndexResp
	t[pb.MsgProp] = raft.MsgProp
	t[pb.MsgTransferLeader] = raft.MsgTransferLeader
	return t
}()

// campaignTransfer is the context etcd puts on the votes of an election a
// leadership transfer ordered (raft.go's campaignTransfer).
var campaignTransfer = []byte("CampaignTransfer")

// toMessage summarizes an etcd message for observers and the trace; the
// message itself travels as Payload. Entries and the snapshot are left out
// of the summary (they would cost a translation per message and nothing
// reads them): the receiver steps the payload.
func toMessage(m *pb.Message) raft.Message {
	typ := raft.MsgOther
	if t := m.GetType(); t >= 0 && int(t) < len(messageTypes) {
		typ = messageTypes[t]
	}
	out := raft.Message{
		Type:    typ,
		From:    m.GetFrom(),
		To:      m.GetTo(),
		Term:    m.GetTerm(),
		LogTerm: m.GetLogTerm(),
		Index:   m.GetIndex(),
		Commit:  m.GetCommit(),
		Reject:  m.GetReject(),
		Payload: m,
	}
	switch typ {
	case raft.MsgAppResp:
		if out.Reject {
			out.RejectHint, out.HintTerm = m.GetRejectHint(), m.GetLogTerm()
		}
	case raft.MsgHeartbeat, raft.MsgHeartbeatResp:
		out.Context = contextUint(m.GetContext())
	case raft.MsgReadIndex, raft.MsgReadIndexResp:
		if es := m.GetEntries(); len(es) == 1 {
			out.Context = contextUint(es[0].GetData())
		}
	case raft.MsgVote, raft.MsgPreVote:
		if bytes.Equal(m.GetContext(), campaignTransfer) {
			out.Context = 1 // as the built-in marks a campaign MsgTimeoutNow ordered
		}
	}
	return out
}

// contextUint reads an 8-byte little-endian context (etcd's heartbeat
// contexts and the adapter's ReadIndex contexts), 0 for anything else.
func contextUint(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// roleOf maps etcd's state to the boundary's role.
func roleOf(s etcd.StateType) raft.Role {
	switch s {
	case etcd.StateLeader:
		return raft.Leader
	case etcd.StateCandidate:
		return raft.Candidate
	case etcd.StatePreCandidate:
		return raft.PreCandidate
	}
	return raft.Follower
}
