package nemesis

// Faults is the narrow interface through which the nemesis acts on a cluster.
// The simulator implements it (through a thin adapter in internal/harness); a
// live cluster can implement it later. Node ids are raft ids (1..N). Times and
// durations are nanoseconds of global (simulated) time.
type Faults interface {
	// Now is the current global time.
	Now() int64
	// After calls fn after d nanoseconds of global time. The nemesis schedules
	// all of its work through it.
	After(d int64, fn func())
	// Nodes returns every node id the cluster was started with, sorted.
	Nodes() []int
	// Members returns the current voters, sorted: the configuration the
	// cluster has committed. (A node's own view can be stale: a partitioned
	// node may hold an old configuration under an inflated term.)
	Members() []int
	// Leader returns the id of the live, unpaused node that believes it leads
	// in the highest term, or 0 if there is none.
	Leader() int

	// Network. Links are directed; Block(a, b) drops messages from a to b at
	// delivery time, so messages already in flight are lost too.
	Block(from, to int)
	Unblock(from, to int)
	HealNetwork()                      // unblock every link
	SetLoss(p float64)                 // extra per-message loss probability
	SetDuplicate(p float64)            // duplication probability
	SetReorder(p float64)              // reorder probability
	SetExtraDelay(mean int64)          // extra latency on every link (exponential, this mean)
	SetLinkDelay(a, b int, mean int64) // extra latency on one link, both directions
	ResetNetwork()                     // loss, dup, reorder and delays back to the run's config

	// Processes. Crash loses volatile state and unsynced writes; Restart
	// rebuilds the node from its disk after delay. Pause stops timers and
	// queues messages (SIGSTOP); Resume delivers them.
	Crash(node int)
	Restart(node int, delay int64)
	Pause(node int)
	Resume(node int)
	Alive(node int) bool
	Paused(node int) bool

	// Clocks (local clocks seen by lease reads and timers).
	SetClockOffset(node int, offset int64)
	SetClockDrift(node int, ppm float64)
	ResetClocks()

	// Disks. The crash mode decides what a crash does to unsynced writes.
	// The mode "" restores the run's configured crash mode (nemesis extension).
	SetDiskCrashMode(node int, mode string) // "lose-unsynced" | "keep-prefix" | "tear-last" | ""
	SetSyncLatency(node int, d int64)       // 0 restores the run's default
	CorruptDisk(node int) bool              // flip one bit in a synced record; false if nothing to corrupt

	// Membership. RemoveMember proposes removing the node through the leader;
	// AddMember proposes adding it back, wiping its disk first when wipe is set.
	// Both return an error when the proposal cannot be made now (no leader, a
	// change already pending); the nemesis polls Members and retries, bounded.
	// AddMember with wipe crashes the node if it is up and wipes its disk; the
	// node comes back as a joiner with an empty disk under its old id, which
	// the adapter may hold off (the node stays down, Restart leaves it so, and
	// AddMember returns an error until then) for as long as some disk still
	// holds a configuration that counts the old disk: Raft assumes a voter's
	// disk outlives every configuration that counts it. The nemesis only asks
	// for a wipe once Members no longer lists the node, and uses it to repair
	// a node that fail-stopped on a corrupted disk. AddMember with wipe must
	// return an error, wiping nothing, while the node is still a voter of the
	// committed configuration: a voter that loses its disk loses
	// acknowledgements and votes the cluster counts.
	RemoveMember(node int) error
	AddMember(node int, wipe bool) error

	// Record logs a fault start or stop: a nemesis info op in the history and a
	// trace record, so reports can shade the window.
	Record(ev Event)
}

// Event is a fault start or stop as recorded in the history and trace.
type Event struct {
	Fault   string // catalog name, e.g. "partition-isolate-leader"
	Start   bool   // true at start, false at stop
	Targets []int  // the nodes acted on, sorted
	Detail  string // human-readable, e.g. "isolated 3 from {1,2,4,5}"
}
