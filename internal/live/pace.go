package live

import (
	"context"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/sim"
)

// maxBatch bounds the driver events handled in one wake-up before the
// world catches up with the clock again.
const maxBatch = 256

// checkEvery is how often (in run time) a phase's Until is evaluated.
const checkEvery = 10 * sim.Millisecond

// pacer runs a sim.World on the wall clock. Virtual time is the wall time
// since the pacer started, in nanoseconds (monotonic clock): the world's
// timers, message latencies and the clients' pacing happen when the wall
// clock says, and a node's output enters the world at the virtual time the
// loop handles it. The loop sleeps until the world's next event is due or
// a node prints something, whichever comes first; it never runs the world
// ahead of the clock.
type pacer struct {
	w      *sim.World
	start  time.Time
	timer  *time.Timer
	events <-chan proc.Event
	handle func(proc.Event)
}

func newPacer(w *sim.World, events <-chan proc.Event, handle func(proc.Event)) *pacer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pacer{w: w, start: time.Now(), timer: t, events: events, handle: handle}
}

// wall returns the virtual time the wall clock is at.
func (p *pacer) wall() sim.Time { return sim.Time(time.Since(p.start)) }

// catchUp runs every event due by the wall clock, but not past limit.
func (p *pacer) catchUp(limit sim.Time) error {
	t := max(min(p.wall(), limit), p.w.Now())
	return p.w.Run(t)
}

// run paces the world until virtual time end, or until stop (checked every
// checkEvery of run time; nil: never) holds. It reports whether stop ended
// it.
func (p *pacer) run(ctx context.Context, end sim.Time, stop func() bool) (bool, error) {
	nextCheck := p.w.Now()
	for {
		if err := p.catchUp(end); err != nil {
			return false, err
		}
		if stop != nil && p.w.Now() >= nextCheck {
			if stop() {
				return true, nil
			}
			nextCheck = p.w.Now() + checkEvery
		}
		now := p.w.Now()
		if now >= end {
			return false, nil
		}
		wake := end
		if at, ok := p.w.NextAt(); ok && at < wake {
			wake = at
		}
		if stop != nil && nextCheck < wake {
			wake = nextCheck
		}
		p.timer.Reset(max(time.Duration(wake-p.wall()), 0))
		select {
		case ev := <-p.events:
			p.timer.Stop()
			if err := p.take(ev, end); err != nil {
				return false, err
			}
		case <-p.timer.C:
		case <-ctx.Done():
			p.timer.Stop()
			return false, ctx.Err()
		}
	}
}

// take handles ev and whatever else the nodes printed meanwhile (at most
// maxBatch events), each at the virtual time the wall clock is at.
func (p *pacer) take(ev proc.Event, end sim.Time) error {
	for n := 1; ; n++ {
		if err := p.catchUp(end); err != nil {
			return err
		}
		p.handle(ev)
		if n == maxBatch {
			return nil
		}
		select {
		case ev = <-p.events:
		default:
			return nil
		}
	}
}
