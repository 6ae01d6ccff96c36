package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/sim"
)

// ctxSlice is how much simulated time passes between two looks at the
// context: the world runs in slices of it, which changes nothing in the
// run (events at a slice's end are processed in that slice, and nothing
// happens between slices), so a run that finishes is the same whether or
// not it was given a context, and one whose context ends stops within a
// slice.
const ctxSlice = 100 * sim.Millisecond

// Simulate runs the phases: faults until MaxTime, the final heal, the recovery
// window with clients running, then a quiet period with clients stopped.
// When ctx ends first it stops at the end of the current slice of simulated
// time and returns an error naming the seed and the simulated time, which
// wraps ctx.Err(). A failed assertion of the Raft under test stops the
// run there (see runPhases); the run is then checked as far as it went.
func (x *Execution) Simulate(ctx context.Context) (err error) {
	defer func() {
		if x.trace != nil {
			if ferr := x.trace.Flush(); ferr != nil && err == nil {
				err = fmt.Errorf("trace: %w", ferr)
			}
			if cerr := x.traceFile.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("trace: %w", cerr)
			}
		}
	}()
	if err := x.runPhases(ctx); err != nil {
		return err
	}
	x.endTime = x.w.Now()
	if err := x.rec.Misuse(); err != nil {
		return fmt.Errorf("%w: history: %v", ErrInternal, err)
	}
	if dropped, at := x.rec.Overflow(); dropped > 0 {
		// The clients stopped when the recorder filled: what was recorded is
		// checked, but it is not the whole run.
		x.truncated = fmt.Sprintf("history truncated: the limit of %d recorded ops was reached %v into the run (--max-time %v, --recovery-time %v); the clients stopped there and %d %s went unrecorded, so the rest of the run is unchecked and liveness is skipped; to stay under the limit use fewer --clients, a --rate (ops/s per client), or a shorter --max-time",
			x.rec.Limit(), time.Duration(max(at-int64(x.setupTime), 0)).Round(time.Millisecond), x.opts.MaxTime, x.opts.RecoveryTime, dropped, unrecorded(dropped))
	}
	for i, cl := range x.clients {
		if err := cl.Err(); err != nil {
			x.clientErrs = append(x.clientErrs, fmt.Sprintf("client %d: %v", i, err))
		}
	}
	return nil
}

// runPhases runs the phases of Simulate. A panic is recovered here: the
// implementation's failed assertion is recorded as the run's finding and
// ends the run without error; any other panic is raftcheck's own failure,
// an internal error with the seed to reproduce it.
func (x *Execution) runPhases(ctx context.Context) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if af, ok := assertionFailure(r); ok {
			x.recordPanic(af)
			err = nil
			return
		}
		err = fmt.Errorf("%w: seed %d at %v: panic: %v", ErrInternal, x.opts.Seed, x.w.Now(), r)
	}()
	// Setup, as in Jepsen: clients and faults start once the cluster has
	// elected its first leader, so early ops do not all fail for want of one.
	for !x.obs.leaderSeen && x.w.Now() < setupLimit {
		if err := x.runUntil(ctx, x.w.Now()+setupStep, "setup"); err != nil {
			return err
		}
	}
	x.setupTime = x.w.Now()
	for _, cl := range x.clients {
		cl.Start()
	}
	maxT := x.setupTime + sim.Time(x.opts.MaxTime)
	if err := x.nem.Start(int64(maxT)); err != nil {
		return fmt.Errorf("%w: nemesis: %v", ErrInternal, err)
	}
	if err := x.runUntil(ctx, maxT, "faults"); err != nil {
		return err
	}
	x.nem.Heal()
	x.healTime = x.w.Now()
	if err := x.runUntil(ctx, maxT+sim.Time(x.opts.RecoveryTime), "recovery"); err != nil {
		return err
	}
	x.stopTime = x.w.Now()
	for _, cl := range x.clients {
		cl.Stop()
	}
	if err := x.runUntil(ctx, x.stopTime+quietTime, "quiet period"); err != nil {
		return err
	}
	return nil
}

// runUntil runs the world to until in slices of ctxSlice, looking at ctx
// before each; phase names the part of the run for the error.
func (x *Execution) runUntil(ctx context.Context, until sim.Time, phase string) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("seed %d: stopped at %v of simulated time (%s) of %v: %w",
				x.opts.Seed, time.Duration(x.w.Now()), phase, x.plannedTime(), ctxErr(ctx))
		}
		next := min(x.w.Now()+ctxSlice, until)
		if err := x.w.Run(next); err != nil {
			return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.opts.Seed, err)
		}
		if next >= until {
			return nil
		}
	}
}

// plannedTime is about how much simulated time the whole run takes: the
// setup so far, the faults, the recovery window and the quiet period.
func (x *Execution) plannedTime() time.Duration {
	setup := x.setupTime
	if setup == 0 {
		setup = x.w.Now()
	}
	return time.Duration(setup) + x.opts.MaxTime + x.opts.RecoveryTime + time.Duration(quietTime)
}

// ctxErr is why ctx ended: ctx.Err(), and its cause when one was given
// (context.WithDeadlineCause), both wrapped so errors.Is finds either.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

// unrecorded names what a truncated history lost: one or more invokes or
// nemesis events.
func unrecorded(n int) string {
	if n == 1 {
		return "invoke or nemesis event"
	}
	return "invokes and nemesis events"
}
