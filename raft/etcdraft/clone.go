package etcdraft

import (
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// cloneMessage copies a delivered message for Step: what etcd may keep or
// change (the message, its entry list, each entry) is fresh; what it only
// reads is shared — scalar field pointers (etcd replaces a field's pointer,
// it never writes through one) and byte slices (entry data and contexts are
// never written once made, by etcd or by the host). proto.Clone would also
// copy those, and costs a fifth of a run's CPU and most of its allocations.
// A snapshot, rare and large, is cloned whole, as a network would deliver
// it. TestCloneMessage pins the fields this knows of, so a newer etcd with
// more fields fails it rather than losing them.
func cloneMessage(m *pb.Message) *pb.Message {
	c := &pb.Message{
		Type:       m.Type,
		To:         m.To,
		From:       m.From,
		Term:       m.Term,
		LogTerm:    m.LogTerm,
		Index:      m.Index,
		Commit:     m.Commit,
		Vote:       m.Vote,
		Reject:     m.Reject,
		RejectHint: m.RejectHint,
		Context:    m.Context,
	}
	if len(m.Entries) > 0 {
		es := make([]pb.Entry, len(m.Entries))
		c.Entries = make([]*pb.Entry, len(m.Entries))
		for i, e := range m.Entries {
			es[i].Term, es[i].Index, es[i].Type, es[i].Data = e.Term, e.Index, e.Type, e.Data
			c.Entries[i] = &es[i]
		}
	}
	if m.Snapshot != nil {
		c.Snapshot = proto.Clone(m.Snapshot).(*pb.Snapshot)
	}
	if len(m.Responses) > 0 {
		c.Responses = make([]*pb.Message, len(m.Responses))
		for i, r := range m.Responses {
			c.Responses[i] = cloneMessage(r)
		}
	}
	return c
}
