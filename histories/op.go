package histories

// Type is a Jepsen operation type.
type Type uint8

// Operation types, with Jepsen's meaning:
//   - Invoke: the process started the operation;
//   - OK: it completed and took effect;
//   - Fail: it definitely did not take effect;
//   - Info: its outcome is unknown (it may or may not have taken effect, at any
//     time after the invoke). The process never completes another operation.
const (
	Invoke Type = iota + 1
	OK
	Fail
	Info
)

// String returns "invoke", "ok", "fail" or "info".
func (t Type) String() string {
	switch t {
	case Invoke:
		return "invoke"
	case OK:
		return "ok"
	case Fail:
		return "fail"
	case Info:
		return "info"
	}
	return "unknown"
}

// NemesisProcess is the Process of operations recorded by the nemesis (fault
// start/stop, Jepsen's `:process :nemesis`). They are always Type Info.
const NemesisProcess = -1

// Op is one history event.
//
// Value holds one of: nil, int64, string, or []any whose elements are again
// one of these. Conventions by workload:
//   - register: F "read" (Value int64 or nil), "write" (int64), "cas" ([]any{old, new});
//   - kv:       F "get" / "put" / "append" / "delete" with Key and a string Value
//     (a get of a missing key completes with Value nil);
//   - append:   F "append" (Key, int64 element), "read" (Key, []any of int64);
//   - nemesis:  F "start-<fault>" / "stop-<fault>", Value a string naming the targets.
type Op struct {
	Index   int    // position in the history, 0-based, dense
	Process int    // Jepsen process id; NemesisProcess for the nemesis
	Type    Type   // invoke / ok / fail / info
	F       string // operation name
	Key     string // "" for single-register histories
	Value   any    // see above
	Time    int64  // virtual time, nanoseconds (0 when the source has no times)
	Node    int    // the server that answered (completions only); 0 unknown
	Error   string // error kind for fail/info completions ("timeout", "not-leader", ...)
}

// ErrCASMismatch is the Error of a fail cas whose compare failed: the
// operation definitely changed nothing, and it observed, at some point
// between its invoke and its completion, a value other than the one it
// expected. Checkers keep such an op as that observation; a fail with any
// other Error (the cas was rejected before it was tried, say by a node that
// was not the leader) observed nothing and is dropped. raftcheck's clients
// record it for kvstore's CAS mismatch, and the etcd-log reader for every
// ":fail :cas" line (the format's meaning of a failed cas).
const ErrCASMismatch = "cas-mismatch"

// History is an ordered list of operations.
type History []Op
