package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeHosts builds hosts 1, 2, 3 running recProcs.
func threeHosts(t *testing.T, cfg Config) (*World, []*Host) {
	t.Helper()
	w := newTestWorld(t, cfg)
	var hs []*Host
	for a := 1; a <= 3; a++ {
		hs = append(hs, addRec(t, w, a, HostConfig{}, nil))
	}
	return w, hs
}

func TestConstantLatency(t *testing.T) {
	w, hs := threeHosts(t, constLatency(1))
	hs[0].Send(2, "hi")
	require.NoError(t, w.Run(Second))
	require.Len(t, proc(hs[1]).got, 1)
	assert.Equal(t, recv{at: Millisecond, from: 1, msg: "hi"}, proc(hs[1]).got[0])
	s := w.Net().Stats()
	assert.EqualValues(t, 1, s.Sent)
	assert.EqualValues(t, 1, s.Delivered)
	requireConserved(t, s)
}

func TestLinkLatencyOverride(t *testing.T) {
	w, hs := threeHosts(t, constLatency(1))
	slow := Dist{Kind: Constant, Mean: 50 * Millisecond}
	require.NoError(t, w.Net().SetLinkLatency(1, 2, slow))
	hs[0].Send(2, "slow")
	hs[1].Send(1, "reverse")
	hs[0].Send(3, "other")
	require.NoError(t, w.Run(Second))
	assert.Equal(t, 50*Millisecond, proc(hs[1]).got[0].at, "the overridden link")
	assert.Equal(t, Millisecond, proc(hs[0]).got[0].at, "the reverse link keeps the default")
	assert.Equal(t, Millisecond, proc(hs[2]).got[0].at)

	require.NoError(t, w.Net().ClearLinkLatency(1, 2))
	hs[0].Send(2, "fast")
	require.NoError(t, w.Run(2*Second))
	assert.Equal(t, Second+Millisecond, proc(hs[1]).got[1].at)

	assert.Error(t, w.Net().SetLinkLatency(1, 2, Dist{Kind: Constant}), "zero latency")
	assert.ErrorIs(t, w.Err(), ErrBadArgument, "a bad knob fails the run")
}

// sendMany sends n numbered messages 1→2, one per microsecond, and runs.
func sendMany(t *testing.T, w *World, from *Host, to, n int) {
	t.Helper()
	for i := range n {
		w.After(Time(i)*Microsecond, func() { from.Send(to, i) })
	}
	require.NoError(t, w.Run(w.Now()+Time(n)*Microsecond+Minute))
}

func TestLossRate(t *testing.T) {
	cfg := constLatency(2)
	cfg.Net.Loss = 0.3
	w, hs := threeHosts(t, cfg)
	const n = 20_000
	sendMany(t, w, hs[0], 2, n)
	s := w.Net().Stats()
	assert.InDelta(t, 0.3, float64(s.DroppedLoss)/n, 0.015)
	assert.EqualValues(t, len(proc(hs[1]).got), s.Delivered)
	requireConserved(t, s)
}

func TestLinkLossIsIndependentOfNetworkLoss(t *testing.T) {
	w, hs := threeHosts(t, constLatency(3))
	require.NoError(t, w.Net().SetLoss(0.2))
	require.NoError(t, w.Net().SetLinkLoss(1, 2, 0.5))
	const n = 20_000
	sendMany(t, w, hs[0], 2, n)
	sendMany(t, w, hs[0], 3, n)
	assert.InDelta(t, 0.8*0.5, float64(len(proc(hs[1]).got))/n, 0.015, "flaky link: both losses apply")
	assert.InDelta(t, 0.8, float64(len(proc(hs[2]).got))/n, 0.015, "other link: network loss only")
}

func TestDuplicateRate(t *testing.T) {
	cfg := constLatency(4)
	cfg.Net.Duplicate = 0.25
	cfg.Net.Latency = Dist{Kind: Uniform, Min: Millisecond, Max: 5 * Millisecond}
	w, hs := threeHosts(t, cfg)
	const n = 20_000
	sendMany(t, w, hs[0], 2, n)
	s := w.Net().Stats()
	assert.InDelta(t, 0.25, float64(s.Duplicated)/n, 0.015)
	assert.EqualValues(t, n+s.Duplicated, s.Delivered)
	requireConserved(t, s)

	// Each copy draws its own latency: copies of one message rarely arrive together.
	first := map[int]Time{}
	apart := 0
	for _, r := range proc(hs[1]).got {
		i := r.msg.(int)
		if at, seen := first[i]; seen && at != r.at {
			apart++
		}
		first[i] = r.at
	}
	assert.Greater(t, apart, int(s.Duplicated)*9/10)
}

