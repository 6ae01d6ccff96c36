package live

import (
	"encoding/json"
	"testing"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodec(t *testing.T) {
	c := newCodec()
	for _, tc := range []struct{ in, out string }{
		{"0", "0"}, {"3", "3"}, {"16777215", "16777215"},
		{"register", "16777216"}, {"x 3 17 y", "16777217"}, {"register", "16777216"},
		{"16777216", "16777218"}, {"007", "16777219"}, {"+3", "16777220"}, {"-1", "16777221"}, {"", "16777222"},
	} {
		raw, err := c.encode(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.out, string(raw), "encode %q", tc.in)
		back, ok := c.decode(raw)
		assert.True(t, ok)
		assert.Equal(t, tc.in, back, "decode %s", raw)
	}
	for _, tc := range []struct {
		raw  string
		want string
		ok   bool
	}{
		{"null", "", false}, {"", "", false},
		{"99999999", "?unwritten 99999999", true},
		{"-5", "?unwritten -5", true},
		{"1.5", "?unwritten 1.5", true},
		{`"3"`, `?unwritten "3"`, true},
		{" 4 ", "4", true},
	} {
		got, ok := c.decode(json.RawMessage(tc.raw))
		assert.Equal(t, tc.ok, ok, tc.raw)
		assert.Equal(t, tc.want, got, tc.raw)
	}
}

func TestRequestBody(t *testing.T) {
	c := newCodec()
	for _, tc := range []struct {
		req  kvstore.Request
		want string
	}{
		{kvstore.Request{Op: kvstore.OpGet, Key: "2"}, `{"type":"read","msg_id":9,"key":2}`},
		{kvstore.Request{Op: kvstore.OpPut, Key: "2", Value: "4"}, `{"type":"write","msg_id":9,"key":2,"value":4}`},
		{kvstore.Request{Op: kvstore.OpCAS, Key: "2", Expected: "4", Value: "1"}, `{"type":"cas","msg_id":9,"key":2,"from":4,"to":1}`},
	} {
		b, err := c.requestBody(&tc.req, 9)
		require.NoError(t, err)
		got, err := json.Marshal(b)
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(got))
	}
	for _, op := range []kvstore.OpKind{kvstore.OpAppend, kvstore.OpDelete} {
		_, err := c.requestBody(&kvstore.Request{Op: op, Key: "1"}, 1)
		assert.ErrorIs(t, err, errUnsupportedOp)
	}
}

func TestTranslateReply(t *testing.T) {
	c := newCodec()
	leader := func(id string) int {
		if id == "n2" {
			return 3
		}
		return 0
	}
	get := &request{req: kvstore.Request{ClientID: 5, Seq: 7, Attempt: 2, Op: kvstore.OpGet}}
	put := &request{req: kvstore.Request{ClientID: 5, Seq: 7, Attempt: 2, Op: kvstore.OpPut}}
	cas := &request{req: kvstore.Request{ClientID: 5, Seq: 7, Attempt: 2, Op: kvstore.OpCAS}}
	errBody := func(code maelstrom.Code, leader string) string {
		b, _ := json.Marshal(maelstrom.ErrorBody{Type: "error", InReplyTo: 1, Code: code, Leader: leader})
		return string(b)
	}
	for _, tc := range []struct {
		name  string
		r     *request
		typ   string
		body  string
		err   kvstore.ErrKind
		found bool
		value string
		hint  int
	}{
		{"read ok", get, "read_ok", `{"type":"read_ok","value":3}`, kvstore.ErrNone, true, "3", 0},
		{"read null", get, "read_ok", `{"type":"read_ok","value":null}`, kvstore.ErrNone, false, "", 0},
		{"read missing key", get, "error", errBody(20, ""), kvstore.ErrNone, false, "", 0},
		{"write ok", put, "write_ok", `{"type":"write_ok"}`, kvstore.ErrNone, false, "", 0},
		{"cas ok", cas, "cas_ok", `{"type":"cas_ok"}`, kvstore.ErrNone, false, "", 0},
		{"cas mismatch", cas, "error", errBody(22, ""), kvstore.ErrCASMismatch, true, "", 0},
		{"cas missing key", cas, "error", errBody(20, ""), kvstore.ErrCASMismatch, false, "", 0},
		{"unavailable with a leader", put, "error", errBody(11, "n2"), kvstore.ErrNotLeader, false, "", 3},
		{"unavailable, unknown leader", put, "error", errBody(11, "n9"), kvstore.ErrNotLeader, false, "", 0},
		{"write to a missing key: definite", put, "error", errBody(20, ""), kvstore.ErrDropped, false, "", 0},
		{"abort: definite", put, "error", errBody(14, ""), kvstore.ErrDropped, false, "", 0},
		{"not supported: definite", get, "error", errBody(10, ""), kvstore.ErrDropped, false, "", 0},
		{"timeout: indefinite", put, "error", errBody(0, ""), kvstore.ErrLeaderChanged, false, "", 0},
		{"crash: indefinite", put, "error", errBody(13, ""), kvstore.ErrLeaderChanged, false, "", 0},
		{"custom code: indefinite", put, "error", errBody(1005, ""), kvstore.ErrLeaderChanged, false, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.translateReply(tc.r, tc.typ, json.RawMessage(tc.body), 2, leader)
			require.NoError(t, err)
			assert.Equal(t, tc.err, out.resp.Err)
			assert.Equal(t, tc.found, out.resp.Found)
			assert.Equal(t, tc.value, out.resp.Value)
			assert.Equal(t, tc.hint, out.resp.LeaderHint)
			assert.Equal(t, uint64(5), out.resp.ClientID)
			assert.Equal(t, uint64(7), out.resp.Seq)
			assert.Equal(t, uint32(2), out.resp.Attempt, "the attempt is echoed")
			assert.Equal(t, 2, out.resp.Node)
			assert.Equal(t, tc.typ == "error", out.err)
		})
	}
	for _, tc := range []struct {
		name, typ, body string
		r               *request
	}{
		{"wrong ok type", "write_ok", `{"type":"write_ok"}`, get},
		{"unknown type", "pong", `{"type":"pong"}`, put},
		{"unreadable error", "error", `{"type":"error","code":"x"}`, put},
	} {
		_, err := c.translateReply(tc.r, tc.typ, json.RawMessage(tc.body), 1, leader)
		assert.Error(t, err, tc.name)
	}
}
