package checker

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// One porcupine search under a check's bounds.
//
// Porcupine's own timeout reads the real clock from a goroutine of its own,
// so where it stops a search depends on the machine's speed. The searches
// here are given no timeout: each counts its model steps, refuses every
// step past its step bound, and every tickSteps steps reads the clock
// through the check's probes, refusing every step once its deadline has
// passed, and lets the guard poll the heap (guard.go). A refused step stops
// porcupine as the guard's flag does. With the real clock that is a timeout
// as porcupine's, checked every few microseconds of search; with a test's
// clock it falls at a point the test scripted; and the step bound falls at
// the same step on every machine.

// tickSteps is how many steps a search takes between readings of the
// clock: a reading costs tens of nanoseconds, a step about as much or more,
// so the clock costs well under 1 % and a deadline is overshot by well
// under a millisecond.
const tickSteps = 256

// stopCause says which bound stopped a search.
type stopCause int32

// The bounds that stop a search, in the order a reason names them when
// several did (stopNone: none did), then stopCancel: the check no longer
// needs the search's answer (another partition proved the history
// illegal), which is no bound and never makes a verdict unknown.
const (
	stopNone stopCause = iota
	stopMemory
	stopTime
	stopSteps
	stopCancel
)

// search is one porcupine call under a guard: its deadline, its steps, and
// what stopped it. Most searches step one partition on one goroutine; a
// shared one (a call over several partitions, which porcupine steps on
// several goroutines) counts its steps atomically.
type search struct {
	g        *searchGuard
	deadline time.Time // zero: none
	// limit is the search's step bound (≤ 0: none): the guard's, unless
	// the caller set a smaller one before the search started.
	limit int64
	// cancel, when set, stops the search (stopCancel) once it reads true:
	// the caller no longer needs the answer.
	cancel *atomic.Bool
	shared bool
	local  int64        // the steps of a search that is not shared
	steps  atomic.Int64 // the steps of a shared one
	why    atomic.Int32 // a stopCause; the first one wins
}

// search starts a search under g that ends by deadline (zero: none).
func (g *searchGuard) search(deadline time.Time) *search {
	return &search{g: g, deadline: deadline, limit: g.steps}
}

// sharedSearch is search for a porcupine call that steps several
// partitions at once.
func (g *searchGuard) sharedSearch(deadline time.Time) *search {
	s := g.search(deadline)
	s.shared = true
	return s
}

// count is the steps the search took (refused ones included).
func (s *search) count() int64 {
	if s.shared {
		return s.steps.Load()
	}
	return s.local
}

// expired reads the clock and stops the search if its deadline has passed:
// a search is not started with nothing left of its time.
func (s *search) expired() bool {
	if now := s.g.p.now(); !s.deadline.IsZero() && !now.Before(s.deadline) {
		s.halt(stopTime)
	}
	return s.cause() != stopNone
}

// model returns a copy of m whose steps count against the search's bounds
// and are refused, without work, once any bound has stopped the search.
// Porcupine calls StepContext; setting it directly spares the wrapper
// porcupine would put around Step.
func (s *search) model(m porcupine.Model) porcupine.Model {
	switch step, stepCtx := m.Step, m.StepContext; {
	case step != nil:
		m.Step = func(state, input, output any) (bool, any) {
			if !s.admit() {
				return false, state
			}
			return step(state, input, output)
		}
		m.StepContext = func(_ context.Context, state, input, output any) (bool, any) {
			if !s.admit() {
				return false, state
			}
			return step(state, input, output)
		}
	case stepCtx != nil:
		m.StepContext = func(ctx context.Context, state, input, output any) (bool, any) {
			if !s.admit() {
				return false, state
			}
			return stepCtx(ctx, state, input, output)
		}
	}
	return m
}

// admit counts one step and reports whether the model may take it. The
// step bound is exact; everything else — the clock, the heap, the guard's
// flag and pause, cancellation — is looked at every tickSteps steps, so a
// step costs a counter and a comparison. Once the search is stopped, every
// step is refused.
func (s *search) admit() bool {
	if s.why.Load() != int32(stopNone) {
		return false
	}
	var n int64
	if s.shared {
		n = s.steps.Add(1)
	} else {
		s.local++
		n = s.local
	}
	if s.limit > 0 && n > s.limit {
		s.halt(stopSteps)
		return false
	}
	if n%tickSteps != 0 {
		return true
	}
	return s.tick()
}

// yieldTicks is how many ticks a verdict's search takes between yields
// (see tick): on porcupine's c50-bad on one core, every 8 ticks brings the
// verdict from 28ms to 7ms, and costs nothing measurable on two.
const yieldTicks = 8

// tick is admit's look at the bounds other than steps.
func (s *search) tick() bool {
	g := s.g
	if s.cancel != nil && s.local%(yieldTicks*tickSteps) == 0 {
		// Searches of a verdict's partitions run side by side, more of
		// them than cores, so that the quickest illegal one ends the
		// check (see minSearchWorkers). The scheduler preempts a search
		// only every 10ms: on one core a partition that is quick to
		// refute would wait a slice per slow one before it. Yielding now
		// and then shares the cores more evenly.
		runtime.Gosched()
	}
	if g.paused.Load() {
		g.wait()
	}
	if g.hit() {
		s.halt(stopMemory)
		return false
	}
	if s.cancel != nil && s.cancel.Load() {
		s.halt(stopCancel)
		return false
	}
	now := g.p.now()
	if !s.deadline.IsZero() && !now.Before(s.deadline) {
		s.halt(stopTime)
		return false
	}
	g.poll(now)
	if g.hit() {
		s.halt(stopMemory)
		return false
	}
	return true
}

// halt stops the search for cause, unless it is stopped already.
func (s *search) halt(cause stopCause) {
	s.why.CompareAndSwap(int32(stopNone), int32(cause))
}

// cause says what stopped the search (stopNone: nothing, and every step
// ran the real model). The guard's memory flag counts even when it was set
// after this search took its last step: it cannot tell, and the answer
// is thrown away either way.
func (s *search) cause() stopCause {
	if c := stopCause(s.why.Load()); c != stopNone {
		return c
	}
	if s.g.hit() {
		return stopMemory
	}
	return stopNone
}

// stepBound says what the step bound stopped, completing "the search was
// stopped at".
func (g *searchGuard) stepBound() string {
	return fmt.Sprintf("the step bound of %d steps", g.steps)
}
