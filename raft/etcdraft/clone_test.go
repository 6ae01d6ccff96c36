package etcdraft

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// fieldNames lists a message type's fields, in declaration order.
func fieldNames(m proto.Message) []string {
	fs := m.ProtoReflect().Descriptor().Fields()
	var names []string
	for i := range fs.Len() {
		names = append(names, string(fs.Get(i).Name()))
	}
	return names
}

// TestCloneMessage: the copy Step makes equals the original, field for field,
// shares no message or entry struct with it, and knows every field etcd's
// Message and Entry have (a newer etcd with more fields fails here).
func TestCloneMessage(t *testing.T) {
	assert.Equal(t, []string{"type", "to", "from", "term", "logTerm", "index", "entries", "commit", "vote", "snapshot", "reject", "rejectHint", "context", "responses"},
		fieldNames(&pb.Message{}), "pb.Message's fields changed: update cloneMessage")
	assert.Equal(t, []string{"Term", "Index", "Type", "Data"}, fieldNames(&pb.Entry{}), "pb.Entry's fields changed: update cloneMessage")

	u := func(v uint64) *uint64 { return &v }
	snap := &pb.Snapshot{Data: []byte("image"), Metadata: &pb.SnapshotMetadata{Index: u(9), Term: u(2),
		ConfState: &pb.ConfState{Voters: []uint64{1, 2, 3}}}}
	for _, m := range []*pb.Message{
		{Type: pb.MsgApp.Enum(), To: u(2), From: u(1), Term: u(3), LogTerm: u(2), Index: u(7), Commit: u(6),
			Entries: []*pb.Entry{{Term: u(3), Index: u(8), Type: pb.EntryNormal.Enum(), Data: []byte("x")}, {Term: u(3), Index: u(9)}}},
		{Type: pb.MsgAppResp.Enum(), To: u(1), From: u(2), Term: u(3), Index: u(7), Reject: new(true), RejectHint: u(5), LogTerm: u(1)},
		{Type: pb.MsgVote.Enum(), To: u(1), From: u(2), Term: u(4), Context: []byte("CampaignTransfer"), Vote: u(2)},
		{Type: pb.MsgSnap.Enum(), To: u(3), From: u(1), Term: u(3), Snapshot: snap},
		{Type: pb.MsgStorageAppend.Enum(), Responses: []*pb.Message{{Type: pb.MsgAppResp.Enum(), To: u(1)}}},
	} {
		c := cloneMessage(m)
		require.True(t, proto.Equal(m, c), "%v\n%v", m, c)
		assert.NotSame(t, m, c)
		for i := range m.Entries {
			assert.NotSame(t, m.Entries[i], c.Entries[i])
		}
		if m.Snapshot != nil {
			assert.NotSame(t, m.Snapshot, c.Snapshot)
			assert.NotSame(t, &m.Snapshot.Data[0], &c.Snapshot.Data[0])
		}
		// Editing the copy the way etcd does leaves the original alone.
		c.To = u(99)
		if len(c.Entries) > 0 {
			c.Entries[0] = &pb.Entry{}
		}
		assert.NotEqual(t, uint64(99), m.GetTo())
		assert.False(t, slices.ContainsFunc(m.Entries, func(e *pb.Entry) bool { return proto.Equal(e, &pb.Entry{}) }))
	}
}
