package harness

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/raft"
)

// TestEntryDigestSeparates: entries that differ in type, length or any byte
// get different digests (a collision would hide a log-matching violation),
// and equal entries equal ones wherever their bytes live.
func TestEntryDigestSeparates(t *testing.T) {
	seen := map[uint64]string{}
	add := func(name string, e raft.Entry) {
		t.Helper()
		d := entryDigest(&e)
		if prev, dup := seen[d]; dup {
			t.Fatalf("%s and %s share digest %#x", prev, name, d)
		}
		seen[d] = name
	}
	add("empty normal", raft.Entry{Type: raft.EntryNormal})
	add("empty conf change", raft.Entry{Type: raft.EntryConfChange})
	add("one zero byte", raft.Entry{Data: []byte{0}})
	add("eight zero bytes", raft.Entry{Data: make([]byte, 8)})
	add("nine zero bytes", raft.Entry{Data: make([]byte, 9)})
	for n := 1; n <= 40; n++ {
		for i := 0; i < n; i++ {
			data := make([]byte, n)
			for j := range data {
				data[j] = byte(j + 1)
			}
			data[i] ^= 0x80
			add(fmt.Sprintf("%d bytes, byte %d flipped", n, i), raft.Entry{Data: data})
		}
	}
	// Commands as a run writes them: many similar ones.
	for i := range 100_000 {
		data := binary.AppendUvarint([]byte("put k"), uint64(i))
		add(string(data), raft.Entry{Data: data})
	}
	a := raft.Entry{Data: []byte("the same command")}
	b := raft.Entry{Data: append([]byte("xx"), "the same command"...)[2:]}
	assert.Equal(t, entryDigest(&a), entryDigest(&b))
}
