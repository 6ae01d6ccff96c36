package harness

import (
	"strconv"

	"github.com/raftcheck/raftcheck/raft"
)

func itoa(i int) string    { return strconv.Itoa(i) }
func utoa(u uint64) string { return strconv.FormatUint(u, 10) }

// msgKindName names the message type carried in a trace record's kind byte
// (raft messages report their type + 1 through TraceKind; 0 is unknown).
func msgKindName(k uint8) string {
	if k == 0 {
		return "msg"
	}
	return raft.MessageType(k - 1).String()
}
