package live

import (
	"context"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wallCheck fires at world timers and records, each time, the virtual time
// and the wall time since the pacer started.
type wallCheck struct {
	p     *pacer
	fired [][2]time.Duration
}

func (h *wallCheck) Fire(uint64) {
	h.fired = append(h.fired, [2]time.Duration{time.Duration(h.p.w.Now()), time.Since(h.p.start)})
}

func TestPacerNeverRunsAheadOfTheClock(t *testing.T) {
	w, err := sim.NewWorld(sim.Config{Seed: 1})
	require.NoError(t, err)
	events := make(chan proc.Event, 4)
	var handled [][2]time.Duration
	var p *pacer
	p = newPacer(w, events, func(ev proc.Event) {
		handled = append(handled, [2]time.Duration{time.Duration(w.Now()), time.Since(p.start)})
	})
	h := &wallCheck{p: p}
	for _, d := range []sim.Time{5 * sim.Millisecond, 20 * sim.Millisecond, 20 * sim.Millisecond, 40 * sim.Millisecond} {
		w.Schedule(d, h, 0)
	}
	stopped, err := p.run(context.Background(), 60*sim.Millisecond, nil)
	require.NoError(t, err)
	assert.False(t, stopped)
	assert.Equal(t, 60*sim.Millisecond, w.Now(), "the phase ends at its end")
	require.Len(t, h.fired, 4, "every timer due fired")
	for i, f := range h.fired {
		assert.GreaterOrEqual(t, f[0], []time.Duration{5, 20, 20, 40}[i]*time.Millisecond, "a timer fires at its virtual time")
		assert.LessOrEqual(t, f[0], f[1], "virtual time %v is never ahead of the wall clock %v", f[0], f[1])
	}

	// Output that arrives enters the world at once, and no earlier than
	// the wall clock. The phase ends when it was handled; its end is a
	// hang guard a loaded machine cannot reach.
	events <- proc.Event{Kind: proc.Line}
	stopped, err = p.run(context.Background(), w.Now()+sim.Time(time.Minute), func() bool { return len(handled) == 1 })
	require.NoError(t, err)
	assert.True(t, stopped, "the output was handled")
	require.Len(t, handled, 1)
	assert.LessOrEqual(t, handled[0][0], handled[0][1], "output enters the world no earlier than the wall clock")

	// stop ends a phase early; a cancelled context ends it with an error.
	n := 0
	stopped, err = p.run(context.Background(), sim.MaxTime, func() bool { n++; return n == 3 })
	require.NoError(t, err)
	assert.True(t, stopped)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.run(ctx, sim.MaxTime, nil)
	assert.ErrorIs(t, err, context.Canceled)
}
