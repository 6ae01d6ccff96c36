package live

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// errUnsupportedOp marks an operation lin-kv has no request for.
var errUnsupportedOp = errors.New("lin-kv has no such operation")

// request is a client request sent to a node and not answered yet, by the
// msg_id it was sent with.
type request struct {
	client int    // the client host's address
	src    string // the client's Maelstrom id, "cK"
	node   int    // the node it was sent to (index)
	req    kvstore.Request
	sent   sim.Time // when the harness sent it
}

// requestBody is the lin-kv body of req: get → read, put → write, cas →
// cas. Other operations are refused with errUnsupportedOp.
func (c *codec) requestBody(req *kvstore.Request, msgID uint64) (maelstrom.KVRequest, error) {
	b := maelstrom.KVRequest{MsgID: msgID}
	var err error
	if b.Key, err = c.encode(req.Key); err != nil {
		return b, err
	}
	switch req.Op {
	case kvstore.OpGet:
		b.Type = maelstrom.TypeRead
	case kvstore.OpPut:
		b.Type = maelstrom.TypeWrite
		b.Value, err = c.encode(req.Value)
	case kvstore.OpCAS:
		b.Type = maelstrom.TypeCAS
		if b.From, err = c.encode(req.Expected); err == nil {
			b.To, err = c.encode(req.Value)
		}
	default:
		return b, fmt.Errorf("%w: %v", errUnsupportedOp, req.Op)
	}
	return b, err
}

// replyOutcome is what a node's reply means for the client.
type replyOutcome struct {
	resp kvstore.Response
	code maelstrom.Code // the error code, when the reply is an error
	err  bool           // the reply is an error
}

// translateReply turns a node's reply (type typ, raw body) to r into the
// client's kvstore.Response, with Jepsen's semantics:
//   - read_ok → ok; a null value, or error 20 to a read, is a missing key
//     (Found false);
//   - write_ok, cas_ok → ok;
//   - error 22 to a cas, or 20 to a cas: the compare failed
//     (ErrCASMismatch, a definite fail observing the value);
//   - error 11 → ErrNotLeader (definite; the client tries elsewhere, first
//     the node the optional "leader" key names);
//   - any other definite code → ErrDropped (definite fail);
//   - an indefinite code (0 timeout, 13 crash, every code Maelstrom does
//     not define) → ErrLeaderChanged: the outcome is unknown, the client
//     records info for a write and fail for a read (which changed nothing).
//
// Except for a failed compare, the history names the error by its
// Maelstrom code name (Response.ErrName: "crash", "temporarily-unavailable",
// "error-1001"), not by the kvstore kind the client acts on.
//
// A reply of the wrong type for the request is an error: the caller
// records a fault and the client hears nothing (it times out: info).
// leader maps a node id to its address (0 if it is not one).
func (c *codec) translateReply(r *request, typ string, body json.RawMessage, node int, leader func(id string) int) (replyOutcome, error) {
	out := replyOutcome{resp: kvstore.Response{
		ClientID: r.req.ClientID, Seq: r.req.Seq, Attempt: r.req.Attempt, Node: node,
	}}
	want := map[kvstore.OpKind]string{kvstore.OpGet: maelstrom.TypeReadOK, kvstore.OpPut: maelstrom.TypeWriteOK, kvstore.OpCAS: maelstrom.TypeCASOK}[r.req.Op]
	switch typ {
	case want:
		if r.req.Op == kvstore.OpGet {
			var b struct {
				Value json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(body, &b); err != nil {
				return out, fmt.Errorf("read_ok: %v", err)
			}
			out.resp.Value, out.resp.Found = c.decode(b.Value)
		}
		return out, nil
	case maelstrom.TypeError:
		var e maelstrom.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil {
			return out, fmt.Errorf("error reply: %v", err)
		}
		out.err, out.code = true, e.Code
		switch {
		case e.Code == maelstrom.KeyDoesNotExist && r.req.Op == kvstore.OpGet:
			out.resp.Found = false
		case (e.Code == maelstrom.KeyDoesNotExist || e.Code == maelstrom.PreconditionFailed) && r.req.Op == kvstore.OpCAS:
			out.resp.Err = kvstore.ErrCASMismatch
			out.resp.Found = e.Code == maelstrom.PreconditionFailed
		case e.Code == maelstrom.TemporarilyUnavailable:
			out.resp.Err, out.resp.ErrName = kvstore.ErrNotLeader, e.Code.String()
			out.resp.LeaderHint = leader(e.Leader)
		case e.Code.Definite():
			out.resp.Err, out.resp.ErrName = kvstore.ErrDropped, e.Code.String()
		default:
			out.resp.Err, out.resp.ErrName = kvstore.ErrLeaderChanged, e.Code.String()
		}
		return out, nil
	}
	return out, fmt.Errorf("a %q reply to a %s request (want %s or error)", typ, r.req.Op, want)
}
