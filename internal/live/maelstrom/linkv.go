package maelstrom

import "encoding/json"

// Body types of the init handshake and the lin-kv workload.
const (
	TypeInit    = "init"
	TypeInitOK  = "init_ok"
	TypeError   = "error"
	TypeRead    = "read"
	TypeReadOK  = "read_ok"
	TypeWrite   = "write"
	TypeWriteOK = "write_ok"
	TypeCAS     = "cas"
	TypeCASOK   = "cas_ok"
)

// InitBody is the harness's first message to a node.
type InitBody struct {
	Type    string   `json:"type"`
	MsgID   uint64   `json:"msg_id"`
	NodeID  string   `json:"node_id"`
	NodeIDs []string `json:"node_ids"`
}

// ReplyBody is a reply with no payload (init_ok, write_ok, cas_ok).
type ReplyBody struct {
	Type      string `json:"type"`
	MsgID     uint64 `json:"msg_id,omitempty"`
	InReplyTo uint64 `json:"in_reply_to"`
}

// KVRequest is a lin-kv request: read uses Key; write Key and Value; cas
// Key, From and To. Keys and values are kept as raw JSON: the protocol lets
// them be any JSON value.
type KVRequest struct {
	Type  string          `json:"type"`
	MsgID uint64          `json:"msg_id"`
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value,omitempty"`
	From  json.RawMessage `json:"from,omitempty"`
	To    json.RawMessage `json:"to,omitempty"`
}

// ReadOKBody is the reply to a read.
type ReadOKBody struct {
	Type      string          `json:"type"`
	MsgID     uint64          `json:"msg_id,omitempty"`
	InReplyTo uint64          `json:"in_reply_to"`
	Value     json.RawMessage `json:"value"`
}
