package raftchecktest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Bounds of the grace a run leaves before the test binary's deadline: the
// time to stop at the end of a slice of simulated time (milliseconds of
// wall time) and report, with room for a busy machine.
const (
	minGrace = time.Second
	maxGrace = 30 * time.Second
)

// errTestDeadline is the cause of a context ended by the test's deadline.
var errTestDeadline = errors.New("the test binary's deadline (go test -timeout) is near")

// deadliner is the part of *testing.T that knows the deadline (testing.TB
// does not).
type deadliner interface {
	Deadline() (time.Time, bool)
}

// grace is how long before deadline a run is stopped, given the time left.
func grace(left time.Duration) time.Duration {
	return min(max(left/10, minGrace), maxGrace)
}

// runContext is the context a helper's run honours: the Context option's,
// else t's own, ended in any case at the test binary's deadline less a
// grace. It also returns that grace, zero when the test has no deadline.
func runContext(t testing.TB, o *options) (context.Context, context.CancelFunc, time.Duration) {
	ctx := o.ctx
	if ctx == nil {
		ctx = t.Context()
	}
	if d, ok := t.(deadliner); ok {
		if end, ok := d.Deadline(); ok {
			g := grace(time.Until(end))
			ctx, stop := context.WithDeadlineCause(ctx, end.Add(-g), errTestDeadline)
			return ctx, stop, g
		}
	}
	ctx, stop := context.WithCancel(ctx)
	return ctx, stop, 0
}

// stoppedBy says why a run's context ended, for the failure message.
func stoppedBy(err error, g time.Duration) string {
	switch {
	case errors.Is(err, errTestDeadline):
		return fmt.Sprintf("the run was stopped %v before the test binary's deadline (go test -timeout), so as to report rather than die in a goroutine dump; give it a larger -timeout or make the run shorter", g.Round(time.Millisecond))
	case errors.Is(err, context.DeadlineExceeded):
		return "the run was stopped by its context's deadline"
	default:
		return "the run was stopped by its context"
	}
}
