// Package sim is raftcheck's deterministic simulation engine: virtual time, a
// single event queue, named random streams, a faulty network, hosts that
// crash, restart and pause, disks with write-then-sync semantics, skewed local
// clocks, and a trace whose running hash identifies a run.
//
// # Determinism
//
// A World runs on the caller's goroutine and never reads the wall clock.
// Events are ordered by (virtual time, scheduling sequence), so ties break the
// same way every run, and every random choice comes from a stream derived from
// Config.Seed. One seed and one configuration therefore reproduce a run bit
// for bit, including Trace().Hash().
//
// # Random streams
//
// World.Stream(name) returns a math/rand/v2 PCG generator seeded from a hash
// of (seed, name). A stream's draws depend only on its name and on how its
// owner uses it, so turning one knob perturbs only the streams that knob
// touches. A name can be taken once; reuse is an error naming it.
//
// The engine takes these names itself:
//
//	net          every message: loss, latency, extra delay, reorder and
//	             duplication draws. Any network knob (NetConfig, Network.Set*,
//	             per-link overrides) and any change in traffic perturbs it.
//	disk/<addr>  one per host with a disk: which unsynced writes survive a
//	             crash under KeepPrefix and TearLast. Only that host's crash
//	             mode and crashes perturb it.
//
// By convention the rest of raftcheck takes: "nemesis" (fault schedule),
// "node/<id>" (a server's election timeouts), "client/<id>" (a client's
// timing), "workload" (operation generation) and, through NewStream before
// the world exists, "swarm/<knob>" (one per knob --swarm draws).
// Disk.Corrupt takes its randomness from the caller's stream.
//
// # Network semantics
//
// Links are directed. A message draws loss at send time, then a latency (the
// link's override or the network's distribution), plus the delay fault's
// exponential extra delay, plus — with the reorder probability — a uniform
// extra delay that lets later messages overtake it. With the duplication
// probability a second copy is sent with its own latency. Partitions are
// blocked links checked at delivery time, so messages in flight when a
// partition starts are lost, as a TCP reset would lose them. A message
// reaching a crashed host is dropped; one reaching a paused host waits in a
// bounded queue and is delivered, in order, on resume. Messages are delivered
// to whichever incarnation of the recipient is up at delivery time.
//
// A link with a stream endpoint at either end (HostConfig.Stream: clients)
// behaves like a TCP connection: it never duplicates and never draws the
// reorder delay, and it is FIFO — a message is never due before one sent
// earlier on the same link (deliver time = max(drawn, the link's latest)).
// Loss, latency, extra delay and partitions still apply. The skipped
// decisions draw nothing from "net", so with duplication and reordering off
// a run draws the same numbers with or without stream endpoints.
//
// # Hosts, disks, clocks
//
// A host's process is built by its start function from the host's disk only,
// at AddHost and after every Restart. A crash loses the process, its pending
// timers and sync completions, and every unsynced write the disk's CrashMode
// does not keep. A paused host's timers and sync completions wait for Resume;
// the disk still completes syncs in the meantime, like a kernel would. Host
// timers run on the local clock, so drift stretches or shrinks them.
//
// # Bounds
//
// Every queue is bounded: pending events (2^24), events per run
// (Config.MaxEvents) and per instant (Config.MaxEventsPerInstant), messages
// held at a paused host (NetConfig.PausedQueue) and unsynced writes per disk
// (DiskConfig.MaxPendingWrites). Hitting a bound, sending to an unknown
// address or a crashed process acting again ends the run with an error that
// names the seed and the virtual time: in a simulation an impossible state is
// a found bug.
//
// # Trace
//
// Every event becomes a Record (time, kind, two addresses, two integers)
// folded into a 64-bit hash. Other packages add application records with
// Trace.Emit. Config.Trace writes records as JSON Lines; Trace.SetSink hands
// them to a function. Both cost a single branch when off.
package sim
