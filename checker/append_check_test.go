package checker

import (
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckAppend(t *testing.T) {
	cases := []struct {
		name  string
		h     histories.History
		check string // "" = no problem
		ops   []int
		want  string
	}{
		{"clean", fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "read", key: "k", out: list(1), start: 2, end: 3},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 4, end: 5},
			call{p: 2, f: "append", key: "k", in: i64(3), start: 4, end: 5, typ: info},
			call{p: 1, f: "read", key: "k", out: list(1, 2), start: 6, end: 7},
		), "", nil, ""},
		{"duplicate element", fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 1, f: "read", key: "k", out: list(1, 1), start: 2, end: 3},
		), CheckAppendDuplicate, []int{3}, `read of key "k" at history #3 returned 1 twice (positions 0 and 1)`},
		{"reads not prefixes of one another", fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", key: "k", out: list(2), start: 4, end: 5},
			call{p: 1, f: "read", key: "k", out: list(1, 2), start: 6, end: 7},
		), CheckAppendPrefix, []int{5, 7}, `reads of key "k" at ops 5 and 7 disagree at position 0: 2 vs 1`},
		{"acknowledged append lost", fromCalls(
			call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 1},
			call{p: 0, f: "append", key: "k", in: i64(2), start: 2, end: 3},
			call{p: 1, f: "read", key: "k", out: list(2), start: 4, end: 5},
		), CheckAppendLost, []int{1, 5}, `append of 1 to key "k" acknowledged at history #1 is missing from the final read at history #5`},
		{"phantom element", fromCalls(
			call{p: 1, f: "read", key: "k", out: list(7), start: 0, end: 1},
		), CheckAppendPhantom, []int{1}, `read of key "k" at history #1 returned 7, which no op appended to it`},
		{"malformed history", hist(
			ev(1, 0, ok, "read", "k", list(1)),
		), CheckHistory, nil, "op 0: ok completion of process 0 without an invoke"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := CheckAppend(c.h)
			if c.check == "" {
				assert.Empty(t, ps)
				return
			}
			require.NotEmpty(t, ps)
			found := false
			for _, p := range ps {
				if p.Check == c.check {
					found = true
					assert.Equal(t, c.ops, p.Ops)
					assert.Contains(t, p.Detail, c.want)
				}
			}
			assert.True(t, found, "no %s among %v", c.check, ps)
		})
	}
}

// TestCheckAppendFinalRead: only a read invoked after the last acknowledged
// append completed judges lost appends; an earlier one may legitimately miss
// them.
func TestCheckAppendFinalRead(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "append", key: "k", in: i64(1), start: 0, end: 10},
		call{p: 1, f: "read", key: "k", out: list(), start: 5, end: 6},
	)
	assert.Empty(t, CheckAppend(h))
}

func TestCheckAppendBounded(t *testing.T) {
	var calls []call
	for i := 0; i < 3*maxProblemsPerCheck; i++ {
		calls = append(calls, call{p: 0, f: "read", key: "k", out: list(int64(100 + i)), start: int64(2 * i), end: int64(2*i + 1)})
	}
	phantoms := 0
	for _, p := range CheckAppend(fromCalls(calls...)) {
		if p.Check == CheckAppendPhantom {
			phantoms++
		}
	}
	assert.Equal(t, maxProblemsPerCheck, phantoms)
}

func TestCheckDigests(t *testing.T) {
	assert.Empty(t, CheckDigests([]ReplicaDigest{{1, 10, 0xaa}, {2, 10, 0xaa}, {3, 7, 0xbb}}), "replicas at different indices are not compared")
	ps := CheckDigests([]ReplicaDigest{{3, 10, 0xbb}, {1, 10, 0xaa}, {2, 10, 0xaa}, {4, 12, 0x1}, {5, 12, 0x2}})
	require.Len(t, ps, 2)
	assert.Equal(t, CheckDigest, ps[0].Check)
	assert.Equal(t, []int{1, 2, 3}, ps[0].Nodes)
	assert.Equal(t, "replicas that applied up to index 10 differ: nodes 1, 2 have 0xaa; node 3 has 0xbb", ps[0].Detail)
	assert.Equal(t, "replicas that applied up to index 12 differ: node 4 has 0x1; node 5 has 0x2", ps[1].Detail)
	assert.Empty(t, CheckDigests(nil))
}
