package sim

import (
	"math"
	"time"
)

// Time is a point in, or a span of, virtual time in nanoseconds. Global time
// starts at 0 when the World is created; a host's local clock (Clock) maps it to
// what the host believes.
type Time int64

// Units of virtual time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
)

// MaxTime is the largest representable time ("never").
const MaxTime Time = math.MaxInt64

// String formats t like a time.Duration ("1.5ms").
func (t Time) String() string { return time.Duration(t).String() }

// Duration converts t to a time.Duration, for printing and flag parsing.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// addTime returns a+d, or false if it would overflow (d ≥ 0).
func addTime(a, d Time) (Time, bool) {
	if d > MaxTime-a {
		return 0, false
	}
	return a + d, true
}
