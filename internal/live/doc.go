// Package live tests real node processes, in any language, that speak the
// Maelstrom protocol (package maelstrom): raftcheck runs them as a
// cluster, is their network, drives the lin-kv workload from its own
// clients, records the history and checks it.
//
// # How a live run is put together
//
//   - proc.Driver runs one process per node id n0..n(N-1), each in its own
//     directory under the run directory, and sends init.
//   - Each node is represented in a sim.World by a proxy host at address
//     i+1. What the simulated network delivers to the proxy is written to
//     the process's stdin; each line the process prints to another node is
//     injected as a Send from its proxy. So latency, loss, duplication,
//     reordering and partitions (sim.NetConfig, Control) act on real
//     traffic: a node-to-node message is the exact line its sender
//     printed, routed by dest, never parsed beyond the envelope.
//   - raftcheck's clients (package clients) run on simulated client hosts
//     at addresses 1000+, as Maelstrom clients c1, c2, ... The proxy
//     translates each kvstore.Request into a lin-kv request with a fresh
//     msg_id, and the reply back into a kvstore.Response (see
//     translateReply for the mapping of error codes onto Jepsen's ok, fail
//     and info). Keys and values travel as integers (see codec). Only what
//     lin-kv offers is offered: the register workload (read, write, cas)
//     and the kv workload's get and put; append is refused.
//   - A pacer runs the world on the wall clock: virtual nanoseconds are wall
//     nanoseconds since the nodes became ready. The loop sleeps until the
//     world's next event is due or a node prints a line, runs what is due,
//     and injects the line at the current virtual time. The loop is the
//     only goroutine that touches the world, the clients and the recorder.
//   - Each client thread is bound to a home node, as Maelstrom's clients
//     are, moving on to the next node when a request goes unanswered, and
//     follows redirects from there (Config.FollowLeader: it goes to the
//     leader it knows instead).
//   - A standard run (Config.MaxTime) has a simulated run's shape: setup
//     until a node reports leading or an operation succeeds, the nemesis
//     (package nemesis, unchanged) acting through liveFaults until
//     MaxTime, the final heal, the recovery window with clients running,
//     a quiet period. liveFaults is nemesis.Faults on real processes:
//     partitions and network faults act on the world's network, a crash
//     is SIGKILL of the node's process group and its host going down, a
//     restart starts the process again in its directory (it gets init
//     again), a pause is SIGSTOP with the network holding its messages.
//     Clock, disk and membership faults are refused (Unsupported); a swarm
//     profile leaves them out. Scripted runs (Phases, Control) act the
//     same way from tests.
//   - Roles: the Maelstrom protocol cannot ask a node its role. A node may
//     report it on stderr (Config.RoleRegex; the example node writes
//     "raft: leader in term 3"); the harness reads the logs every 20 ms,
//     attributing each line to the incarnation whose start marker precedes
//     it, and times a report when it reads it. Reports give the timeline
//     its roles, the nemesis its leader, liveness its leader part, and an
//     election-safety check (two nodes claiming one term). Without them
//     the nemesis takes the node that served the latest ok write as the
//     leader, and liveness checks the clients only, saying so.
//   - Run then checks the history as a simulated run's is checked:
//     linearizability per key (the register-with-cas or kv model), the
//     reported election safety, liveness after the final heal, client
//     anomalies; checker.Combine gives the verdict. Reports draws the
//     timeline, plots and linearizability page from what was observed.
//
// # Not reproducible
//
// The seed fixes the harness's own choices — which messages the network
// drops, delays or duplicates, which operations the clients issue — but
// only as a function of the order and virtual time at which things happen.
// The nodes are real processes: how long they take to answer, and so when
// their output enters the world, depends on the operating system's
// scheduling, the machine's load and the nodes' own clocks and randomness.
// One different arrival time shifts every later draw. A live run therefore
// records its seed but cannot be replayed bit for bit; a failing history
// is kept and can be re-checked, and the run re-tried.
//
// # Faults of the nodes
//
// A node that prints malformed JSON, writes to an unknown node id, answers
// a msg_id that was never sent, answers with the wrong type, exits on its
// own or stops reading its input gets a recorded Fault (counted by kind
// and node, with the first case): never a hang, never a lost history. The
// verdict is the history's; faults explain it.
package live
