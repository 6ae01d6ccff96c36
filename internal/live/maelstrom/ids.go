package maelstrom

import (
	"strconv"
	"strings"
)

// HarnessID is the client id the harness sends init from.
const HarnessID = "c0"

// NodeID returns the id of node i (0-based): "n0", "n1", ...
func NodeID(i int) string { return "n" + strconv.Itoa(i) }

// NodeIDs returns the ids of an n-node cluster, in order.
func NodeIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = NodeID(i)
	}
	return ids
}

// ClientID returns the id of client k (k ≥ 1): "c1", "c2", ...
func ClientID(k int) string { return "c" + strconv.Itoa(k) }

// ParseIndex parses an id of the form prefix + decimal (as "n3" or "c12")
// and returns the number, or false. Leading zeros and signs are refused so
// that every number has exactly one id.
func ParseIndex(id string, prefix byte) (int, bool) {
	if len(id) < 2 || id[0] != prefix {
		return 0, false
	}
	s := id[1:]
	if len(s) > 1 && s[0] == '0' || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
