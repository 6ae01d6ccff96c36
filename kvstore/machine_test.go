package kvstore

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// applyReq encodes r as a log entry would carry it and applies it at index.
func applyReq(t testing.TB, m *machine, index uint64, r Request) result {
	t.Helper()
	var c command
	require.NoError(t, c.decode(AppendRequest(nil, &r)))
	return m.apply(index, &c)
}

func TestMachineOperations(t *testing.T) {
	type step struct {
		req  Request
		want result
	}
	put := func(k, v string) Request { return Request{Op: OpPut, Key: k, Value: v} }
	get := func(k string) Request { return Request{Op: OpGet, Key: k} }
	app := func(k, v string) Request { return Request{Op: OpAppend, Key: k, Value: v} }
	cas := func(k, exp, v string) Request { return Request{Op: OpCAS, Key: k, Expected: exp, Value: v} }
	del := func(k string) Request { return Request{Op: OpDelete, Key: k} }
	tests := []struct {
		name  string
		steps []step
	}{
		{"get missing", []step{{get("a"), result{}}}},
		{"put then get", []step{{put("a", "1"), result{value: "1", found: true}}, {get("a"), result{value: "1", found: true}}}},
		{"put overwrites", []step{{put("a", "1"), result{value: "1", found: true}}, {put("a", "2"), result{value: "2", found: true}}, {get("a"), result{value: "2", found: true}}}},
		{"empty value is found", []step{{put("a", ""), result{found: true}}, {get("a"), result{found: true}}}},
		{"append to missing", []step{{app("a", "x"), result{value: "x", found: true}}, {get("a"), result{value: "x", found: true}}}},
		{"append concatenates", []step{{put("a", "1 "), result{value: "1 ", found: true}}, {app("a", "2 "), result{value: "1 2 ", found: true}}, {app("a", "3"), result{value: "1 2 3", found: true}}}},
		{"cas match", []step{{put("a", "1"), result{value: "1", found: true}}, {cas("a", "1", "2"), result{value: "2", found: true}}, {get("a"), result{value: "2", found: true}}}},
		{"cas mismatch leaves value", []step{{put("a", "1"), result{value: "1", found: true}}, {cas("a", "3", "2"), result{err: ErrCASMismatch, value: "1", found: true}}, {get("a"), result{value: "1", found: true}}}},
		{"cas on missing key fails even for empty expected", []step{{cas("a", "", "2"), result{err: ErrCASMismatch}}, {get("a"), result{}}}},
		{"delete existing", []step{{put("a", "1"), result{value: "1", found: true}}, {del("a"), result{found: true}}, {get("a"), result{}}}},
		{"delete missing", []step{{del("a"), result{}}}},
		{"delete keeps other keys", []step{
			{put("a", "1"), result{value: "1", found: true}}, {put("b", "2"), result{value: "2", found: true}}, {put("c", "3"), result{value: "3", found: true}},
			{del("a"), result{found: true}},
			{get("b"), result{value: "2", found: true}}, {get("c"), result{value: "3", found: true}},
			{put("a", "4"), result{value: "4", found: true}}, {get("a"), result{value: "4", found: true}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(16, false)
			for i, st := range tt.steps {
				st.req.ClientID, st.req.Seq = 1, uint64(i+1)
				assert.Equal(t, st.want, applyReq(t, m, uint64(i+1), st.req), "step %d: %v", i, st.req.Op)
			}
		})
	}
}

func TestSessionRetryReturnsFirstResultWithoutReapplying(t *testing.T) {
	m := newMachine(16, false)
	first := applyReq(t, m, 1, Request{ClientID: 5, Seq: 1, Op: OpAppend, Key: "k", Value: "x"})
	require.Equal(t, result{value: "x", found: true}, first)
	// Another client changes the key in between; the retry must still answer
	// the first result, and must not append again.
	applyReq(t, m, 2, Request{ClientID: 6, Seq: 1, Op: OpAppend, Key: "k", Value: "y"})
	for i := uint64(3); i < 6; i++ {
		assert.Equal(t, first, applyReq(t, m, i, Request{ClientID: 5, Seq: 1, Op: OpAppend, Key: "k", Value: "x"}))
	}
	v, _ := m.getString("k")
	assert.Equal(t, "xy", v, "retries applied again")
}

func TestSessionRetryOfFailedCASStaysFailed(t *testing.T) {
	m := newMachine(16, false)
	applyReq(t, m, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "0"})
	r := applyReq(t, m, 2, Request{ClientID: 2, Seq: 1, Op: OpCAS, Key: "k", Expected: "1", Value: "2"})
	require.Equal(t, ErrCASMismatch, r.err)
	applyReq(t, m, 3, Request{ClientID: 1, Seq: 2, Op: OpPut, Key: "k", Value: "1"})
	// Now the CAS would succeed if re-executed; a retry must keep its first outcome.
	assert.Equal(t, r, applyReq(t, m, 4, Request{ClientID: 2, Seq: 1, Op: OpCAS, Key: "k", Expected: "1", Value: "2"}))
	v, _ := m.getString("k")
	assert.Equal(t, "1", v)
}

