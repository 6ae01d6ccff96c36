package maelstrom

import "strconv"

// Code is a Maelstrom error code. Codes 0-999 are Maelstrom's; 1000 and up
// are free for a node's own use, and always indefinite.
type Code int

// The error codes Maelstrom defines (doc/protocol.md, "Errors").
const (
	Timeout                Code = 0  // indefinite
	NodeNotFound           Code = 1  // definite
	NotSupported           Code = 10 // definite
	TemporarilyUnavailable Code = 11 // definite
	MalformedRequest       Code = 12 // definite
	Crash                  Code = 13 // indefinite
	Abort                  Code = 14 // definite
	KeyDoesNotExist        Code = 20 // definite
	KeyAlreadyExists       Code = 21 // definite
	PreconditionFailed     Code = 22 // definite
	TxnConflict            Code = 30 // definite
)

var codeNames = map[Code]string{
	Timeout:                "timeout",
	NodeNotFound:           "node-not-found",
	NotSupported:           "not-supported",
	TemporarilyUnavailable: "temporarily-unavailable",
	MalformedRequest:       "malformed-request",
	Crash:                  "crash",
	Abort:                  "abort",
	KeyDoesNotExist:        "key-does-not-exist",
	KeyAlreadyExists:       "key-already-exists",
	PreconditionFailed:     "precondition-failed",
	TxnConflict:            "txn-conflict",
}

// String returns the code's Maelstrom name, or "error-<n>" for a code
// Maelstrom does not define.
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "error-" + strconv.Itoa(int(c))
}

// Definite reports whether the code says the operation definitely did not
// happen and never will. Only the codes Maelstrom marks definite are: 0
// (timeout), 13 (crash) and every code it does not define, custom codes
// included, are indefinite — indefinite is always the safe reading.
func (c Code) Definite() bool {
	switch c {
	case NodeNotFound, NotSupported, TemporarilyUnavailable, MalformedRequest,
		Abort, KeyDoesNotExist, KeyAlreadyExists, PreconditionFailed, TxnConflict:
		return true
	}
	return false
}

// ErrorBody is an error reply. Leader is raftcheck's optional extension (the
// protocol allows extra keys in an error body): with code 11 a node may name
// the node it believes leads, and the harness's clients go there next.
type ErrorBody struct {
	Type      string `json:"type"` // always "error"
	InReplyTo uint64 `json:"in_reply_to"`
	Code      Code   `json:"code"`
	Text      string `json:"text,omitempty"`
	Leader    string `json:"leader,omitempty"`
}

// NewError returns an error reply to msg_id inReplyTo.
func NewError(inReplyTo uint64, code Code, text string) ErrorBody {
	return ErrorBody{Type: "error", InReplyTo: inReplyTo, Code: code, Text: text}
}
