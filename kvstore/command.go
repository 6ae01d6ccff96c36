package kvstore

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// commandVersion is the first byte of every encoded command. An entry whose data
// is empty is raft's no-op; anything else must start with this byte, so a change
// of layout can be recognised instead of misread.
const commandVersion = 1

// maxCommandField bounds one string field of a command (key, value, expected).
// It exists so a corrupt length can never make the decoder slice past reason.
const maxCommandField = 1 << 24

// errTruncated reports encoded data that ends inside a field.
var errTruncated = errors.New("kvstore: encoded data ends inside a field")

// command is a decoded Request that borrows its byte fields from the entry data:
// decoding allocates nothing, and the state machine converts to strings only what
// it stores.
type command struct {
	clientID uint64
	seq      uint64
	ackSeq   uint64
	op       OpKind
	key      []byte
	value    []byte
	expected []byte
}

// AppendRequest appends the log encoding of r to buf and returns the extended
// buffer. The encoding is: version byte, op byte, uvarints ClientID, Seq,
// AckSeq, then length-prefixed Key and Value, and Expected for OpCAS only.
func AppendRequest(buf []byte, r *Request) []byte {
	buf = append(buf, commandVersion, byte(r.Op))
	buf = binary.AppendUvarint(buf, r.ClientID)
	buf = binary.AppendUvarint(buf, r.Seq)
	buf = binary.AppendUvarint(buf, r.AckSeq)
	buf = appendString(buf, r.Key)
	buf = appendString(buf, r.Value)
	if r.Op == OpCAS {
		buf = appendString(buf, r.Expected)
	}
	return buf
}

// encodedRequestSize returns an upper bound of len(AppendRequest(nil, r)).
func encodedRequestSize(r *Request) int {
	n := 2 + 3*binary.MaxVarintLen64 + 2*binary.MaxVarintLen32 + len(r.Key) + len(r.Value)
	if r.Op == OpCAS {
		n += binary.MaxVarintLen32 + len(r.Expected)
	}
	return n
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// DecodeRequest decodes an entry's data, as written by AppendRequest, into r:
// for tools that read the log (an Observer's LogAppended or Applied entries).
// The state machine uses an allocation-free path instead.
func DecodeRequest(data []byte, r *Request) error {
	var c command
	if err := c.decode(data); err != nil {
		return err
	}
	*r = Request{
		ClientID: c.clientID,
		Seq:      c.seq,
		AckSeq:   c.ackSeq,
		Op:       c.op,
		Key:      string(c.key),
		Value:    string(c.value),
		Expected: string(c.expected),
	}
	return nil
}

// decode fills c from data without copying: c's byte fields alias data.
func (c *command) decode(data []byte) error {
	if len(data) < 2 {
		return errTruncated
	}
	if data[0] != commandVersion {
		return fmt.Errorf("kvstore: command version %d, want %d", data[0], commandVersion)
	}
	c.op = OpKind(data[1])
	if !c.op.valid() {
		return fmt.Errorf("kvstore: command op %d is not an operation", data[1])
	}
	d := decoder{buf: data[2:]}
	c.clientID = d.uvarint()
	c.seq = d.uvarint()
	c.ackSeq = d.uvarint()
	c.key = d.bytes(maxCommandField)
	c.value = d.bytes(maxCommandField)
	c.expected = nil
	if c.op == OpCAS {
		c.expected = d.bytes(maxCommandField)
	}
	if d.err != nil {
		return d.err
	}
	if len(d.buf) != 0 {
		return fmt.Errorf("kvstore: command has %d trailing bytes", len(d.buf))
	}
	return nil
}

// decoder reads uvarints and length-prefixed fields, remembering the first error
// so call sites stay linear.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = errTruncated
		if n < 0 {
			d.err = errors.New("kvstore: varint overflows 64 bits")
		}
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.buf) == 0 {
		d.err = errTruncated
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

// bytes reads a uvarint length then that many bytes, refusing lengths above limit.
func (d *decoder) bytes(limit int) []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(limit) {
		d.err = fmt.Errorf("kvstore: field length %d exceeds the bound %d", n, limit)
		return nil
	}
	if uint64(len(d.buf)) < n {
		d.err = errTruncated
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}
