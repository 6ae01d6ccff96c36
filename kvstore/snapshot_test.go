package kvstore

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// populated returns a machine with data and sessions in every cache state.
func populated(t testing.TB) *machine {
	m := newMachine(64, false)
	i := uint64(0)
	next := func(r Request) {
		i++
		applyReq(t, m, i, r)
	}
	for k := 0; k < 20; k++ {
		next(Request{ClientID: uint64(k%6 + 1), Seq: uint64(k + 1), Op: OpPut, Key: fmt.Sprintf("k%02d", k), Value: fmt.Sprintf("v%d", k)})
	}
	next(Request{ClientID: 7, Seq: 1, Op: OpDelete, Key: "k03"})
	next(Request{ClientID: 8, Seq: 1, Op: OpCAS, Key: "k04", Expected: "nope", Value: "x"}) // cached mismatch
	next(Request{ClientID: 9, Seq: 1, Op: OpGet, Key: "absent"})                            // cached not-found
	next(Request{ClientID: 1, Seq: 50, AckSeq: 50, Op: OpAppend, Key: "k05", Value: "+"})   // applied and cached
	next(Request{ClientID: 1, Seq: 50, AckSeq: 50, Op: OpAppend, Key: "k05", Value: "+"})   // acknowledged: the cache is dropped
	next(Request{ClientID: 10, Seq: 1, Op: OpPut, Key: "", Value: ""})
	return m
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	m := populated(t)
	img := m.encode()
	r := newMachine(64, false)
	require.NoError(t, r.restore(img))
	assert.Equal(t, img, r.encode(), "re-encoding a restored image must give the same bytes")
	assert.Equal(t, m.digest(), r.digest())
	assert.Equal(t, m.sessions.len(), r.sessions.len())
	// The restored sessions still deduplicate: client 9's retried get answers
	// the cached not-found although the key exists now, client 8's retried
	// CAS its cached mismatch, and client 1's acknowledged op cannot be retried.
	applyReq(t, r, 100, Request{ClientID: 11, Seq: 1, Op: OpPut, Key: "absent", Value: "now"})
	assert.Equal(t, result{}, applyReq(t, r, 101, Request{ClientID: 9, Seq: 1, Op: OpGet, Key: "absent"}))
	assert.Equal(t, ErrCASMismatch, applyReq(t, r, 102, Request{ClientID: 8, Seq: 1, Op: OpCAS, Key: "k04", Expected: "nope", Value: "x"}).err)
	assert.Equal(t, ErrSessionExpired, applyReq(t, r, 103, Request{ClientID: 1, Seq: 50, Op: OpAppend, Key: "k05", Value: "+"}).err)
	// LRU order survives: the least recently used session expires first.
	var before, after []uint64
	m.sessions.each(func(s *session) { before = append(before, s.clientID) })
	require.NoError(t, r.restore(img))
	r.sessions.each(func(s *session) { after = append(after, s.clientID) })
	assert.Equal(t, before, after)
}

func TestSnapshotRestoreReplacesState(t *testing.T) {
	m := newMachine(8, false)
	applyReq(t, m, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "old", Value: "x"})
	require.NoError(t, m.restore(newMachine(8, false).encode()))
	_, ok := m.getString("old")
	assert.False(t, ok)
	assert.Zero(t, m.sessions.len())
}

func TestSnapshotRestoreRejectsDamage(t *testing.T) {
	img := populated(t).encode()
	for cut := 0; cut < len(img); cut++ {
		m := newMachine(64, false)
		assert.Error(t, m.restore(img[:cut]), "cut at %d", cut)
	}
	m := populated(t)
	d := m.digest()
	bad := append([]byte{}, img...)
	bad[0] = 99
	assert.ErrorContains(t, m.restore(bad), "version")
	assert.Equal(t, d, m.digest(), "a failed restore must leave the machine unchanged")
	assert.ErrorContains(t, m.restore(append(append([]byte{}, img...), 0)), "trailing")
}

func TestSnapshotRestoreRespectsSmallerBound(t *testing.T) {
	img := populated(t).encode()
	m := newMachine(2, false)
	require.NoError(t, m.restore(img))
	assert.Equal(t, 2, m.sessions.len())
	assert.NotNil(t, m.sessions.lookup(10), "the most recent sessions are kept")
}

func TestDigestEquality(t *testing.T) {
	// Same data reached in different orders and with different sessions: equal.
	a, b := newMachine(8, false), newMachine(8, false)
	applyReq(t, a, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "x", Value: "1"})
	applyReq(t, a, 2, Request{ClientID: 1, Seq: 2, Op: OpPut, Key: "y", Value: "2"})
	applyReq(t, b, 1, Request{ClientID: 9, Seq: 1, Op: OpPut, Key: "y", Value: "0"})
	applyReq(t, b, 2, Request{ClientID: 9, Seq: 2, Op: OpPut, Key: "x", Value: "1"})
	applyReq(t, b, 3, Request{ClientID: 9, Seq: 3, Op: OpAppend, Key: "y", Value: "2"})
	applyReq(t, b, 4, Request{ClientID: 9, Seq: 4, Op: OpCAS, Key: "y", Expected: "02", Value: "2"})
	assert.Equal(t, a.digest(), b.digest())

	// Any difference in data: different digests, including the key/value split.
	tests := []struct {
		name string
		k, v string
	}{
		{"value", "x", "2"}, {"key", "z", "1"}, {"split", "x1", ""},
	}
	base := newMachine(8, false)
	applyReq(t, base, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "x", Value: "1"})
	for _, tt := range tests {
		m := newMachine(8, false)
		applyReq(t, m, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: tt.k, Value: tt.v})
		assert.NotEqual(t, base.digest(), m.digest(), tt.name)
	}
	assert.NotEqual(t, newMachine(8, false).digest(), base.digest())
}

func FuzzMachineRestore(f *testing.F) {
	f.Add(populated(f).encode())
	f.Add([]byte{snapshotVersion, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newMachine(64, false)
		if err := m.restore(data); err != nil {
			return
		}
		r := newMachine(64, false)
		require.NoError(t, r.restore(m.encode()))
		require.Equal(t, m.digest(), r.digest())
	})
}

// TestDigestIsStable pins the digest of a known state: it is FNV-1a over
// length-prefixed keys and values in key order, and a change of the hash or
// its framing would make replicas of different builds look divergent.
func TestDigestIsStable(t *testing.T) {
	assert.Equal(t, uint64(0xcbf29ce484222325), newMachine(8, false).digest(), "FNV-1a offset basis for no data")
	assert.Equal(t, uint64(0x3b8eee5bdfd26143), populated(t).digest())
}
