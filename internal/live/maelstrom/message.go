package maelstrom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Message is one protocol message: an envelope around a body the harness
// routes without reading (node-to-node traffic) or parses per workload.
type Message struct {
	Src  string          `json:"src"`
	Dest string          `json:"dest"`
	Body json.RawMessage `json:"body"`
}

// Header is the part of a body every message type shares. MsgID and
// InReplyTo are pointers because the protocol makes both optional and 0 is
// a legal id.
type Header struct {
	Type      string  `json:"type"`
	MsgID     *uint64 `json:"msg_id,omitempty"`
	InReplyTo *uint64 `json:"in_reply_to,omitempty"`
}

// ID returns the msg_id and whether the body has one.
func (h Header) ID() (uint64, bool) {
	if h.MsgID == nil {
		return 0, false
	}
	return *h.MsgID, true
}

// ReplyTo returns the in_reply_to and whether the body has one.
func (h Header) ReplyTo() (uint64, bool) {
	if h.InReplyTo == nil {
		return 0, false
	}
	return *h.InReplyTo, true
}

// ErrMalformed marks a line that is not a protocol message.
var ErrMalformed = errors.New("malformed message")

// Parse decodes one line into a message and its body's header. It checks
// what the protocol requires of every message: a JSON object with string
// src and dest and an object body whose type is a non-empty string. The
// error wraps ErrMalformed and says which part is wrong.
func Parse(line []byte) (Message, Header, error) {
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return Message{}, Header{}, fmt.Errorf("%w: not a JSON object with string src and dest: %v", ErrMalformed, err)
	}
	switch {
	case m.Src == "":
		return m, Header{}, fmt.Errorf("%w: missing or empty src", ErrMalformed)
	case m.Dest == "":
		return m, Header{}, fmt.Errorf("%w: missing or empty dest", ErrMalformed)
	case len(m.Body) == 0 || m.Body[0] != '{':
		return m, Header{}, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	var h Header
	if err := json.Unmarshal(m.Body, &h); err != nil {
		return m, Header{}, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	if h.Type == "" {
		return m, h, fmt.Errorf("%w: body has no type", ErrMalformed)
	}
	return m, h, nil
}

// Encode returns the message as one line, without the trailing newline.
// body is marshalled as is (a struct, a map, or a json.RawMessage).
func Encode(src, dest string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("maelstrom: encode body for %s: %w", dest, err)
	}
	line, err := json.Marshal(Message{Src: src, Dest: dest, Body: b})
	if err != nil {
		return nil, fmt.Errorf("maelstrom: encode message for %s: %w", dest, err)
	}
	// json.Marshal never emits a raw newline (it escapes them in strings),
	// so the result is one line; say so where it matters.
	if bytes.IndexByte(line, '\n') >= 0 {
		return nil, fmt.Errorf("maelstrom: encoded message for %s spans lines", dest)
	}
	return line, nil
}
