package checker

import (
	"context"
	"fmt"
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
// several did (stopNone: none did).
const (
	stopNone stopCause = iota
	stopMemory
	stopTime
	stopSteps
)

// search is one porcupine call under a guard: its deadline, its steps, and
// what stopped it. A call over several partitions steps them on several
// goroutines: they share the count.
type search struct {
	g        *searchGuard
	deadline time.Time // zero: none
	steps    atomic.Int64
	why      atomic.Int32 // a stopCause; the first one wins
}

// search starts a search under g that ends by deadline (zero: none).
func (g *searchGuard) search(deadline time.Time) *search {
	return &search{g: g, deadline: deadline}
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
// and are refused, without work, once any bound has stopped the search,
// and wait while the guard collects.
func (s *search) model(m porcupine.Model) porcupine.Model {
	if step := m.Step; step != nil {
		m.Step = func(state, input, output any) (bool, any) {
			if !s.admit() {
				return false, state
			}
			return step(state, input, output)
		}
	}
	if step := m.StepContext; step != nil {
		m.StepContext = func(ctx context.Context, state, input, output any) (bool, any) {
			if !s.admit() {
				return false, state
			}
			return step(ctx, state, input, output)
		}
	}
	return m
}

// admit counts one step and reports whether the model may take it.
func (s *search) admit() bool {
	g := s.g
	if g.paused.Load() {
		g.wait()
	}
	if s.why.Load() != int32(stopNone) || g.hit() {
		return false
	}
	n := s.steps.Add(1)
	if g.steps > 0 && n > g.steps {
		s.halt(stopSteps)
		return false
	}
	if n%tickSteps == 0 {
		now := g.p.now()
		if !s.deadline.IsZero() && !now.Before(s.deadline) {
			s.halt(stopTime)
			return false
		}
		g.poll(now)
		return !g.hit()
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
