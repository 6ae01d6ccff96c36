package kvstore

// OpKind is a key-value operation.
type OpKind uint8

// Operations. Values are strings; a missing key reads as Found=false.
const (
	OpGet OpKind = iota + 1
	OpPut
	OpAppend // appends Value to the key's current value (missing key = "")
	OpCAS    // if current == Expected (Found), set Value; else ErrCASMismatch (definite fail)
	OpDelete
)

// valid reports whether k is one of the operations above.
func (k OpKind) valid() bool { return k >= OpGet && k <= OpDelete }

// String returns the operation name used in histories.
func (k OpKind) String() string {
	switch k {
	case OpGet:
		return "get"
	case OpPut:
		return "put"
	case OpAppend:
		return "append"
	case OpCAS:
		return "cas"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Request is a client's message to a server. (ClientID, Seq) identifies the
// operation across retries so the state machine applies it at most once.
type Request struct {
	ClientID uint64
	Seq      uint64
	Op       OpKind
	Key      string
	Value    string
	Expected string // OpCAS only
	// AckSeq: the client has received replies for every Seq ≤ AckSeq, so the
	// session may forget their cached results.
	AckSeq uint64
	// Attempt numbers the client's sends of this (ClientID, Seq), from 1.
	// The server echoes it in every Response to this request, so the client
	// can tell which attempt a rejection refuses. Transport only: it is not
	// part of the command (AppendRequest leaves it out), so every attempt
	// proposes the same entry data.
	Attempt uint32
}

// ErrKind classifies a failed request. The client maps it to fail or info.
type ErrKind uint8

// Error kinds. ErrNone means success.
const (
	ErrNone           ErrKind = iota
	ErrNotLeader              // rejected before proposing: definite fail; LeaderHint may help
	ErrCASMismatch            // applied, and the compare failed: definite fail
	ErrDropped                // rejected before proposing (e.g. proposal queue full): definite fail
	ErrLeaderChanged          // proposed, then leadership was lost: outcome unknown (info)
	ErrSessionExpired         // the session's cached result is gone: outcome unknown (info)
)

// String returns the error kind name used in histories.
func (e ErrKind) String() string {
	switch e {
	case ErrNone:
		return ""
	case ErrNotLeader:
		return "not-leader"
	case ErrCASMismatch:
		return "cas-mismatch"
	case ErrDropped:
		return "dropped"
	case ErrLeaderChanged:
		return "leader-changed"
	case ErrSessionExpired:
		return "session-expired"
	}
	return "unknown"
}

// Response is a server's reply to a Request.
type Response struct {
	ClientID   uint64
	Seq        uint64
	Err        ErrKind
	Value      string // OpGet: the value read; OpAppend/OpPut/OpCAS: the value after
	Found      bool   // OpGet: whether the key existed
	LeaderHint int    // ErrNotLeader: the address of the leader this server knows, 0 if none
	Node       int    // the address of the server that answered
	Term       uint64 // the answering server's term when it answered
	Attempt    uint32 // the Request.Attempt this answers
	// ErrName, when set, names the error in the history instead of
	// Err.String(): live mode passes on the error code a real node answered
	// (e.g. "crash", "timeout") while Err still says how the client acts.
	ErrName string
}

// ErrString is the name the history records for r's error.
func (r *Response) ErrString() string {
	if r.ErrName != "" {
		return r.ErrName
	}
	return r.Err.String()
}
