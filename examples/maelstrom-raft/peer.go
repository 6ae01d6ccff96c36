package main

import (
	"encoding/json"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
)

// typeRaft is the body type of a raft message between nodes:
// {"type":"raft","m":<raft.Message as JSON>}.
const typeRaft = "raft"

type raftBody struct {
	Type string        `json:"type"`
	M    *raft.Message `json:"m"`
}

// clientAddr is the address the server sees every client request come
// from: not a raft id. Replies are matched by ClientID, not by address.
const clientAddr = 1 << 30

// send is the host's Send: raft messages go to peers, responses to clients.
func (n *node) send(to int, msg any) {
	switch m := msg.(type) {
	case *raft.Message:
		if to < 1 || to > len(n.ids) {
			n.log.Printf("dropping a %v to raft id %d: no such node", m.Type, to)
			return
		}
		n.emit(n.id, n.ids[to-1], raftBody{Type: typeRaft, M: m})
	case *kvstore.Response:
		n.answer(m)
	default:
		n.log.Printf("dropping a %T to %d: unknown message", msg, to)
	}
}

// handlePeer hands a raft message from node from to the server.
func (n *node) handlePeer(from int, m maelstrom.Message, h maelstrom.Header) {
	if h.Type != typeRaft {
		n.log.Printf("ignoring a %q message from %s", h.Type, m.Src)
		return
	}
	var b raftBody
	if err := json.Unmarshal(m.Body, &b); err != nil || b.M == nil {
		n.log.Printf("ignoring a malformed raft message from %s: %v", m.Src, err)
		return
	}
	switch {
	case b.M.Payload != nil:
		n.log.Printf("ignoring a raft message from %s with a payload: the built-in raft never sends one", m.Src)
	case b.M.From != uint64(from) || b.M.To != uint64(n.raftID[n.id]):
		n.log.Printf("ignoring a raft message from %s (raft id %d) claiming to be from %d to %d", m.Src, from, b.M.From, b.M.To)
	default:
		n.srv.Receive(from, b.M)
	}
}