// inversions counts messages delivered after a higher-numbered one.
func inversions(got []recv) (inv int) {
	maxSeen := -1
	for _, r := range got {
		if i := r.msg.(int); i < maxSeen {
			inv++
		} else {
			maxSeen = i
		}
	}
	return inv
}

func TestReorder(t *testing.T) {
	const n = 10_000
	t.Run("constant latency keeps order", func(t *testing.T) {
		w, hs := threeHosts(t, constLatency(5))
		sendMany(t, w, hs[0], 2, n)
		assert.Zero(t, inversions(proc(hs[1]).got))
	})
	t.Run("reorder probability delays that fraction", func(t *testing.T) {
		cfg := constLatency(5)
		cfg.Net.Reorder = 0.2
		cfg.Net.ReorderDelay = 2 * Millisecond
		w, hs := threeHosts(t, cfg)
		sendMany(t, w, hs[0], 2, n)
		delayed := 0
		for _, r := range proc(hs[1]).got {
			if r.at-Time(r.msg.(int))*Microsecond > Millisecond {
				delayed++
			}
		}
		assert.InDelta(t, 0.2, float64(delayed)/n, 0.015)
		assert.Greater(t, inversions(proc(hs[1]).got), n/10, "later messages overtake the delayed ones")
	})
	t.Run("jitter reorders too", func(t *testing.T) {
		cfg := constLatency(5)
		cfg.Net.Latency = Dist{Kind: Exponential, Mean: Millisecond}
		w, hs := threeHosts(t, cfg)
		sendMany(t, w, hs[0], 2, n)
		assert.Greater(t, inversions(proc(hs[1]).got), n/10)
	})
}

func TestExtraDelay(t *testing.T) {
	w, hs := threeHosts(t, constLatency(6))
	require.NoError(t, w.Net().SetExtraDelay(4*Millisecond))
	require.NoError(t, w.Net().SetLinkExtraDelay(1, 3, 10*Millisecond))
	const n = 20_000
	sendMany(t, w, hs[0], 2, n)
	start3 := w.Now()
	sendMany(t, w, hs[0], 3, n)
	mean := func(got []recv, start Time) float64 {
		var sum float64
		for _, r := range got {
			sum += float64(r.at - start - Time(r.msg.(int))*Microsecond)
		}
		return sum / float64(len(got))
	}
	assert.InEpsilon(t, float64(5*Millisecond), mean(proc(hs[1]).got, 0), 0.03)
	assert.InEpsilon(t, float64(15*Millisecond), mean(proc(hs[2]).got, start3), 0.03)

	w.Net().Reset()
	start := w.Now()
	hs[0].Send(3, -1)
	require.NoError(t, w.Run(start+Second))
	got := proc(hs[2]).got
	assert.Equal(t, start+Millisecond, got[len(got)-1].at, "Reset removes both delays")
}

func TestSymmetricPartitionDropsInFlightMessages(t *testing.T) {
	cfg := constLatency(7)
	cfg.Net.Latency = Dist{Kind: Constant, Mean: 10 * Millisecond}
	w, hs := threeHosts(t, cfg)
	hs[0].Send(2, "in flight when the partition starts")
	hs[0].Send(3, "to the same side")
	w.After(5*Millisecond, func() { require.NoError(t, w.Net().Partition([]int{1, 3}, []int{2})) })
	w.After(12*Millisecond, func() { hs[1].Send(3, "dropped: arrives during the partition") })
	w.After(20*Millisecond, func() {
		assert.True(t, w.Net().Blocked(1, 2))
		assert.True(t, w.Net().Blocked(2, 1))
		assert.True(t, w.Net().Blocked(2, 3))
		assert.False(t, w.Net().Blocked(1, 3))
		hs[1].Send(1, "during")
	})
	w.After(25*Millisecond, func() { w.Net().Heal() })
	w.After(26*Millisecond, func() { hs[0].Send(2, "sent during, delivered after heal") })
	w.After(40*Millisecond, func() { hs[1].Send(1, "after") })
	require.NoError(t, w.Run(Second))

	assert.Equal(t, []any{"sent during, delivered after heal"}, proc(hs[1]).msgs())
	assert.Equal(t, []any{"during", "after"}, proc(hs[0]).msgs(), "'during' was sent before the heal but arrived after it")
	assert.Equal(t, []any{"to the same side"}, proc(hs[2]).msgs())
	s := w.Net().Stats()
	assert.EqualValues(t, 2, s.DroppedPartition)
	requireConserved(t, s)
}

