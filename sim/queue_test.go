package sim

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventsRunInTimeThenSchedulingOrder(t *testing.T) {
	w := newTestWorld(t, Config{})
	var order []uint64
	h := handlerFunc(func(tag uint64) { order = append(order, tag) })
	// Tags encode the expected position: time first, then scheduling order
	// within one instant, whichever API scheduled the event.
	w.Schedule(30, h, 5)
	w.Schedule(10, h, 1)
	w.After(20, func() { order = append(order, 3) })
	w.Schedule(10, h, 2)
	w.Schedule(20, h, 4)
	w.Schedule(30, h, 6)
	require.NoError(t, w.Run(100))
	assert.Equal(t, []uint64{1, 2, 3, 4, 5, 6}, order)
	assert.Equal(t, Time(100), w.Now())
	assert.EqualValues(t, 6, w.Events())
}

func TestEventScheduledForNowRunsAfterQueuedPeers(t *testing.T) {
	w := newTestWorld(t, Config{})
	var order []string
	w.After(10, func() {
		order = append(order, "a")
		w.After(0, func() { order = append(order, "a-child") })
	})
	w.After(10, func() { order = append(order, "b") })
	require.NoError(t, w.Run(10))
	assert.Equal(t, []string{"a", "b", "a-child"}, order)
}

func TestRunStopsAtUntilInclusive(t *testing.T) {
	w := newTestWorld(t, Config{})
	var at []Time
	for _, d := range []Time{5, 10, 11} {
		w.After(d, func() { at = append(at, w.Now()) })
	}
	require.NoError(t, w.Run(10))
	assert.Equal(t, []Time{5, 10}, at)
	assert.Equal(t, Time(10), w.Now())
	require.NoError(t, w.Run(20))
	assert.Equal(t, []Time{5, 10, 11}, at)

	err := w.Run(15)
	assert.ErrorIs(t, err, ErrBadArgument, "running backwards is an error")
	assert.NoError(t, w.Err(), "but it does not break the world")
}

func TestStep(t *testing.T) {
	w := newTestWorld(t, Config{})
	n := 0
	w.After(7, func() { n++ })
	ok, err := w.Step()
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, Time(7), w.Now())
	ok, err = w.Step()
	require.NoError(t, err)
	assert.False(t, ok, "empty queue")
	assert.Equal(t, 1, n)
}

func TestCancel(t *testing.T) {
	w := newTestWorld(t, Config{})
	var got []uint64
	h := handlerFunc(func(tag uint64) { got = append(got, tag) })
	a := w.Schedule(10, h, 1)
	b := w.Schedule(10, h, 2)
	w.Schedule(10, h, 3)
	w.Cancel(b)
	w.Cancel(b) // twice is harmless
	w.Cancel(0) // the zero id is no timer
	require.NoError(t, w.Run(10))
	assert.Equal(t, []uint64{1, 3}, got)
	assert.EqualValues(t, 2, w.Events(), "a cancelled timer is not an event")

	// a's slot is reused by the next timer: the stale id must not cancel it.
	c := w.Schedule(5, h, 4)
	w.Cancel(a)
	require.NoError(t, w.Run(20))
	assert.Equal(t, []uint64{1, 3, 4}, got)
	w.Cancel(c) // already fired: nothing happens
}

func TestCancelledTimersAreSwept(t *testing.T) {
	w := newTestWorld(t, Config{})
	h := handlerFunc(func(uint64) {})
	ids := make([]TimerID, 0, 5000)
	for i := range 5000 {
		ids = append(ids, w.Schedule(Time(i+1)*Second, h, uint64(i)))
	}
	for _, id := range ids[:4000] {
		w.Cancel(id)
	}
	assert.LessOrEqual(t, w.Pending(), 1000+compactMin, "the heap must not keep most cancelled timers")
	require.NoError(t, w.Run(10000*Second))
	assert.EqualValues(t, 1000, w.Events())
}

func TestCancelKeepsOrderAfterSweep(t *testing.T) {
	w := newTestWorld(t, Config{})
	var got []uint64
	h := handlerFunc(func(tag uint64) { got = append(got, tag) })
	var ids []TimerID
	for i := range 3000 {
		ids = append(ids, w.Schedule(Time(3000-i), h, uint64(3000-i)))
	}
	for i, id := range ids {
		if i%3 != 0 {
			w.Cancel(id)
		}
	}
	require.NoError(t, w.Run(Second))
	require.Len(t, got, 1000)
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1], got[i])
	}
}

func TestEventLimitNamesTheSeed(t *testing.T) {
	t.Run("total", func(t *testing.T) {
		w := newTestWorld(t, Config{Seed: 4242, MaxEvents: 100})
		var tick func()
		tick = func() { w.After(Millisecond, tick) }
		w.After(0, tick)
		err := w.Run(Minute)
		require.ErrorIs(t, err, ErrEventLimit)
		assert.Contains(t, err.Error(), "seed 4242")
		assert.ErrorIs(t, w.Run(2*Minute), ErrEventLimit, "a failed world stays failed")
	})
	t.Run("per instant", func(t *testing.T) {
		w := newTestWorld(t, Config{Seed: 7, MaxEventsPerInstant: 50})
		var h Handler
		h = handlerFunc(func(uint64) { w.Schedule(0, h, 0) })
		w.Schedule(3, h, 0)
		err := w.Run(Second)
		require.ErrorIs(t, err, ErrEventLimit)
		assert.Contains(t, err.Error(), "seed 7")
		assert.Equal(t, Time(3), w.Now())
	})
}

func TestBadTimersFailTheRun(t *testing.T) {
	tests := []struct {
		name     string
		schedule func(w *World)
	}{
		{"negative delay", func(w *World) { w.After(-1, func() {}) }},
		{"nil function", func(w *World) { w.After(1, nil) }},
		{"nil handler", func(w *World) { w.Schedule(1, nil, 0) }},
		{"overflowing time", func(w *World) { w.After(MaxTime, func() {}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, Config{})
			require.NoError(t, w.Run(1)) // now > 0, so MaxTime overflows
			tt.schedule(w)
			require.ErrorIs(t, w.Run(Second), ErrBadArgument)
			assert.True(t, errors.Is(w.Err(), ErrBadArgument))
		})
	}
}

func TestReentrantRunIsRefused(t *testing.T) {
	w := newTestWorld(t, Config{})
	var runErr, stepErr error
	w.After(1, func() { runErr = w.Run(2); _, stepErr = w.Step() })
	require.NoError(t, w.Run(Second))
	assert.ErrorIs(t, runErr, ErrBadArgument)
	assert.ErrorIs(t, stepErr, ErrBadArgument)
}

func TestTimeString(t *testing.T) {
	assert.Equal(t, "1.5ms", (1500 * Microsecond).String())
	assert.Equal(t, "1m0s", Minute.String())
}
