package main

import (
	"bytes"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck"
)

// TestLimitMemory: issue 15 part 5. --check-memory bounds the whole
// process: the runtime's soft memory limit goes to 15/16 of it (the rest is
// headroom), a lower limit already set (GOMEMLIMIT) wins, and no bound sets
// nothing. Reads the limit, never the heap.
func TestLimitMemory(t *testing.T) {
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })

	debug.SetMemoryLimit(1 << 62)
	assert.Equal(t, int64(1<<62), limitMemory(0), "no bound: nothing set")
	assert.Equal(t, int64(1<<62), debug.SetMemoryLimit(-1))

	want := int64(4<<30) / 16 * 15
	assert.Equal(t, want, limitMemory(raftcheck.ByteSize(4<<30)))
	assert.Equal(t, want, debug.SetMemoryLimit(-1), "the runtime's limit is set")

	debug.SetMemoryLimit(1 << 30)
	assert.Equal(t, int64(1<<30), limitMemory(raftcheck.ByteSize(4<<30)), "a lower limit in force wins")
	assert.Equal(t, int64(1<<30), debug.SetMemoryLimit(-1))
}

// TestFitWorkers: a sweep's parallel runs are lowered until their predicted
// state fits in 3/4 of --check-memory together, with a note; small runs and
// no bound leave --workers alone.
func TestFitWorkers(t *testing.T) {
	big := raftcheck.DefaultConfig()
	big.Nodes, big.Clients, big.Rate = 101, 1000, 0 // ~1.8GiB each
	var note bytes.Buffer
	assert.Equal(t, 1, fitWorkers(8, big, &note))
	assert.Contains(t, note.String(), "--workers 8 lowered to 1")
	big.CheckMemory = raftcheck.ByteSize(16 << 30)
	note.Reset()
	assert.Equal(t, 6, fitWorkers(8, big, &note))
	big.CheckMemory = 0
	note.Reset()
	assert.Equal(t, 8, fitWorkers(8, big, &note))
	assert.Empty(t, note.String())
	assert.Equal(t, 8, fitWorkers(8, raftcheck.DefaultConfig(), &note))
	assert.Empty(t, note.String())
}
