// Package etcdraft runs etcd's production Raft (go.etcd.io/raft/v3 v3.7.0)
// behind raftcheck's consensus boundary (raft.Consensus), so every fault,
// scenario and checker of the harness applies to it. New is its
// raft.Factory: set kvstore.ServerConfig.Consensus to it.
//
// docs/adapters.md explains how to write such an adapter for another Raft,
// with this package as the worked example. In brief:
//
// # Driving etcd
//
// The adapter drives a RawNode, never a Node (which starts goroutines), on
// the host's virtual disk and network:
//
//   - Storage. Each node owns a MemoryStorage, filled on start from what the
//     host recovered (raft.Persisted: snapshot, hard state, entries) and kept
//     in step with every Ready (snapshot, entries, hard state) as it is
//     handed out. The host's disk is the durable copy; the storage is the
//     mirror etcd reads its log back from. A fresh cluster is bootstrapped
//     with RawNode.Bootstrap, so its log starts, like the built-in's, with
//     one committed configuration entry per voter at term 1; a joining node
//     starts with no configuration and learns it from the leader.
//   - Configuration. ElectionTick, HeartbeatTick, PreVote, CheckQuorum,
//     MaxSizePerMsg and MaxInflightMsgs come from raft.Config; ReadOnlySafe,
//     or ReadOnlyLeaseBased for raft.ReadOnlyLeaseBased; proposal forwarding
//     is off (the host proposes on the leader only; a follower must refuse
//     rather than forward a proposal it could not place) and a removed
//     leader steps down. The built-in's planted protocol bugs are refused by
//     name, as is a count bound on uncommitted entries (etcd bounds bytes).
//   - Entries. Normal entries pass through (the data slice is shared, not
//     copied). Configuration changes are proposed as simple ConfChangeV2
//     (one AddNode or RemoveNode) and handed to the host, like Bootstrap's
//     legacy ConfChange entries, as raft.EntryConfChange in raft's own
//     encoding, which the harness decodes to track membership; a restarted
//     node re-encodes them exactly as etcd wrote them (term 1 means
//     Bootstrap's legacy encoding: no etcd node leads in term 1). The adapter
//     calls ApplyConfChange for every committed configuration entry at
//     Advance, also when a restarted node replays its log, and keeps the
//     configuration of every index since the snapshot for Compact.
//   - Messages. A Ready's messages travel as raft.Message with the etcd
//     message as Payload and its summary (type, ends, term, index, commit,
//     rejection, context) filled for the trace and the observers. Step copies
//     the payload before etcd sees it (the network may deliver one message
//     twice, and etcd keeps and edits what it is given). After a Ready that
//     sent a snapshot, Advance reports it delivered: a lost one is sent again
//     once the follower rejects the next append.
//   - Reads. ReadIndex contexts travel as 8 little-endian bytes; lease reads
//     are etcd's ReadOnlyLeaseBased. The node does not implement
//     raft.LeaseReporter: etcd does not expose how long its lease lasts, so
//     the kvstore bug that needs it (LeaseWallClock) is refused. etcd's
//     lease lasts until the leader's next failed quorum check, up to two
//     election timeouts after it lost its majority, while a new leader may
//     be elected after one: an isolated leader serves stale reads, with no
//     clock fault (etcd-io/raft#166; TestEtcdLeaseOutlivesItsQuorum).
//   - Errors map to the boundary's sentinels: a response from outside the
//     configuration is raft.ErrUnknownPeer, a dropped proposal
//     raft.ErrNotLeader or raft.ErrProposalDropped, a configuration change
//     etcd would quietly turn into an empty entry raft.ErrConfChangePending
//     or raft.ErrInvalidConfChange; an error line etcd logs is returned by
//     the next Step (the host reports it as an anomaly).
//
// # Where a proposal lands
//
// The host matches applied entries to its proposals by the (index, term)
// Propose returns, but RawNode.Propose does not say where the entry went
// (it numbers a clone). The adapter counts: the log ends at the last index of
// the latest Ready (or its snapshot), and every proposal taken since adds one
// entry. That is exact while the node leads in the term its latest Ready
// showed, and proposals are only taken then: to lead a newer term the node
// must have won an election, which needs the votes its own Ready sent. The
// next Ready verifies every reported placement (the entry there has the
// proposal's type, length and hash) and that a leader still in its term ends
// its log where the count says; only a node that moved to a later term may
// miss one (another leader's entry replaced it, and the host learns that when
// the index is applied). A mismatch panics with the evidence.
//
// # Panics
//
// An assertion failing inside etcd (Panic/Fatal log lines, or a plain panic)
// and a broken contract between etcd and the adapter are found bugs: they
// panic with a *PanicError naming the node and its term, with the stack. It
// is a raft.AssertionFailure: the harness stops the run there and reports it
// as an invalid verdict (finding "panic": node, term, message, seed), with
// the history recorded until then checked.
//
// # Determinism
//
// etcd draws each randomized election timeout with
// crypto/rand.Int(crypto/rand.Reader, n) under a process-wide lock. Without
// patching the library, the package replaces crypto/rand.Reader at
// initialization with a dispatcher: every adapter call into a RawNode marks
// the node as active in its goroutine's slot (two field stores), and a read
// from the dispatcher finds the calling goroutine's slot (its id parsed from
// runtime.Stack, paid only per draw) and serves the bytes from that node's
// Config.Rand; any other read goes to the original reader, unchanged. Runs in
// parallel goroutines therefore each draw from their own nodes' streams.
//
// Limits: a node must be driven from the goroutine that built it (the
// simulator runs a run on one goroutine); crypto/rand reads by other code in
// a process that hosts etcd nodes cost a stack walk; code that replaces
// crypto/rand.Reader after this package's initialization disconnects the
// dispatcher (New then refuses to build nodes). A violation cannot pass
// silently: every role or term change etcd reports must have been preceded
// by a draw from the node's stream, or the next Ready panics.
//
// # Cost
//
// etcd allocates much more than the built-in (pointer fields in every
// protobuf message and entry, a hard state per HasReady): on the kvstore
// benchmark (BenchmarkCluster) a run on etcd's Raft makes 30 times the
// allocations and takes about three times the CPU of the same run on the
// built-in with 3 nodes, four times with 5. The adapter keeps its
// own share small: translated slices are reused between Readies, normal
// entries keep their data, Propose asks etcd nothing beyond the proposal
// itself, and Step copies messages by hand (proto.Clone cost a fifth of the
// CPU).
package etcdraft
