package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/kvstore"
)

// maxField bounds a key's or value's JSON text.
const maxField = 1 << 20

// pendingReq is a client request the server has not answered yet.
type pendingReq struct {
	src   string // the client
	msgID uint64 // its msg_id, for in_reply_to
	op    kvstore.OpKind
	at    time.Time
}

// clientTable maps the ClientID given to each request to the request.
//
// Maelstrom clients have no sessions, and a request is never retried under
// the same identity, so every request gets its own ClientID (Seq 1):
// raft id (16 bits) | boot (16 bits) | counter (32 bits). The boot number
// keeps ids of different incarnations apart; it wraps after 65536 boots,
// far beyond the MaxSessions requests after which the server forgets a
// session anyway.
type clientTable struct {
	pending map[uint64]pendingReq
	max     int
	counter uint32
}

func (t *clientTable) init(max int) {
	t.pending = make(map[uint64]pendingReq)
	t.max = max
}

// sweep forgets requests older than ttl: their client gave up long ago (a
// proposal whose fate the server never learns is never answered).
func (t *clientTable) sweep(now time.Time, ttl time.Duration) {
	for id, p := range t.pending {
		if now.Sub(p.at) > ttl {
			delete(t.pending, id)
		}
	}
}

// handleClient serves a lin-kv request.
func (n *node) handleClient(m maelstrom.Message, h maelstrom.Header) {
	id, ok := h.ID()
	if !ok {
		n.log.Printf("ignoring a %q from %s without msg_id: nothing to reply to", h.Type, m.Src)
		return
	}
	bad := func(code maelstrom.Code, format string, args ...any) {
		n.replyError(n.id, m.Src, id, code, fmt.Sprintf(format, args...))
	}
	var op kvstore.OpKind
	switch h.Type {
	case maelstrom.TypeRead:
		op = kvstore.OpGet
	case maelstrom.TypeWrite:
		op = kvstore.OpPut
	case maelstrom.TypeCAS:
		op = kvstore.OpCAS
	default:
		bad(maelstrom.NotSupported, "%q is not supported: this node serves lin-kv (read, write, cas)", h.Type)
		return
	}
	var req maelstrom.KVRequest
	if err := json.Unmarshal(m.Body, &req); err != nil {
		bad(maelstrom.MalformedRequest, "%s: %v", h.Type, err)
		return
	}
	r := kvstore.Request{Op: op, Seq: 1, Attempt: 1}
	var err error
	if r.Key, err = field(req.Key, "key"); err != nil {
		bad(maelstrom.MalformedRequest, "%s: %v", h.Type, err)
		return
	}
	switch op {
	case kvstore.OpPut:
		r.Value, err = field(req.Value, "value")
	case kvstore.OpCAS:
		if r.Expected, err = field(req.From, "from"); err == nil {
			r.Value, err = field(req.To, "to")
		}
	}
	if err != nil {
		bad(maelstrom.MalformedRequest, "%s: %v", h.Type, err)
		return
	}
	if len(n.clients.pending) >= n.clients.max || n.clients.counter == ^uint32(0) {
		bad(maelstrom.TemporarilyUnavailable, "too many requests in flight")
		return
	}
	n.clients.counter++
	r.ClientID = uint64(n.raftID[n.id])<<48 | (n.boot&0xFFFF)<<32 | uint64(n.clients.counter)
	n.clients.pending[r.ClientID] = pendingReq{src: m.Src, msgID: id, op: op, at: time.Now()}
	n.srv.Receive(clientAddr, &r)
}

// field returns a key's or value's compact JSON text: the store keeps what
// the client sent, and a read returns it as it was written.
func field(raw json.RawMessage, name string) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("%s is missing", name)
	}
	if len(raw) > maxField {
		return "", fmt.Errorf("%s is %d bytes, at most %d are supported", name, len(raw), maxField)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	return b.String(), nil
}

// answer turns the server's response into the Maelstrom reply.
func (n *node) answer(resp *kvstore.Response) {
	p, ok := n.clients.pending[resp.ClientID]
	if !ok {
		return // already answered, or forgotten by sweep
	}
	delete(n.clients.pending, resp.ClientID)
	fail := func(code maelstrom.Code, text string) {
		n.emit(n.id, p.src, maelstrom.ErrorBody{Type: maelstrom.TypeError, InReplyTo: p.msgID, Code: code, Text: text})
	}
	switch resp.Err {
	case kvstore.ErrNone:
		switch {
		case p.op != kvstore.OpGet:
			typ := maelstrom.TypeWriteOK
			if p.op == kvstore.OpCAS {
				typ = maelstrom.TypeCASOK
			}
			n.emit(n.id, p.src, maelstrom.ReplyBody{Type: typ, MsgID: n.msgID(), InReplyTo: p.msgID})
		case !resp.Found:
			fail(maelstrom.KeyDoesNotExist, "key does not exist")
		default:
			n.emit(n.id, p.src, maelstrom.ReadOKBody{Type: maelstrom.TypeReadOK, MsgID: n.msgID(), InReplyTo: p.msgID, Value: json.RawMessage(resp.Value)})
		}
	case kvstore.ErrCASMismatch:
		if !resp.Found {
			fail(maelstrom.KeyDoesNotExist, "key does not exist")
		} else {
			fail(maelstrom.PreconditionFailed, "current value is "+resp.Value)
		}
	case kvstore.ErrNotLeader:
		e := maelstrom.NewError(p.msgID, maelstrom.TemporarilyUnavailable, "not the leader")
		if h := resp.LeaderHint; h >= 1 && h <= len(n.ids) {
			e.Leader = n.ids[h-1]
			e.Text = "not the leader; try " + e.Leader
		}
		n.emit(n.id, p.src, e)
	case kvstore.ErrDropped:
		// Refused before it was proposed: definite.
		fail(maelstrom.TemporarilyUnavailable, "refused before proposing (overloaded, or leadership is moving)")
	default:
		// The outcome is unknown to this node: indefinite is the safe answer.
		fail(maelstrom.Crash, "outcome unknown: "+resp.Err.String())
	}
}