func TestSessionOlderSeqIsExpired(t *testing.T) {
	m := newMachine(16, false)
	applyReq(t, m, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "a"})
	applyReq(t, m, 2, Request{ClientID: 1, Seq: 2, Op: OpPut, Key: "k", Value: "b"})
	// A delayed copy of Seq 1 arrives after Seq 2 applied: it must not apply.
	assert.Equal(t, result{err: ErrSessionExpired}, applyReq(t, m, 3, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "a"}))
	v, _ := m.getString("k")
	assert.Equal(t, "b", v)
}

func TestSessionAckSeqDropsCachedResult(t *testing.T) {
	m := newMachine(16, false)
	applyReq(t, m, 1, Request{ClientID: 1, Seq: 1, Op: OpPut, Key: "k", Value: "a"})
	s := m.sessions.lookup(1)
	require.NotNil(t, s)
	require.True(t, s.cached)
	// The next op acknowledges Seq 1: its result is replaced by Seq 2's.
	applyReq(t, m, 2, Request{ClientID: 1, Seq: 2, AckSeq: 1, Op: OpPut, Key: "k", Value: "b"})
	assert.Equal(t, uint64(2), s.lastSeq)
	assert.Equal(t, "b", s.result.value)
	// A request acknowledging its own Seq cannot be answered again.
	assert.Equal(t, result{err: ErrSessionExpired}, applyReq(t, m, 3, Request{ClientID: 1, Seq: 2, AckSeq: 2, Op: OpPut, Key: "k", Value: "b"}))
	assert.False(t, s.cached)
	assert.Empty(t, s.result.value, "acknowledged value still held")
}

func TestSessionExpiryIsLeastRecentlyUsedAndBounded(t *testing.T) {
	m := newMachine(3, false)
	index := uint64(0)
	do := func(client, seq uint64) result {
		index++
		return applyReq(t, m, index, Request{ClientID: client, Seq: seq, Op: OpAppend, Key: "k", Value: fmt.Sprint(client)})
	}
	do(1, 1)
	do(2, 1)
	do(3, 1)
	do(1, 2) // client 1 is now the most recently used; 2 the least
	do(4, 1) // table full: client 2 expires
	assert.Equal(t, 3, m.sessions.len())
	assert.Nil(t, m.sessions.lookup(2))
	assert.NotNil(t, m.sessions.lookup(1))
	assert.Equal(t, uint64(1), m.expired)
	var order []uint64
	m.sessions.each(func(s *session) { order = append(order, s.clientID) })
	assert.Equal(t, []uint64{3, 1, 4}, order)
	// A retry hit touches the session too.
	do(3, 1)
	do(5, 1) // client 1 expires now
	assert.Nil(t, m.sessions.lookup(1))
	for i := uint64(6); i < 200; i++ {
		do(i, 1)
		require.LessOrEqual(t, m.sessions.len(), 3)
	}
	assert.LessOrEqual(t, len(m.sessions.slots), 3, "slots are reused")
}

