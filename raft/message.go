package raft

// TraceKind lets the simulator's trace record a message's type (it looks for
// this method on anything sent).
func (m *Message) TraceKind() uint8 { return uint8(m.Type) + 1 }

// String returns the message type's name, as in "MsgApp".
func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) {
		return messageTypeNames[t]
	}
	return "MsgUnknown"
}

var messageTypeNames = [...]string{
	MsgApp:            "MsgApp",
	MsgAppResp:        "MsgAppResp",
	MsgVote:           "MsgVote",
	MsgVoteResp:       "MsgVoteResp",
	MsgPreVote:        "MsgPreVote",
	MsgPreVoteResp:    "MsgPreVoteResp",
	MsgHeartbeat:      "MsgHeartbeat",
	MsgHeartbeatResp:  "MsgHeartbeatResp",
	MsgSnap:           "MsgSnap",
	MsgSnapStatus:     "MsgSnapStatus",
	MsgTimeoutNow:     "MsgTimeoutNow",
	MsgReadIndex:      "MsgReadIndex",
	MsgReadIndexResp:  "MsgReadIndexResp",
	MsgProp:           "MsgProp",
	MsgTransferLeader: "MsgTransferLeader",
	MsgOther:          "MsgOther",
}
