// Package nemesis injects faults into a cluster, Jepsen style: a catalog of
// named faults (partitions, crashes and pauses, network loss and delay, clock
// skew, disk faults, membership churn), a schedule that starts and stops them
// on a jittered interval within a budget of nodes down, named scenarios, and
// swarm profiles that pick faults and intensities at random per seed.
//
// The nemesis acts only through the Faults interface, so the same schedule
// runs against the simulator (through internal/harness's adapter) or, later,
// a live cluster. Every start and stop is reported through Faults.Record with
// its targets, for the history and the reports. Every random choice comes
// from the *rand.Rand given to New, and all work is scheduled with
// Faults.After, so one seed reproduces a schedule exactly.
//
// A run uses it like this:
//
//	n, err := nemesis.New(cfg, faults, rng)
//	err = n.Start(limit)  // faults come and go until the time limit
//	// ... at the limit:
//	n.Heal()              // stop everything, then a recovery window
//	n.Anomalies()         // impossible things the nemesis saw
package nemesis
