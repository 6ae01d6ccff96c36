package harness

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/sim"
)

// Simulate runs the phases: faults until MaxTime, the final heal, the recovery
// window with clients running, then a quiet period with clients stopped. A
// failed assertion of the Raft under test stops the run there (see
// implPanic); the run is then checked as far as it went.
func (x *Execution) Simulate() (err error) {
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
	if err := x.runPhases(); err != nil {
		return err
	}
	x.endTime = x.w.Now()
	if err := x.rec.Misuse(); err != nil {
		return fmt.Errorf("%w: history: %v", ErrInternal, err)
	}
	if dropped, at := x.rec.Overflow(); dropped > 0 {
		// The clients stopped when the recorder filled: what was recorded is
		// checked, but it is not the whole run.
		x.truncated = fmt.Sprintf("history truncated: the limit of %d recorded ops was reached %v into the run (--max-time %v, --recovery-time %v); the clients stopped there and %d invokes and nemesis events went unrecorded, so the rest of the run is unchecked and liveness is skipped; to stay under the limit use fewer --clients, a --rate (ops/s per client), or a shorter --max-time",
			x.rec.Limit(), time.Duration(max(at-int64(x.setupTime), 0)).Round(time.Millisecond), x.opts.MaxTime, x.opts.RecoveryTime, dropped)
	}
	for i, cl := range x.clients {
		if err := cl.Err(); err != nil {
			x.obs.anomalies = append(x.obs.anomalies, fmt.Sprintf("client %d: %v", i, err))
		}
	}
	return nil
}

// runPhases runs the phases of Simulate. A panic is recovered here: the
// implementation's failed assertion is recorded as the run's finding and
// ends the run without error; any other panic is raftcheck's own failure,
// an internal error with the seed to reproduce it.
func (x *Execution) runPhases() (err error) {
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
		if err := x.w.Run(x.w.Now() + setupStep); err != nil {
			return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.opts.Seed, err)
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
	if err := x.w.Run(maxT); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.opts.Seed, err)
	}
	x.nem.Heal()
	x.healTime = x.w.Now()
	if err := x.w.Run(maxT + sim.Time(x.opts.RecoveryTime)); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.opts.Seed, err)
	}
	x.stopTime = x.w.Now()
	for _, cl := range x.clients {
		cl.Stop()
	}
	if err := x.w.Run(x.stopTime + quietTime); err != nil {
		return fmt.Errorf("%w: seed %d: %v", ErrInternal, x.opts.Seed, err)
	}
	return nil
}
