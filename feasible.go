package raftcheck

import (
	"time"

	"github.com/raftcheck/raftcheck/sim"
)

// Configurations refused before they run: each field is valid on its own,
// but together they predictably test nothing, cannot work, or would blow
// the simulator's event budget long after the user stopped waiting. What
// can only be known once the run is over (no operation completed, no
// leader ever elected) makes the verdict unknown instead; see
// internal/harness/tested.go.

// maxRunEvents is the event budget of one run: the simulator stops a run
// past it with an internal error (sim.DefaultMaxEvents; about an hour of
// wall time at the simulator's speed).
const maxRunEvents = sim.DefaultMaxEvents

// feasible refuses the combinations of valid fields that cannot make a
// meaningful run, naming the flags involved. Called only once every field
// is valid on its own.
func (c *Config) feasible(bad func(field, format string, args ...any)) {
	span := time.Duration(c.MaxTime + c.RecoveryTime)
	lat, sync := time.Duration(c.Latency), time.Duration(c.SyncLatency)

	// A paced run's invokes are a Poisson process (or a fixed schedule) at
	// --rate per client: fewer than one expected in the whole run is a run
	// that predictably tests nothing.
	if c.Rate > 0 {
		if ops := float64(c.Clients) * c.Rate * span.Seconds(); ops < 1 {
			bad("rate", "--clients %d at --rate %g ops/s for %v (--max-time %v + --recovery-time %v) would invoke about %.3g operations in all, fewer than one: the run would test nothing; raise --rate, --clients or --max-time",
				c.Clients, c.Rate, span, c.MaxTime, c.RecoveryTime, ops)
		}
	}

	// Every operation crosses the network to the cluster and back: below
	// that, each one times out before its answer can arrive.
	if rtt := 2 * lat; time.Duration(c.OpTimeout) < rtt {
		bad("op-timeout", "%v is shorter than one round trip between a client and the cluster (2 × --latency %v = %v): every operation would time out; raise --op-timeout or lower --latency",
			c.OpTimeout, c.Latency, rtt)
	}

	// An election needs a vote's round trip: the candidate syncs its vote,
	// the request crosses the network, the voter syncs its own and answers.
	// When that takes longer on average than the longest randomized
	// election timeout (2 × --election-ticks × --tick-interval), a
	// candidate times out and starts over before any vote returns.
	election := time.Duration(c.ElectionTicks) * time.Duration(c.TickInterval)
	if c.Nodes > 1 && lat+sync >= election {
		field := "latency"
		if sync > lat {
			field = "sync-latency"
		}
		bad(field, "--latency %v plus --sync-latency %v is not shorter than the election timeout (--election-ticks %d × --tick-interval %v = %v): a vote's round trip (2 × (%v + %v)) would outlast every randomized timeout (%v–%v), so the cluster could not elect a leader; lower --latency or --sync-latency, or raise --election-ticks or --tick-interval",
			c.Latency, c.SyncLatency, c.ElectionTicks, c.TickInterval, election, c.Latency, c.SyncLatency, election, 2*election)
	}

	// Every live node ticks every --tick-interval: a floor under the run's
	// events, counting only a majority (faults may keep the rest down).
	ticks := float64(span) / float64(c.TickInterval)
	if events := float64(c.Nodes/2+1) * ticks; events > float64(maxRunEvents) {
		bad("tick-interval", "a majority of --nodes %d ticking every --tick-interval %v for %v (--max-time %v + --recovery-time %v) is at least %.3g simulated events, over the budget of %d a run may take (about an hour of wall time); raise --tick-interval, or lower --max-time or --nodes",
			c.Nodes, c.TickInterval, span, c.MaxTime, c.RecoveryTime, events, uint64(maxRunEvents))
	}

	c.memoryFits(bad)
}
