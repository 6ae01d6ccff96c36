package live

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"

	"github.com/raftcheck/raftcheck/internal/live/proc"
)

// Bounds of the role reader.
const (
	// tailChunk bounds the bytes of one node's log read per poll.
	tailChunk = 64 << 10
	// maxTailLine bounds a stderr line kept whole; a longer one is skipped.
	maxTailLine = 64 << 10
)

// rolePoll is how often, in run time, the nodes' stderr logs are read for
// role reports.
const rolePoll = 20 * 1e6 // 20 ms in nanoseconds

// roleReport is one role a node reported, with the incarnation that wrote it.
type roleReport struct {
	role string
	term uint64
	inc  uint64
}

// roleTail reads a node's stderr log as it grows (the node writes it
// directly: no pipe of ours slows it) and picks out the role reports.
// Lines are attributed to the incarnation named by the driver's latest
// marker (proc.Marker) before them.
type roleTail struct {
	path    string
	re      *regexp.Regexp
	roleIdx int
	termIdx int
	f       *os.File
	chunk   []byte // read buffer
	buf     []byte // read, not yet split into lines
	skip    bool   // the line in buf is over maxTailLine: drop it to its end
	inc     uint64 // incarnation of the lines being read
	want    uint64 // the incarnation whose reports count (the observer's)
	err     error  // a read error, once
	failed  bool
}

func newRoleTail(path string, re *regexp.Regexp) *roleTail {
	return &roleTail{path: path, re: re, roleIdx: re.SubexpIndex("role"), termIdx: re.SubexpIndex("term")}
}

// read returns the reports in what the node wrote since the last read (at
// most tailChunk bytes of it).
func (t *roleTail) read() []roleReport {
	if t.failed {
		return nil
	}
	if t.f == nil {
		f, err := os.Open(t.path)
		if errors.Is(err, os.ErrNotExist) {
			return nil // not started yet
		}
		if err != nil {
			t.fail(err)
			return nil
		}
		t.f = f
	}
	if t.chunk == nil {
		t.chunk = make([]byte, tailChunk)
	}
	n, err := t.f.Read(t.chunk)
	if err != nil && !errors.Is(err, io.EOF) {
		t.fail(err)
		return nil
	}
	t.buf = append(t.buf, t.chunk[:n]...)
	var out []roleReport
	for {
		nl := bytes.IndexByte(t.buf, '\n')
		if nl < 0 {
			break
		}
		line := t.buf[:nl]
		if !t.skip && len(line) <= maxTailLine {
			if r, ok := t.parse(line); ok {
				out = append(out, r)
			}
		}
		t.skip = false
		t.buf = t.buf[nl+1:]
	}
	if len(t.buf) > maxTailLine {
		t.buf, t.skip = t.buf[:0], true
	}
	// Keep the partial line at the front, so the buffer does not creep.
	t.buf = append(t.buf[:0:0], t.buf...)
	return out
}

func (t *roleTail) parse(line []byte) (roleReport, bool) {
	if inc, ok := proc.Marker(line); ok {
		t.inc = inc
		return roleReport{}, false
	}
	m := t.re.FindSubmatch(line)
	if m == nil || t.roleIdx < 0 || t.termIdx < 0 {
		return roleReport{}, false
	}
	role := normalRole(string(m[t.roleIdx]))
	term, err := strconv.ParseUint(string(m[t.termIdx]), 10, 64)
	if role == "" || err != nil {
		return roleReport{}, false
	}
	return roleReport{role: role, term: term, inc: t.inc}, true
}

func (t *roleTail) fail(err error) {
	t.failed = true
	t.err = fmt.Errorf("live: reading role reports from %s: %w", t.path, err)
}

func (t *roleTail) close() {
	if t.f != nil {
		t.f.Close()
	}
}