func TestPartitionIsCheckedAtDeliveryTime(t *testing.T) {
	cfg := constLatency(8)
	cfg.Net.Latency = Dist{Kind: Constant, Mean: 10 * Millisecond}
	w, hs := threeHosts(t, cfg)
	require.NoError(t, w.Net().Block(1, 2))
	hs[0].Send(2, "sent while blocked, arrives after unblock")
	w.After(5*Millisecond, func() { require.NoError(t, w.Net().Unblock(1, 2)) })
	require.NoError(t, w.Run(Second))
	assert.Len(t, proc(hs[1]).got, 1)
}

func TestOneWayPartition(t *testing.T) {
	w, hs := threeHosts(t, constLatency(9))
	require.NoError(t, w.Net().Block(1, 2))
	hs[0].Send(2, "dropped")
	hs[1].Send(1, "delivered")
	hs[0].Send(3, "other link")
	require.NoError(t, w.Run(Second))
	assert.Empty(t, proc(hs[1]).got)
	assert.Equal(t, []any{"delivered"}, proc(hs[0]).msgs())
	assert.Len(t, proc(hs[2]).got, 1)
	assert.EqualValues(t, 1, w.Net().Stats().DroppedPartition)
}

func TestPartitionLeavesUngroupedHostsConnected(t *testing.T) {
	w, _ := threeHosts(t, constLatency(10))
	addRec(t, w, 1000, HostConfig{}, nil)
	require.NoError(t, w.Net().Partition([]int{1}, []int{2, 3}))
	for _, a := range []int{1, 2, 3} {
		assert.False(t, w.Net().Blocked(1000, a))
		assert.False(t, w.Net().Blocked(a, 1000))
	}
	assert.False(t, w.Net().Blocked(2, 3))
	assert.True(t, w.Net().Blocked(3, 1))
}

func TestBadAddressesFailTheRun(t *testing.T) {
	t.Run("send", func(t *testing.T) {
		w, hs := threeHosts(t, Config{Seed: 99})
		w.After(Millisecond, func() { hs[0].Send(77, "nobody") })
		err := w.Run(Second)
		require.ErrorIs(t, err, ErrUnknownAddress)
		assert.Contains(t, err.Error(), "seed 99")
		assert.Contains(t, err.Error(), "77")
	})
	t.Run("network send from unknown", func(t *testing.T) {
		w, _ := threeHosts(t, Config{})
		w.Net().Send(55, 1, "x")
		assert.ErrorIs(t, w.Run(Second), ErrUnknownAddress)
	})
	t.Run("block", func(t *testing.T) {
		w, _ := threeHosts(t, Config{})
		assert.ErrorIs(t, w.Net().Block(1, 9), ErrUnknownAddress)
		assert.ErrorIs(t, w.Run(Second), ErrUnknownAddress)
	})
	t.Run("partition overlap", func(t *testing.T) {
		w, _ := threeHosts(t, Config{})
		assert.ErrorIs(t, w.Net().Partition([]int{1, 2}, []int{2, 3}), ErrBadArgument)
		assert.False(t, w.Net().Blocked(1, 3), "nothing was blocked")
	})
	t.Run("bad probability", func(t *testing.T) {
		w, _ := threeHosts(t, Config{})
		err := w.Net().SetDuplicate(1.01)
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "duplicate", fe.Field)
		assert.ErrorIs(t, w.Run(Second), ErrBadArgument)
	})
}

type kindedMsg struct{}

func (kindedMsg) TraceKind() uint8 { return 42 }

func TestMessageTraceKindIsRecorded(t *testing.T) {
	w, hs := threeHosts(t, constLatency(11))
	var recs []Record
	w.Trace().SetSink(func(r Record) { recs = append(recs, r) })
	hs[0].Send(2, kindedMsg{})
	require.NoError(t, w.Run(Second))
	require.Len(t, recs, 2)
	assert.Equal(t, Record{At: 0, Kind: KindSend, A: 1, B: 2, X: 42, Y: int64(Millisecond)}, recs[0])
	assert.Equal(t, Record{At: Millisecond, Kind: KindDeliver, A: 1, B: 2, X: 42}, recs[1])
}