func TestSessionExpiryIsDeterministicAcrossReplicas(t *testing.T) {
	// Two replicas applying the same commands must expire the same sessions,
	// whatever their maps do internally.
	a, b := newMachine(8, false), newMachine(8, false)
	for i := uint64(1); i <= 500; i++ {
		r := Request{ClientID: (i*7919)%37 + 1, Seq: i, Op: OpAppend, Key: fmt.Sprint(i % 5), Value: "."}
		assert.Equal(t, applyReq(t, a, i, r), applyReq(t, b, i, r))
	}
	assert.Equal(t, a.encode(), b.encode())
}

func TestNoDedupBugAppliesRetriesTwice(t *testing.T) {
	m := newMachine(16, true)
	r := Request{ClientID: 1, Seq: 1, Op: OpAppend, Key: "k", Value: "x"}
	applyReq(t, m, 1, r)
	assert.Equal(t, result{value: "xx", found: true}, applyReq(t, m, 2, r))
	v, _ := m.getString("k")
	assert.Equal(t, "xx", v, "with NoDedup a retry must apply again")
	assert.Zero(t, m.sessions.len())
}

// BenchmarkMachineApply measures decode + apply of one committed command, per
// operation kind; every command is new to its session, so it executes. A put
// allocates its value and an append grows its buffer; gets and CAS mismatches
// allocate nothing.
func BenchmarkMachineApply(b *testing.B) {
	const keys = 64
	mixes := []struct {
		name string
		ops  []OpKind
	}{
		{"get", []OpKind{OpGet}},
		{"put", []OpKind{OpPut}},
		{"append", []OpKind{OpAppend}},
		{"cas", []OpKind{OpCAS}},
		{"mixed", []OpKind{OpGet, OpPut, OpAppend, OpGet, OpCAS, OpGet}},
	}
	for _, mix := range mixes {
		b.Run(mix.name, func(b *testing.B) {
			cmds := make([][]byte, 1024)
			for i := range cmds {
				cmds[i] = AppendRequest(nil, &Request{ClientID: uint64(i%10 + 1), Seq: 1, Op: mix.ops[i%len(mix.ops)],
					Key: fmt.Sprintf("key-%d", i%keys), Value: fmt.Sprintf("v%d", i%7), Expected: fmt.Sprintf("v%d", i%5)})
			}
			m := newMachine(1024, false)
			for k := 0; k < keys; k++ {
				applyReq(b, m, 0, Request{ClientID: 99, Seq: uint64(k + 1), Op: OpPut, Key: fmt.Sprintf("key-%d", k), Value: "v0"})
			}
			var c command
			b.ReportAllocs()
			i := uint64(0)
			for b.Loop() {
				i++
				if err := c.decode(cmds[i%uint64(len(cmds))]); err != nil {
					b.Fatal(err)
				}
				c.seq = i
				m.apply(i, &c)
				if i%4096 == 0 && mix.name == "append" {
					// Keep values short: the cost measured is the append, not
					// an ever longer copy on the first append after a reset.
					m = newMachine(1024, false)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applies/s")
		})
	}
}

func TestAppendNeverChangesValuesHandedOut(t *testing.T) {
	m := newMachine(16, false)
	var seen []string
	for i := 0; i < 100; i++ {
		r := applyReq(t, m, uint64(i+1), Request{ClientID: 1, Seq: uint64(i + 1), Op: OpAppend, Key: "k", Value: fmt.Sprintf("<%d>", i)})
		seen = append(seen, r.value)
		if i == 50 {
			applyReq(t, m, 1000, Request{ClientID: 2, Seq: 1, Op: OpPut, Key: "k", Value: "reset"})
		}
	}
	want := ""
	for i := 0; i < 100; i++ {
		if i == 51 {
			want = "reset"
		}
		want += fmt.Sprintf("<%d>", i)
		assert.Equal(t, want, seen[i], "value returned by append %d changed later", i)
	}
	v, _ := m.getString("k")
	assert.Equal(t, want, v)
}
