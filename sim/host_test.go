package sim

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrashLosesTimersAndDropsMessages(t *testing.T) {
	w := newTestWorld(t, constLatency(1))
	var procs []*recProc
	a := addRec(t, w, 1, HostConfig{}, &procs)
	b := addRec(t, w, 2, HostConfig{}, nil)
	first := proc(a)
	a.After(10*Millisecond, 1)
	b.Send(1, "in flight at the crash")
	w.After(500*Microsecond, a.Crash)
	w.After(2*Millisecond, func() {
		assert.False(t, a.Alive())
		assert.Nil(t, a.Process())
		b.Send(1, "to a dead host")
	})
	require.NoError(t, w.Run(Second))
	assert.Empty(t, first.got)
	assert.Empty(t, first.fires, "the timer died with the process")
	s := w.Net().Stats()
	assert.EqualValues(t, 2, s.DroppedDead)
	requireConserved(t, s)
	a.Crash() // crashing a down host does nothing
	assert.Len(t, procs, 1)
}

func TestRestartRebuildsFromDiskOnly(t *testing.T) {
	w := newTestWorld(t, constLatency(2))
	type state struct{ volatile, fromDisk string }
	var states []*state
	h, err := w.AddHost(1, HostConfig{Disk: true}, func(h *Host) (Process, error) {
		b, _ := h.Disk().ReadFile("f")
		s := &state{fromDisk: string(b)}
		states = append(states, s)
		return &recProc{h: h}, nil
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, h.Incarnation())
	states[0].volatile = "lost at the crash"
	h.Disk().WriteFile("f", []byte("durable"))
	h.Disk().Sync(1)
	oldTimer := func() { h.After(30*Millisecond, 99) }
	w.After(Millisecond, oldTimer)
	w.After(2*Millisecond, func() { h.Restart(5 * Millisecond) }) // crashes it first
	w.After(3*Millisecond, func() {
		assert.False(t, h.Alive())
		assert.EqualValues(t, 1, h.Incarnation())
	})
	require.NoError(t, w.Run(Second))
	require.Len(t, states, 2)
	assert.Equal(t, state{fromDisk: "durable"}, *states[1])
	assert.True(t, h.Alive())
	assert.EqualValues(t, 2, h.Incarnation())
	assert.Empty(t, proc(h).fires, "the first incarnation's timer must not fire in the second")
}

func TestLaterRestartSupersedesPendingOne(t *testing.T) {
	w := newTestWorld(t, Config{})
	var procs []*recProc
	h := addRec(t, w, 1, HostConfig{}, &procs)
	h.Crash()
	h.Restart(10 * Millisecond)
	h.Restart(50 * Millisecond)
	require.NoError(t, w.Run(20*Millisecond))
	assert.False(t, h.Alive())
	require.NoError(t, w.Run(Second))
	assert.True(t, h.Alive())
	assert.Len(t, procs, 2)
}

func TestStartFailureIsFailStop(t *testing.T) {
	w := newTestWorld(t, constLatency(3))
	refuse := false
	corrupt := errors.New("checksum mismatch")
	h, err := w.AddHost(1, HostConfig{Disk: true}, func(h *Host) (Process, error) {
		h.Disk().Append("log", []byte("written by a start that then fails"))
		if refuse {
			return nil, corrupt
		}
		return &recProc{h: h}, nil
	})
	require.NoError(t, err)
	client := addRec(t, w, 1000, HostConfig{}, nil)
	refuse = true
	h.Restart(Millisecond)
	w.After(10*Millisecond, func() { client.Send(1, "to a node that refused to start") })
	require.NoError(t, w.Run(Second), "a refusing node is not a simulator failure")
	assert.False(t, h.Alive())
	assert.ErrorIs(t, h.DownReason(), corrupt)
	assert.EqualValues(t, 1, w.Net().Stats().DroppedDead)
	_, ok := h.Disk().ReadFile("log")
	assert.False(t, ok, "unsynced writes of the failed start are lost")

	refuse = false
	h.Restart(Millisecond)
	require.NoError(t, w.Run(2*Second))
	assert.True(t, h.Alive())
	assert.NoError(t, h.DownReason())
	assert.EqualValues(t, 3, h.Incarnation())
}

func TestAddHostReportsStartFailure(t *testing.T) {
	w := newTestWorld(t, Config{})
	h, err := w.AddHost(1, HostConfig{}, func(*Host) (Process, error) { return nil, nil })
	require.Error(t, err)
	require.NotNil(t, h, "the host exists, down")
	assert.False(t, h.Alive())
	assert.Equal(t, err, h.DownReason())
}

func TestDeadProcessActingFailsTheRun(t *testing.T) {
	w := newTestWorld(t, Config{Seed: 5})
	h := addRec(t, w, 1, HostConfig{Disk: true}, nil)
	addRec(t, w, 2, HostConfig{}, nil)
	h.Crash()
	h.Send(2, "from beyond the grave")
	err := w.Run(Second)
	require.ErrorIs(t, err, ErrHostDown)
	assert.Contains(t, err.Error(), "host 1")
	assert.Contains(t, err.Error(), "seed 5")
}

func TestPauseHoldsEverythingUntilResume(t *testing.T) {
	w := newTestWorld(t, constLatency(4))
	h := addRec(t, w, 1, HostConfig{Disk: true, SyncLatency: 5 * Millisecond}, nil)
	peer := addRec(t, w, 2, HostConfig{}, nil)
	p := proc(h)
	h.After(3*Millisecond, 1)            // due during the pause
	h.Disk().Append("f", []byte("data")) // synced during the pause, at 5ms
	h.Disk().Sync(2)
	h.After(20*Millisecond, 3) // due after the resume
	w.After(Millisecond, h.Pause)
	w.After(2*Millisecond, func() { peer.Send(1, "a") })
	w.After(4*Millisecond, func() { peer.Send(1, "b") })
	w.After(10*Millisecond, func() {
		assert.True(t, h.Paused())
		assert.Empty(t, p.got)
		assert.Empty(t, p.fires)
		assert.EqualValues(t, 2, w.Net().Stats().Held)
		assert.Zero(t, h.Disk().Unsynced(), "the kernel finished the sync while the process slept")
		h.Resume()
		peer.Send(1, "c") // arrives after everything held
	})
	require.NoError(t, w.Run(Second))
	assert.Equal(t, []any{"a", "b", "c"}, p.msgs())
	assert.Equal(t, []uint64{1, 2, 3}, p.tags(), "held timer and sync in arrival order, then the later timer")
	for _, f := range p.fires[:2] {
		assert.Equal(t, 10*Millisecond, f.at, "held items fire at resume")
	}
	for _, r := range p.got[:2] {
		assert.Equal(t, 10*Millisecond, r.at)
	}
	s := w.Net().Stats()
	assert.EqualValues(t, 3, s.Delivered)
	requireConserved(t, s)
}

func TestMessagesArrivingDuringDrainQueueBehind(t *testing.T) {
	w := newTestWorld(t, constLatency(5))
	h := addRec(t, w, 1, HostConfig{}, nil)
	peer := addRec(t, w, 2, HostConfig{}, nil)
	h.Pause()
	for i := range 5 {
		peer.Send(1, i)
	}
	// These arrive at the resume instant, queued before the drain events.
	w.After(Millisecond-1, func() { peer.Send(1, 5) })
	w.After(Millisecond, h.Resume)
	w.After(Millisecond-1, func() { peer.Send(1, 6) })
	require.NoError(t, w.Run(Second))
	assert.Equal(t, []any{0, 1, 2, 3, 4, 5, 6}, proc(h).msgs())
}

func TestPausedQueueOverflowIsCounted(t *testing.T) {
	cfg := constLatency(6)
	cfg.Net.PausedQueue = 3
	w := newTestWorld(t, cfg)
	h := addRec(t, w, 1, HostConfig{}, nil)
	peer := addRec(t, w, 2, HostConfig{}, nil)
	h.Pause()
	for i := range 5 {
		peer.Send(1, i)
	}
	w.After(10*Millisecond, h.Resume)
	require.NoError(t, w.Run(Second))
	assert.Equal(t, []any{0, 1, 2}, proc(h).msgs())
	s := w.Net().Stats()
	assert.EqualValues(t, 2, s.DroppedPausedOverflow)
	requireConserved(t, s)
}

func TestCrashWhilePausedDropsWhatWasHeld(t *testing.T) {
	w := newTestWorld(t, constLatency(7))
	var procs []*recProc
	h := addRec(t, w, 1, HostConfig{}, &procs)
	peer := addRec(t, w, 2, HostConfig{}, nil)
	h.After(2*Millisecond, 1)
	h.Pause()
	peer.Send(1, "held")
	w.After(5*Millisecond, func() {
		assert.EqualValues(t, 1, w.Net().Stats().Held)
		h.Restart(Millisecond)
	})
	require.NoError(t, w.Run(Second))
	require.Len(t, procs, 2)
	assert.Empty(t, procs[0].got)
	assert.Empty(t, procs[0].fires)
	assert.Empty(t, procs[1].got)
	assert.Empty(t, procs[1].fires)
	assert.False(t, h.Paused(), "a restarted host runs")
	s := w.Net().Stats()
	assert.EqualValues(t, 1, s.DroppedDead)
	requireConserved(t, s)
}

func TestHostsSortedByAddress(t *testing.T) {
	w := newTestWorld(t, Config{})
	for _, a := range []int{1001, 3, 1, 1000, 2} {
		addRec(t, w, a, HostConfig{}, nil)
	}
	var addrs []int
	for _, h := range w.Hosts() {
		addrs = append(addrs, h.Addr())
	}
	assert.Equal(t, []int{1, 2, 3, 1000, 1001}, addrs)
	assert.Equal(t, 1000, w.Host(1000).Addr())
	assert.Nil(t, w.Host(4))
	assert.Nil(t, w.Host(-1))
	assert.Nil(t, w.Host(1000).Disk(), "diskless unless configured")
}
