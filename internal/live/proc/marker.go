package proc

import (
	"bytes"
	"strconv"
)

// markerFormat is the line the driver appends to a node's stderr log before
// each start: the node id, the incarnation and the wall time.
const markerFormat = "--- raftcheck: %s incarnation %d starting at %s ---\n"

// markerPrefix starts every marker line.
var markerPrefix = []byte("--- raftcheck: ")

// Marker reports whether line (without its newline) is the driver's marker
// of a new incarnation in a stderr log, and which. A reader of the log
// attributes every later line to that incarnation, until the next marker.
func Marker(line []byte) (inc uint64, ok bool) {
	rest, found := bytes.CutPrefix(line, markerPrefix)
	if !found {
		return 0, false
	}
	_, rest, found = bytes.Cut(rest, []byte(" incarnation "))
	if !found {
		return 0, false
	}
	num, _, found := bytes.Cut(rest, []byte(" starting at "))
	if !found {
		return 0, false
	}
	n, err := strconv.ParseUint(string(num), 10, 64)
	return n, err == nil
}
