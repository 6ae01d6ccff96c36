package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamWorld builds servers 1 and 2 and a stream endpoint (a client) at 1000.
func streamWorld(t *testing.T, cfg Config) (w *World, s1, s2, client *Host) {
	t.Helper()
	w = newTestWorld(t, cfg)
	s1 = addRec(t, w, 1, HostConfig{}, nil)
	s2 = addRec(t, w, 2, HostConfig{}, nil)
	client = addRec(t, w, 1000, HostConfig{Stream: true}, nil)
	return w, s1, s2, client
}

// harshNet duplicates and reorders every message, over a jittery latency that
// reorders messages by itself too.
func harshNet(seed uint64) Config {
	return Config{Seed: seed, Net: NetConfig{
		Latency:   Dist{Kind: Exponential, Mean: Millisecond},
		Duplicate: 1,
		Reorder:   1,
	}}
}

// numbered returns the ints received, in delivery order.
func numbered(got []recv) []int {
	out := make([]int, len(got))
	for i, r := range got {
		out[i] = r.msg.(int)
	}
	return out
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestStreamLinksNeverDuplicateNorReorder(t *testing.T) {
	const n = 5_000
	w, s1, s2, client := streamWorld(t, harshNet(21))
	sendMany(t, w, client, 1, n) // client → server
	sendMany(t, w, s2, 1000, n)  // server → client
	sendMany(t, w, s1, 2, n)     // server → server: an ordinary link

	assert.Equal(t, upTo(n), numbered(proc(s1).got), "client→server: each message once, in order")
	assert.Equal(t, upTo(n), numbered(proc(client).got), "server→client: each message once, in order")

	got := proc(s2).got
	assert.Len(t, got, 2*n, "the ordinary link still duplicates every message")
	assert.Greater(t, inversions(got), n/10, "and reorders them")
	s := w.Net().Stats()
	assert.EqualValues(t, n, s.Duplicated, "only the server↔server link duplicated")
	requireConserved(t, s)
}

func TestStreamLinksKeepFIFOUnderJitterAndDelays(t *testing.T) {
	const n = 5_000
	cfg := Config{Seed: 22, Net: NetConfig{Latency: Dist{Kind: Exponential, Mean: Millisecond}}}
	w, s1, s2, client := streamWorld(t, cfg)
	require.NoError(t, w.Net().SetExtraDelay(2*Millisecond))
	require.NoError(t, w.Net().SetLinkExtraDelay(1000, 1, 5*Millisecond))
	sendMany(t, w, client, 1, n)
	sendMany(t, w, s2, 1, n)
	assert.Equal(t, upTo(n), numbered(proc(s1).got[:n]), "the stream link is FIFO")
	assert.Greater(t, inversions(proc(s1).got[n:]), n/10, "jitter reorders the ordinary link")
	// FIFO only ever holds a message back, to the one before it.
	for _, r := range proc(s1).got[:n] {
		require.Greater(t, r.at, Time(r.msg.(int))*Microsecond)
	}
}

func TestStreamLinksStillLoseMessages(t *testing.T) {
	const n = 20_000
	cfg := harshNet(23)
	cfg.Net.Loss = 0.3
	w, s1, _, client := streamWorld(t, cfg)
	sendMany(t, w, client, 1, n)
	got := numbered(proc(s1).got)
	assert.InDelta(t, 0.7, float64(len(got))/n, 0.015, "loss applies: a connection reset")
	assert.Zero(t, inversions(proc(s1).got), "what is left is in order")
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1], got[i], "no copy delivered twice")
	}
	s := w.Net().Stats()
	assert.Zero(t, s.Duplicated)
	requireConserved(t, s)
}

func TestStreamLinksArePartitioned(t *testing.T) {
	cfg := constLatency(24)
	cfg.Net.Latency = Dist{Kind: Constant, Mean: 10 * Millisecond}
	w, s1, _, client := streamWorld(t, cfg)
	client.Send(1, "in flight when the partition starts")
	w.After(5*Millisecond, func() { require.NoError(t, w.Net().Partition([]int{1}, []int{1000})) })
	w.After(20*Millisecond, func() { w.Net().Heal() })
	w.After(30*Millisecond, func() { client.Send(1, "after") })
	require.NoError(t, w.Run(Second))
	assert.Equal(t, []any{"after"}, proc(s1).msgs())
	assert.EqualValues(t, 1, w.Net().Stats().DroppedPartition)
}

// A Reset clears a slow link's delay, but not what its copies in flight
// promised: a message sent after it still waits for them.
func TestStreamFIFOSurvivesReset(t *testing.T) {
	w, s1, _, client := streamWorld(t, constLatency(25))
	require.NoError(t, w.Net().SetLinkLatency(1000, 1, Dist{Kind: Constant, Mean: 50 * Millisecond}))
	client.Send(1, 0)
	w.After(Millisecond, func() {
		w.Net().Reset()
		client.Send(1, 1)
	})
	require.NoError(t, w.Run(Second))
	got := proc(s1).got
	require.Len(t, got, 2)
	assert.Equal(t, []int{0, 1}, numbered(got))
	assert.Equal(t, 50*Millisecond, got[0].at)
	assert.Equal(t, 50*Millisecond, got[1].at, "held back to the earlier copy, not later")
}

// With duplication and reordering off, and messages far enough apart that
// jitter cannot swap them, marking a host as a stream endpoint changes
// nothing: not one draw from "net", so not one bit of the trace.
func TestStreamChangesNoDrawWithoutDupOrReorder(t *testing.T) {
	hash := func(stream bool, c NetConfig) uint64 {
		w := newTestWorld(t, Config{Seed: 26, Net: c})
		s1 := addRec(t, w, 1, HostConfig{}, nil)
		client := addRec(t, w, 1000, HostConfig{Stream: stream}, nil)
		for i := range 2_000 {
			w.After(Time(i)*10*Millisecond, func() {
				client.Send(1, i)
				s1.Send(1000, i)
			})
		}
		require.NoError(t, w.Run(Minute))
		return w.Trace().Hash()
	}
	quiet := NetConfig{Latency: Dist{Kind: Normal, Mean: Millisecond, Stddev: 300 * Microsecond}, Loss: 0.1, ExtraDelay: Millisecond / 10}
	assert.Equal(t, hash(false, quiet), hash(true, quiet))
	// The comparison can tell: with duplication on, the stream run differs.
	noisy := quiet
	noisy.Duplicate = 0.2
	assert.NotEqual(t, hash(false, noisy), hash(true, noisy))
}

// The reorder delay is not drawn on a stream link at all: FIFO alone would
// keep the order, but every message would still arrive late.
func TestStreamLinksTakeNoReorderDelay(t *testing.T) {
	const n = 1_000
	cfg := constLatency(27)
	cfg.Net.Reorder = 1
	w, s1, _, client := streamWorld(t, cfg)
	sendMany(t, w, client, 1, n)
	require.Len(t, proc(s1).got, n)
	for _, r := range proc(s1).got {
		require.Equal(t, Time(r.msg.(int))*Microsecond+Millisecond, r.at, "message %d", r.msg)
	}
}
