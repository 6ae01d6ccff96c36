package sim

import "errors"

// FieldError reports an invalid configuration value or argument; Field names it
// the way a user wrote it ("net.loss", "host.clock_drift").
type FieldError struct {
	Field   string
	Problem string
}

// Error returns "field: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

func fieldErr(field, problem string) error { return &FieldError{Field: field, Problem: problem} }

// Errors a run can end with. They reach the caller of Run or Step wrapped with
// the seed and the virtual time, so a failure names everything needed to
// reproduce it.
var (
	// ErrEventLimit: the run processed more events than Config.MaxEvents or
	// more than Config.MaxEventsPerInstant without time advancing (livelock).
	ErrEventLimit = errors.New("event limit exceeded (livelock?)")
	// ErrUnknownAddress: a message or a fault named an address with no host.
	ErrUnknownAddress = errors.New("unknown address")
	// ErrHostDown: a crashed host's process acted (sent, set a timer, wrote
	// its disk) — its code is still running somewhere, which is a bug.
	ErrHostDown = errors.New("host is down")
	// ErrQueueFull: an explicit bound (pending events, unsynced writes) was hit.
	ErrQueueFull = errors.New("queue bound exceeded")
	// ErrBadArgument: a fault or timer was given an invalid value at run time.
	ErrBadArgument = errors.New("bad argument")
)
